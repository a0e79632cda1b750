"""Which user attributes the OIDC scopes of a token let out, in its ID token and at /oauth2/userInfo.

The developer guide (Scopes, M2M and resource servers; the userInfo endpoint): with ``openid`` and no other
OIDC scope, every attribute the app client can read; with ``profile``, ``email`` or ``phone`` besides, only
what those scopes cover: ``profile`` the OIDC profile attributes and custom attributes, ``email``
``email``/``email_verified``, ``phone`` ``phone_number``/``phone_number_verified``.
"""

from __future__ import annotations

from collections.abc import Collection

PROFILE = frozenset(
    {
        "name",
        "family_name",
        "given_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "updated_at",
    }
)
EMAIL = frozenset({"email", "email_verified"})
PHONE = frozenset({"phone_number", "phone_number_verified"})
OIDC_SCOPES = frozenset({"profile", "email", "phone"})


def allows(scopes: Collection[str], name: str) -> bool:
    """The attribute ``name`` may appear for a token with these scopes."""
    if not OIDC_SCOPES.intersection(scopes):
        return True
    if "profile" in scopes and (name in PROFILE or name.startswith("custom:")):
        return True
    if "email" in scopes and name in EMAIL:
        return True
    return "phone" in scopes and name in PHONE
