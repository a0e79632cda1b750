"""Tokens: per-pool signing keys, the JWTs Cognito issues, refresh tokens, verification and revocation.

Facts this module follows (AWS developer guide, "Understanding the ID/access token", "Refresh tokens",
"Revoking tokens"):
- Each pool has its own RSA-2048 keys; ID and access tokens are signed with *different* keys (so the
  ``kid`` of an ID token never equals that of an access token of the same session). Both public keys are
  published at ``<issuer>/.well-known/jwks.json``. Headers carry only ``kid`` and ``alg`` (RS256).
- ``origin_jti`` and ``jti`` are only present when the app client has token revocation enabled (the
  default); Amplify only calls RevokeToken on sign-out when the access token has ``origin_jti``.
- Refresh tokens are opaque (Cognito's have the 5-segment shape of a JWE); only their SHA-256 is stored.
  With refresh token rotation the replaced token keeps working for RetryGracePeriodSeconds, and the new
  token expires when the one it replaced would have.

All state is in the database (``signing_keys``, ``refresh_tokens``, ``users.tokens_valid_after``); the
only thing kept in the process is the parsed form of key material, cached by ``kid`` (a kid names one key pair for
good: a new key's is a digest of its public key, a recycled one's is new, so a cached entry can never be stale).
"""

from emulator.userpools.tokens.keys import (
    TOKEN_USES,
    LoadedKey,
    ensure_signing_key,
    issuer,
    issuer_for,
    jwks_document,
    jwks_uri,
    openid_configuration,
    retire_keys,
)
from emulator.userpools.tokens.messages import (
    ACCESS_TOKEN_EXPIRED,
    ACCESS_TOKEN_REVOKED,
    INVALID_ACCESS_TOKEN,
    INVALID_REFRESH_TOKEN,
    REFRESH_TOKEN_EXPIRED,
    REFRESH_TOKEN_REVOKED,
    USER_DISABLED,
)
from emulator.userpools.tokens.minting import (
    ACCESS_TOKEN_SCOPE,
    UnsignedToken,
    revocation_enabled,
    sign_pending,
)
from emulator.userpools.tokens.refresh_tokens import (
    issue_tokens,
    refresh,
    revoke_all,
    revoke_refresh_token,
    rotation_settings,
    token_hash,
)
from emulator.userpools.tokens.spare_keys import recycle as recycle_keys
from emulator.userpools.tokens.verify import AccessTokenContext, authenticate, looks_like_jwt

__all__ = [
    "ACCESS_TOKEN_EXPIRED",
    "ACCESS_TOKEN_REVOKED",
    "ACCESS_TOKEN_SCOPE",
    "INVALID_ACCESS_TOKEN",
    "INVALID_REFRESH_TOKEN",
    "REFRESH_TOKEN_EXPIRED",
    "REFRESH_TOKEN_REVOKED",
    "TOKEN_USES",
    "USER_DISABLED",
    "AccessTokenContext",
    "LoadedKey",
    "UnsignedToken",
    "authenticate",
    "ensure_signing_key",
    "issue_tokens",
    "issuer",
    "issuer_for",
    "jwks_document",
    "jwks_uri",
    "looks_like_jwt",
    "openid_configuration",
    "recycle_keys",
    "refresh",
    "retire_keys",
    "revocation_enabled",
    "revoke_all",
    "revoke_refresh_token",
    "rotation_settings",
    "sign_pending",
    "token_hash",
]
