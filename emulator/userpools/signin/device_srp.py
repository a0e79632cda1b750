"""DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER: a remembered device proves its secret with SRP.

The arithmetic is the user SRP's (crypto.srp) with the device group key as the realm, the device key as the
identity and the device's random password behind the verifier ConfirmDevice stored. The answers:

- DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A} -> DEVICE_PASSWORD_VERIFIER {SRP_B, SALT, SECRET_BLOCK,
  USERNAME, DEVICE_KEY};
- DEVICE_PASSWORD_VERIFIER {USERNAME, DEVICE_KEY, PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE,
  TIMESTAMP} -> MFA (unless ChallengeRequiredOnNewDevice) or tokens.

pycognito sends both without a Session: DEVICE_SRP_AUTH is then matched to the live DEVICE_SRP_AUTH session
of the same client, user and device (one exists only after the password was proven, for PENDING_FRESHNESS),
and DEVICE_PASSWORD_VERIFIER finds its session through the SECRET_BLOCK, as PASSWORD_VERIFIER does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from emulator.clock import as_utc
from emulator.crypto import srp
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from emulator.store.models import AuthSession, Device, UserPool, UserPoolClient
from emulator.userpools import devices, users
from emulator.userpools.signin import factors, sessions
from emulator.userpools.signin.devices import SENT, VERIFIED
from emulator.userpools.signin.factors import INCORRECT, require
from emulator.userpools.signin.outcomes import Challenge, Outcome

if TYPE_CHECKING:
    from emulator.userpools.signin.challenges import Step

# How long after the password step a DEVICE_SRP_AUTH without Session may still pick up its session.
PENDING_FRESHNESS = timedelta(seconds=60)


def pending_session(
    ctx: Context, pool: UserPool, client: UserPoolClient, responses: dict[str, Any]
) -> AuthSession:
    """The DEVICE_SRP_AUTH session a Session-less answer continues, or the expired-session error."""
    key, login = responses.get("DEVICE_KEY"), responses.get("USERNAME")
    user = users.find_user(ctx, pool, login) if isinstance(login, str) and login else None
    if user is None or not isinstance(key, str) or not key:
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    candidates = ctx.db.scalars(
        select(AuthSession)
        .where(
            AuthSession.client_id == client.id,
            AuthSession.user_id == user.id,
            AuthSession.challenge == "DEVICE_SRP_AUTH",
            AuthSession.used_at.is_(None),
        )
        .with_for_update()
    )
    for session in candidates:
        fresh = ctx.now < min(as_utc(session.expires_at), as_utc(session.created_at) + PENDING_FRESHNESS)
        if fresh and session.state.get(SENT) == key:
            return session
    raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)


def _device_of(ctx: Context, step: Step) -> Device:
    """The remembered device this answer names: the one the password step approved, with a verifier."""
    user = step.user
    if user is None:
        raise NotAuthorizedException(INCORRECT)
    factors.check_can_sign_in(ctx, user)
    key = require(step.responses, "DEVICE_KEY")
    device = devices.find(ctx, user, key)
    if device is None:
        raise ResourceNotFoundException(devices.NOT_FOUND)
    if key != step.state.get(SENT) or not device.remembered or not device.srp_verifier:
        raise NotAuthorizedException(INCORRECT)
    return device


def device_srp_auth(ctx: Context, step: Step, carried: dict[str, Any]) -> Outcome:
    device = _device_of(ctx, step)
    srp_a = require(step.responses, "SRP_A")
    try:
        a_value = srp.parse_hex_int(srp_a, "SRP_A")
    except ValueError:
        raise InvalidParameterException("SRP_A is not a valid hexadecimal number.") from None
    if a_value % srp.N == 0:
        raise NotAuthorizedException(INCORRECT)
    b_hex, big_b = srp.new_server_ephemeral(device.srp_verifier)
    assert step.user is not None
    parameters = {
        "SRP_B": big_b,
        "SALT": device.srp_salt,
        "USERNAME": step.user.username,
        "DEVICE_KEY": device.key,
    }
    state = {
        **carried,
        SENT: device.key,
        "device_srp_a": srp_a,
        "device_srp_b_secret": b_hex,
        "device_srp_verifier": device.srp_verifier,
    }
    return Challenge("DEVICE_PASSWORD_VERIFIER", parameters, step.user, state)


def device_password_verifier(ctx: Context, step: Step, carried: dict[str, Any]) -> Outcome:
    timestamp = require(step.responses, "TIMESTAMP")
    signature = require(step.responses, "PASSWORD_CLAIM_SIGNATURE")
    claimed_block = require(step.responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    try:
        when = srp.parse_timestamp(timestamp)
    except ValueError:
        raise InvalidParameterException(
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
        ) from None
    device = _device_of(ctx, step)
    state = step.state
    valid = False
    if claimed_block == sessions.secret_block_for(step.session_value) and (
        abs(as_utc(when) - ctx.now) <= factors.TIMESTAMP_TOLERANCE
    ):
        try:
            valid = srp.verify_password_claim(
                pool_name=device.group_key,
                user_id_for_srp=device.key,
                salt_hex=device.srp_salt or "00",
                verifier_hex=state["device_srp_verifier"],
                b_hex=state["device_srp_b_secret"],
                A_hex=state["device_srp_a"],
                secret_block_b64=claimed_block,
                timestamp=srp.format_timestamp(when),
                signature_b64=signature,
            )
        except (ValueError, KeyError):
            valid = False
    if not valid:
        sessions.record_failed_answer(ctx, step.session)
        raise NotAuthorizedException(INCORRECT)
    devices.touch(ctx, device)
    assert step.user is not None
    proven = {**carried, SENT: device.key, VERIFIED: device.key}
    if carried.get("flow") == "CUSTOM_AUTH":
        return factors.finish(ctx, step.pool, step.client, step.user, proven)
    return factors.second_factor_or_tokens(ctx, step.pool, step.client, step.user, proven)
