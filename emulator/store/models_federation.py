"""Tables of federation: the identity providers a pool declares and the links of external identities to users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class IdentityProvider(Base):
    """CreateIdentityProvider: one external provider (Google, Facebook, LoginWithAmazon, SignInWithApple, OIDC, SAML).

    ``details`` holds ProviderDetails as Describe shows them (completed for the type); secrets Cognito never
    returns (Apple's private_key) are kept in ``secret_details``."""

    __tablename__ = "identity_providers"
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider_type: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret_details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attribute_mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idp_identifiers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]


class ProviderLink(Base):
    """An external identity joined to a user: made by a first federated sign-in (the user it created) or by
    AdminLinkProviderForUser / a PreSignUp_ExternalProvider link (an existing destination user).

    ``attribute_name`` is Cognito_Subject for the subject id, or a mapped attribute (SAML/OIDC) of the link."""

    __tablename__ = "provider_links"
    __table_args__ = (
        UniqueConstraint(
            "pool_id", "provider_name", "attribute_name", "attribute_value", name="uq_provider_links"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    provider_name: Mapped[str] = mapped_column(String(32))
    attribute_name: Mapped[str] = mapped_column(String(128))
    attribute_value: Mapped[str] = mapped_column(String(2048))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # True for links made by AdminLinkProviderForUser / PreSignUp (the user is not the provider's own user).
    linked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
