"""SQLAlchemy models: every piece of state the emulator keeps.

All state lives here (architecture principle 1), so several workers or hosts sharing one database behave
like one process and a restart loses nothing. Settings that Cognito returns as nested documents
(a pool's policies, a client's OAuth fields, ...) are kept as JSON in the shape the API uses; what is
searched or joined on has a column of its own with an index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Bumped whenever a change needs a migration of an existing database (see store.database).
SCHEMA_VERSION = 2


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


KEY_LENGTH = 512


class EmulatorState(Base):
    """Key/value facts about the emulator itself: schema version, clock offset."""

    __tablename__ = "emulator_state"
    # Keys name Lambda functions ("trigger:<ARN>"): a function ARN with its alias is up to 170 characters.
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class UserPool(Base):
    __tablename__ = "user_pools"
    id: Mapped[str] = mapped_column(String(55), primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128), index=True)
    # Every other setting, in the API's own shape (Policies, LambdaConfig, MfaConfiguration, ...).
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]

    clients: Mapped[list[UserPoolClient]] = relationship(
        back_populates="pool", cascade="all, delete-orphan", passive_deletes=True
    )


class UserPoolClient(Base):
    __tablename__ = "user_pool_clients"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    secret: Mapped[str | None] = mapped_column(String(128))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]

    pool: Mapped[UserPool] = relationship(back_populates="clients")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("pool_id", "username_key", name="uq_users_pool_username"),
        UniqueConstraint("pool_id", "sub", name="uq_users_pool_sub"),
        # ListUsers filters on cognito:user_status and status (enabled), results in user name order.
        Index("ix_users_pool_status", "pool_id", "status", "username_key"),
        Index("ix_users_pool_enabled", "pool_id", "enabled", "username_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(128))
    # The username as looked up: lower-cased when the pool's usernames are case-insensitive.
    username_key: Mapped[str] = mapped_column(String(128))
    sub: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    # What SRP needs, stored whenever the password is set: the password itself is never kept.
    srp_salt: Mapped[str | None] = mapped_column(String(64))
    srp_verifier: Mapped[str | None] = mapped_column(Text)
    password_set_at: Mapped[datetime | None]
    password_temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    # MFA: which factors are enabled, which is preferred, the TOTP secret once verified.
    mfa_sms_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    mfa_totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    mfa_email_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    mfa_preferred: Mapped[str | None] = mapped_column(String(32))
    totp_secret: Mapped[str | None] = mapped_column(String(128))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(128))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Lockout after repeated failed passwords.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    # Tokens issued before this instant are revoked (GlobalSignOut, AdminUserGlobalSignOut, ...).
    tokens_valid_after: Mapped[datetime | None]
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]

    attributes: Mapped[list[UserAttribute]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


def _lowered_value(context: Any) -> str | None:
    value = context.get_current_parameters().get("value")
    return value.lower() if isinstance(value, str) else value


class UserAttribute(Base):
    __tablename__ = "user_attributes"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_user_attributes_user_name"),
        # ListUsers filters: exact and prefix match of one attribute within a pool, results in value order.
        Index("ix_user_attributes_lookup", "pool_id", "name", "value_key", "user_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pool_id: Mapped[str] = mapped_column(String(55))
    name: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(Text)
    # The value lower-cased: ListUsers searches are case-insensitive. Filled in from ``value`` when not given.
    value_key: Mapped[str] = mapped_column(Text, default=_lowered_value, onupdate=_lowered_value)

    user: Mapped[User] = relationship(back_populates="attributes")


class UserAlias(Base):
    """A sign-in identifier other than the username, unique in its pool: a verified email or phone number
    (or a preferred_username) of an AliasAttributes pool, or the email/phone number that is the sign-in
    name in a pool with UsernameAttributes. ``key`` is lower-cased in case-insensitive pools."""

    __tablename__ = "user_aliases"
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # email, phone_number, preferred_username
    key: Mapped[str] = mapped_column(String(2048), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Group(Base):
    __tablename__ = "groups"
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)
    role_arn: Mapped[str | None] = mapped_column(String(2048))
    precedence: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]


class GroupMembership(Base):
    __tablename__ = "group_memberships"
    __table_args__ = (Index("ix_group_memberships_group", "pool_id", "group_name"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pool_id: Mapped[str] = mapped_column(String(55), primary_key=True)
    group_name: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime]


class Code(Base):
    """A one-time code the emulator sent: sign-up, forgot password, attribute verification, MFA, OTP."""

    __tablename__ = "codes"
    __table_args__ = (Index("ix_codes_user_purpose", "user_id", "purpose"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(String(55))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # E.g. the new value of an attribute waiting for verification.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Message(Base):
    """The outbox: every SMS and email Cognito would have sent."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_pool_user", "pool_id", "username"),
        Index("ix_messages_destination", "destination"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(String(55))
    username: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(8))  # EMAIL or SMS
    destination: Mapped[str] = mapped_column(String(2048))
    purpose: Mapped[str] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuthSession(Base):
    """An unfinished sign-in: the Session value a challenge hands out, stored only as its hash."""

    __tablename__ = "auth_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the session value
    pool_id: Mapped[str] = mapped_column(String(55), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    flow: Mapped[str] = mapped_column(String(64))
    challenge: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SigningKey(Base):
    """A pool's RSA key pair for RS256 tokens. Only the public half ever leaves the server (JWKS)."""

    __tablename__ = "signing_keys"
    kid: Mapped[str] = mapped_column(String(128), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    # "id" or "access": like Cognito, a pool signs its ID and access tokens with different keys.
    token_use: Mapped[str] = mapped_column(String(16), default="access")
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class SpareSigningKey(Base):
    """An RSA key pair made ahead of need and not yet any pool's (userpools.tokens.spare_keys): the next pool
    that needs a key takes one, so creating a pool does not wait for RSA key generation."""

    __tablename__ = "spare_signing_keys"
    kid: Mapped[str] = mapped_column(String(128), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class RefreshToken(Base):
    """An issued refresh token, stored only as its hash, tied to the sign-in it came from."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_origin", "origin_jti"),)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(String(55))
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    origin_jti: Mapped[str] = mapped_column(String(64))
    auth_time: Mapped[datetime]
    device_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # With rotation: when it was exchanged for a new one (it then works only for a grace period).
    rotated_at: Mapped[datetime | None]


class Device(Base):
    """A device of a user (device tracking): issued in NewDeviceMetadata, confirmed with its SRP verifier
    (ConfirmDevice), remembered or not (userpools.devices)."""

    __tablename__ = "devices"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    pool_id: Mapped[str] = mapped_column(String(55))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group_key: Mapped[str] = mapped_column(String(128))
    srp_salt: Mapped[str | None] = mapped_column(String(64))
    srp_verifier: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(1024))
    remembered: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
    last_authenticated_at: Mapped[datetime | None]
    # None while the key has only been handed out in NewDeviceMetadata; set by ConfirmDevice.
    confirmed_at: Mapped[datetime | None]


class UserPoolDomain(Base):
    """A pool's domain for the hosted pages and OAuth endpoints: a prefix or a custom domain (FQDN).

    The domain is the key: no two pools share one. A pool has at most one (the unique pool_id)."""

    __tablename__ = "user_pool_domains"
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    pool_id: Mapped[str] = mapped_column(
        ForeignKey("user_pools.id", ondelete="CASCADE"), unique=True, index=True
    )
    custom: Mapped[bool] = mapped_column(Boolean, default=False)
    # CustomDomainConfig (CertificateArn, SecurityPolicy) of a custom domain, in the API's shape.
    custom_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    managed_login_version: Mapped[int] = mapped_column(Integer, default=1)
    cloudfront_domain: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]


class ResourceServer(Base):
    """An OAuth 2.0 resource server of a pool: its identifier prefixes its custom scopes."""

    __tablename__ = "resource_servers"
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(256), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    # [{ScopeName, ScopeDescription}], in the API's shape and order.
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]


class UICustomization(Base):
    """The classic hosted UI's CSS and logo, for one app client or the whole pool (client_id "ALL")."""

    __tablename__ = "ui_customizations"
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    css: Mapped[str | None] = mapped_column(Text)
    css_version: Mapped[str | None] = mapped_column(String(64))
    # The logo as uploaded (bytes, base64 as the API carries it); the pages serve it.
    image_base64: Mapped[str | None] = mapped_column(Text)
    image_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]


class ManagedLoginBranding(Base):
    """The managed login (version 2) branding of one app client: a settings document and image assets."""

    __tablename__ = "managed_login_brandings"
    __table_args__ = (UniqueConstraint("pool_id", "client_id", name="uq_managed_login_brandings_client"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    use_cognito_provided_values: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # [{Category, ColorMode, Extension, Bytes (base64), ResourceId}], in the API's shape and order.
    assets: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
