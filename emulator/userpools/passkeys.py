"""Passkeys (WebAuthn): the pool's relying party, registering credentials, and checking assertions.

Registration and assertion are verified by py_webauthn (the ``webauthn`` package): origin, RP id hash,
challenge, signature, user verification and sign count. What Cognito decides around it is here: which
origins a pool accepts, where its relying party comes from, which error type each failure is, and the
credentials' descriptions (ListWebAuthnCredentials).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import secrets
import urllib.parse
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
    UnsupportedPublicKeyType,
    WebAuthnException,
)

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
    WebAuthnChallengeNotFoundException,
    WebAuthnClientMismatchException,
    WebAuthnConfigurationMissingException,
    WebAuthnCredentialNotSupportedException,
    WebAuthnNotEnabledException,
    WebAuthnOriginNotAllowedException,
    WebAuthnRelyingPartyMismatchException,
)
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.store.models_webauthn import WebAuthnCredential, WebAuthnRegistration, WebAuthnUserSetting
from emulator.userpools import domains

# Passkeys one user may register (Cognito publishes no number; this is ListWebAuthnCredentials' page size).
MAX_CREDENTIALS = 20
# What StartWebAuthnRegistration tells the browser, and how long the emulator keeps its challenge.
REGISTRATION_TIMEOUT_MS = 60000
REGISTRATION_VALIDITY = timedelta(minutes=5)
# What a WEB_AUTHN challenge tells the browser (its challenge lives as long as the sign-in session).
ASSERTION_TIMEOUT_MS = 180000
# ES256 and RS256, the algorithms Cognito offers in pubKeyCredParams.
ALGORITHMS = [COSEAlgorithmIdentifier.ECDSA_SHA_256, COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256]
DEFAULT_NAME = "Passkey"
# The AuthenticatorTransport values of WebAuthn Level 3 (others a browser reports are not kept).
TRANSPORTS = ("usb", "nfc", "ble", "smart-card", "hybrid", "internal")
SINGLE_FACTOR = "SINGLE_FACTOR"
MULTI_FACTOR = "MULTI_FACTOR_WITH_USER_VERIFICATION"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


# --- the pool's settings ---------------------------------------------------------------------------------
def configuration(pool: UserPool) -> dict[str, Any]:
    """The pool's WebAuthnConfiguration with Cognito's defaults filled in."""
    return configuration_of(pool.config)


def configuration_of(config: dict[str, Any]) -> dict[str, Any]:
    stored = config.get("WebAuthnConfiguration") or {}
    return {
        **({"RelyingPartyId": stored["RelyingPartyId"]} if stored.get("RelyingPartyId") else {}),
        "UserVerification": stored.get("UserVerification") or "preferred",
        "FactorConfiguration": stored.get("FactorConfiguration") or SINGLE_FACTOR,
    }


def first_factors(pool: UserPool) -> list[str]:
    policies = pool.config.get("Policies") or {}
    return list((policies.get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or ["PASSWORD"])


def enabled(pool: UserPool) -> bool:
    return pool.config.get("UserPoolTier") != "LITE" and "WEB_AUTHN" in first_factors(pool)


def check_enabled(pool: UserPool) -> None:
    if not enabled(pool):
        raise WebAuthnNotEnabledException(
            "WebAuthn is not enabled for this user pool: add WEB_AUTHN to the allowed first auth factors."
        )


def relying_party_id(ctx: Context, pool: UserPool) -> str:
    """The RP id: the configured one, else the pool's domain; WebAuthnConfigurationMissingException without."""
    configured = configuration(pool).get("RelyingPartyId")
    if configured:
        return configured
    domain = domains.of_pool(ctx, pool)
    if domain is not None:
        return domain.domain if domain.custom else f"{domain.domain}.auth.{pool.region}.amazoncognito.com"
    raise WebAuthnConfigurationMissingException(
        "The user pool has no relying party ID: set WebAuthnConfiguration.RelyingPartyId or add a domain."
    )


def origin_allowed(ctx: Context, rp_id: str, origin: str) -> bool:
    """https://<rp id> and its subdomains, http://localhost on any port, and the --webauthn-origin list."""
    try:
        parts = urllib.parse.urlsplit(origin)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is not None and not parts.path and not parts.query and not parts.fragment and not parts.username:
        host = parts.hostname or ""
        if parts.scheme == "https" and (host == rp_id or host.endswith(f".{rp_id}")):
            return True
        if (
            parts.scheme == "http"
            and host == "localhost"
            and (port is not None or origin == "http://localhost")
        ):
            return True
    return any(
        fnmatch.fnmatchcase(origin, pattern.strip().rstrip("/"))
        for pattern in ctx.settings.webauthn_origins
        if pattern.strip()
    )


def user_verification_required(pool: UserPool) -> bool:
    return configuration(pool)["UserVerification"] == "required"


# --- users' credentials ----------------------------------------------------------------------------------
def credentials_of(ctx: Context, user: User) -> list[WebAuthnCredential]:
    query = select(WebAuthnCredential).where(WebAuthnCredential.user_id == user.id)
    return list(ctx.db.scalars(query.order_by(WebAuthnCredential.created_at, WebAuthnCredential.id)))


def has_credentials(ctx: Context, user: User) -> bool:
    query = select(func.count()).select_from(WebAuthnCredential)
    return bool(ctx.db.scalar(query.where(WebAuthnCredential.user_id == user.id)))


def describe(row: WebAuthnCredential) -> dict[str, Any]:
    """A WebAuthnCredentialDescription."""
    view: dict[str, Any] = {
        "CredentialId": row.credential_id,
        "FriendlyCredentialName": row.friendly_name,
        "RelyingPartyId": row.relying_party_id,
        "AuthenticatorTransports": list(row.transports or []),
        "CreatedAt": as_utc(row.created_at),
    }
    if row.attachment:
        view["AuthenticatorAttachment"] = row.attachment
    return view


def delete_credential(ctx: Context, user: User, credential_id: str) -> None:
    """Remove one of the user's passkeys; ResourceNotFoundException when the user has no such credential."""
    row = ctx.db.scalar(
        select(WebAuthnCredential).where(
            WebAuthnCredential.user_id == user.id, WebAuthnCredential.credential_id == credential_id
        )
    )
    if row is None:
        raise ResourceNotFoundException("The credential does not exist.")
    ctx.db.delete(row)


def mfa_enabled(ctx: Context, user: User) -> bool:
    setting = ctx.db.get(WebAuthnUserSetting, user.id)
    return bool(setting and setting.mfa_enabled)


def set_mfa_enabled(ctx: Context, user: User, value: bool) -> None:
    setting = ctx.db.get(WebAuthnUserSetting, user.id)
    if setting is None:
        setting = WebAuthnUserSetting(user_id=user.id, pool_id=user.pool_id, mfa_enabled=False)
        ctx.db.add(setting)
    setting.mfa_enabled = value


def add_credential(
    ctx: Context,
    pool: UserPool,
    user: User,
    *,
    credential_id: str,
    public_key: bytes,
    sign_count: int,
    rp_id: str,
    aaguid: str | None = None,
    attachment: str | None = None,
    transports: list[str] | None = None,
    user_verified: bool = True,
    created_at: datetime | None = None,
) -> WebAuthnCredential:
    """Store a verified credential (CompleteWebAuthnRegistration, or a fixture's software passkey)."""
    taken = ctx.db.scalar(
        select(WebAuthnCredential).where(
            WebAuthnCredential.pool_id == pool.id, WebAuthnCredential.credential_id == credential_id
        )
    )
    if taken is not None:
        raise InvalidParameterException("This credential is already registered.")
    if len(credentials_of(ctx, user)) >= MAX_CREDENTIALS:
        raise LimitExceededException(f"A user can register at most {MAX_CREDENTIALS} passkeys.")
    row = WebAuthnCredential(
        pool_id=pool.id,
        user_id=user.id,
        credential_id=credential_id,
        public_key=b64url(public_key),
        sign_count=sign_count,
        aaguid=aaguid,
        relying_party_id=rp_id,
        friendly_name=DEFAULT_NAME,
        attachment=attachment,
        transports=list(transports or []),
        user_verified=user_verified,
        created_at=created_at or ctx.now,
        last_used_at=None,
    )
    ctx.db.add(row)
    ctx.db.flush()
    return row


# --- registration ----------------------------------------------------------------------------------------
def start_registration(ctx: Context, pool: UserPool, client: UserPoolClient, user: User) -> dict[str, Any]:
    """The CredentialCreationOptions of StartWebAuthnRegistration; its challenge is kept for Complete."""
    check_enabled(pool)
    rp_id = relying_party_id(ctx, pool)
    existing = credentials_of(ctx, user)
    if len(existing) >= MAX_CREDENTIALS:
        raise LimitExceededException(f"A user can register at most {MAX_CREDENTIALS} passkeys.")
    challenge = b64url(secrets.token_bytes(16))
    verification = configuration(pool)["UserVerification"]
    pending = ctx.db.get(WebAuthnRegistration, user.id)
    if pending is None:
        pending = WebAuthnRegistration(user_id=user.id, pool_id=pool.id)
        ctx.db.add(pending)
    pending.client_id = client.id
    pending.challenge = challenge
    pending.relying_party_id = rp_id
    pending.user_verification = verification
    pending.expires_at = ctx.now + REGISTRATION_VALIDITY
    return {
        "rp": {"id": rp_id, "name": rp_id},
        "user": {"id": b64url(user.sub.encode()), "name": user.username, "displayName": ""},
        "challenge": challenge,
        "pubKeyCredParams": [{"type": "public-key", "alg": int(alg)} for alg in ALGORITHMS],
        "timeout": REGISTRATION_TIMEOUT_MS,
        "excludeCredentials": [{"type": "public-key", "id": row.credential_id} for row in existing],
        "authenticatorSelection": {
            "requireResidentKey": True,
            "residentKey": "required",
            "userVerification": verification,
        },
    }


def _client_data(response: Any) -> dict[str, Any]:
    """The clientDataJSON of a credential's response, decoded; InvalidParameterException when malformed."""
    raw = response.get("clientDataJSON") if isinstance(response, dict) else None
    if not isinstance(raw, str):
        raise InvalidParameterException("The credential has no response.clientDataJSON.")
    try:
        data = json.loads(from_b64url(raw))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidParameterException("The credential's clientDataJSON is not base64url JSON.") from None
    if not isinstance(data, dict):
        raise InvalidParameterException("The credential's clientDataJSON is not a JSON object.")
    return data


def complete_registration(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User, credential: Any
) -> WebAuthnCredential:
    """Verify a RegistrationResponseJSON against the pending challenge and store the new passkey."""
    check_enabled(pool)
    pending = ctx.db.get(WebAuthnRegistration, user.id)
    if pending is None or as_utc(pending.expires_at) <= ctx.now:
        raise WebAuthnChallengeNotFoundException("No registration challenge is pending for the user.")
    if pending.client_id != client.id:
        raise WebAuthnClientMismatchException(
            "The registration was started by another app client than the one completing it."
        )
    if not isinstance(credential, dict):
        raise InvalidParameterException("Credential must be a JSON object.")
    client_data = _client_data(credential.get("response"))
    if client_data.get("challenge") != pending.challenge:
        raise WebAuthnChallengeNotFoundException("The credential does not answer the pending challenge.")
    origin = client_data.get("origin")
    if not isinstance(origin, str) or not origin_allowed(ctx, pending.relying_party_id, origin):
        raise WebAuthnOriginNotAllowedException(f"The origin {origin} is not allowed for this user pool.")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=from_b64url(pending.challenge),
            expected_rp_id=pending.relying_party_id,
            expected_origin=origin,
            require_user_verification=pending.user_verification == "required",
            supported_pub_key_algs=ALGORITHMS,
        )
    except InvalidJSONStructure as exc:
        raise InvalidParameterException(f"Credential is malformed: {exc}") from None
    except InvalidRegistrationResponse as exc:
        raise _registration_error(str(exc)) from None
    except UnsupportedPublicKeyType:
        raise WebAuthnCredentialNotSupportedException("The credential's key type is not supported.") from None
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise InvalidParameterException(f"Credential is malformed: {exc}") from None
    # The challenge is spent, whatever follows.
    ctx.db.delete(pending)
    attachment = credential.get("authenticatorAttachment")
    transports = credential["response"].get("transports")
    if not isinstance(transports, list):
        transports = []
    return add_credential(
        ctx,
        pool,
        user,
        credential_id=b64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        rp_id=pending.relying_party_id,
        aaguid=verified.aaguid,
        attachment=attachment if attachment in ("platform", "cross-platform") else None,
        transports=[item for item in transports if item in TRANSPORTS],
        user_verified=verified.user_verified,
    )


def _registration_error(reason: str) -> Exception:
    if "RP ID hash" in reason:
        return WebAuthnRelyingPartyMismatchException("The credential was made for another relying party.")
    if "challenge" in reason:
        return WebAuthnChallengeNotFoundException("The credential does not answer the pending challenge.")
    if "origin" in reason:
        return WebAuthnOriginNotAllowedException("The credential's origin is not allowed for this user pool.")
    if "User verification" in reason:
        return WebAuthnCredentialNotSupportedException(
            "The user pool requires user verification, and the authenticator did not verify the user."
        )
    if "Unsupported" in reason or "attestation" in reason.lower():
        return WebAuthnCredentialNotSupportedException(f"The credential is not supported: {reason}")
    return InvalidParameterException(f"The credential could not be verified: {reason}")


# --- sign-in ---------------------------------------------------------------------------------------------
def request_options(ctx: Context, pool: UserPool, user: User, *, require_uv: bool) -> dict[str, Any]:
    """The CREDENTIAL_REQUEST_OPTIONS of a WEB_AUTHN challenge (a new challenge each time)."""
    rp_id = relying_party_id(ctx, pool)
    return {
        "hints": [],
        "attestation": "none",
        "attestationFormats": [],
        "challenge": b64url(secrets.token_bytes(16)),
        "timeout": ASSERTION_TIMEOUT_MS,
        "rpId": rp_id,
        "allowCredentials": [
            {"id": row.credential_id, "type": "public-key"}
            for row in credentials_of(ctx, user)
            if row.relying_party_id == rp_id
        ],
        "userVerification": "required" if require_uv else configuration(pool)["UserVerification"],
    }


class AssertionRefused(Exception):
    """A WEB_AUTHN answer that does not prove the passkey (the reason is for the log, not the client)."""


def verify_assertion(
    ctx: Context, user: User, credential_json: str, *, challenge: str, rp_id: str, require_uv: bool
) -> WebAuthnCredential:
    """Check an AuthenticationResponseJSON (a JSON string) for ``user``; AssertionRefused when it fails.

    A malformed CREDENTIAL is InvalidParameterException. On success the new sign count is saved."""
    try:
        credential = json.loads(credential_json)
    except ValueError:
        raise InvalidParameterException("CREDENTIAL is not JSON.") from None
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise InvalidParameterException("CREDENTIAL must be a JSON object with an id.")
    response = credential.get("response")
    client_data = _client_data(response)
    row = ctx.db.scalar(
        select(WebAuthnCredential).where(
            WebAuthnCredential.pool_id == user.pool_id,
            WebAuthnCredential.credential_id == credential["id"],
        )
    )
    if row is None or row.user_id != user.id:
        raise AssertionRefused("the credential is not one of the user's passkeys")
    handle = response.get("userHandle") if isinstance(response, dict) else None
    if handle and handle != b64url(user.sub.encode()):
        raise AssertionRefused("the user handle names another user")
    origin = client_data.get("origin")
    if not isinstance(origin, str) or not origin_allowed(ctx, rp_id, origin):
        raise AssertionRefused(f"the origin {origin} is not allowed")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=from_b64url(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=from_b64url(row.public_key),
            credential_current_sign_count=row.sign_count,
            require_user_verification=require_uv,
        )
    except InvalidJSONStructure as exc:
        raise InvalidParameterException(f"CREDENTIAL is malformed: {exc}") from None
    except (InvalidAuthenticationResponse, ValueError) as exc:
        raise AssertionRefused(str(exc)) from None
    except (WebAuthnException, TypeError, KeyError) as exc:
        raise InvalidParameterException(f"CREDENTIAL is malformed: {exc}") from None
    row.sign_count = verified.new_sign_count
    row.last_used_at = ctx.now
    return row
