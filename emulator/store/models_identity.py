"""Cognito Identity (identity pools): pools, identities, the logins linked to them, the credentials issued to
them, and the identity service's own signing key for OpenID tokens.

Identities and logins are rows so that an identity id stays the same for the same login across restarts
and workers; a DeleteIdentityPool (or a reset) removes all of a pool's rows through ``ondelete="CASCADE"``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class IdentityPool(Base):
    __tablename__ = "identity_pools"
    id: Mapped[str] = mapped_column(String(55), primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128), index=True)
    # The pool's settings in the API's own shape: AllowUnauthenticatedIdentities, AllowClassicFlow,
    # SupportedLoginProviders, DeveloperProviderName, OpenIdConnectProviderARNs, CognitoIdentityProviders,
    # SamlProviderARNs.
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SetIdentityPoolRoles: {"authenticated": arn, "unauthenticated": arn} and the RoleMappings map.
    roles: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    role_mappings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SetPrincipalTagAttributeMap: provider name -> {"UseDefaults": bool, "PrincipalTags": {...}}.
    principal_tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]


class Identity(Base):
    __tablename__ = "identities"
    __table_args__ = (Index("ix_identities_pool_created", "pool_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(String(55), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("identity_pools.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]


class IdentityLogin(Base):
    """One login linked to an identity: a provider (as the pool names it) and the user it names there (a
    user pool's ``sub``, a developer user identifier)."""

    __tablename__ = "identity_logins"
    __table_args__ = (UniqueConstraint("pool_id", "provider", "subject", name="uq_identity_logins_subject"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("identity_pools.id", ondelete="CASCADE"))
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(1024))
    # "developer" for a developer provider's user identifiers, "token" for logins proven by a token.
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class IssuedCredentials(Base):
    """Credentials GetCredentialsForIdentity handed out. The secret is kept as it is: a SigV4 signature can
    only be checked with it (--iam-credentials accepts these); the session token only as its SHA-256."""

    __tablename__ = "identity_credentials"
    access_key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    secret_key: Mapped[str] = mapped_column(String(64))
    session_token_hash: Mapped[str] = mapped_column(String(64))
    role_arn: Mapped[str] = mapped_column(String(2048))
    expires_at: Mapped[datetime]


class IdentitySigningKey(Base):
    """The identity service's RSA key for OpenID tokens (GetOpenIdToken), published as its JWKS."""

    __tablename__ = "identity_signing_keys"
    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
