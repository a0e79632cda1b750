"""Where a device key changes a sign-in (the steps themselves are in ``device_srp``).

After the first factor, a DEVICE_KEY the client sent (in AuthParameters, or in the answer that proved the
password) must name a confirmed device of the user, else ResourceNotFoundException "Device does not exist."
(Amplify clears its device and sends the same answer again, so the error uses up nothing). A remembered
device with a verifier is then proven by DEVICE_SRP_AUTH; once it is, MFA is skipped when the pool's
ChallengeRequiredOnNewDevice says so. Tokens carry the device's key; a sign-in that sent no key gets a new
one in NewDeviceMetadata. A key alone never skips anything: these checks run only after the first factor.
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import ResourceNotFoundException
from emulator.store.models import AuthSession, User, UserPool
from emulator.userpools import devices
from emulator.userpools.signin.outcomes import Challenge

# The state keys: the key the client named, and the key proven by device SRP in this sign-in.
SENT = "device_key"
VERIFIED = "device_verified"
DEVICE_CHALLENGES = ("DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER")


def check_sent(ctx: Context, pool: UserPool, user: User | None, key: str | None) -> None:
    """A DEVICE_KEY is checked at the step that carries it (Amplify retries that very step without it)."""
    if key and user is not None and devices.tracking(pool) and devices.find(ctx, user, key) is None:
        raise ResourceNotFoundException(devices.NOT_FOUND)


def take_sent_key(
    ctx: Context,
    pool: UserPool,
    session: AuthSession,
    user: User | None,
    challenge: str,
    responses: dict[str, Any],
) -> None:
    """A DEVICE_KEY in a challenge answer is the device this sign-in is for (the device steps check theirs)."""
    key = responses.get("DEVICE_KEY")
    if isinstance(key, str) and key and challenge not in DEVICE_CHALLENGES:
        check_sent(ctx, pool, user, key)
        session.state = {**session.state, SENT: key}


def before_mfa(
    ctx: Context, pool: UserPool, user: User, state: dict[str, Any]
) -> tuple[Challenge | None, bool]:
    """After the first factor: (DEVICE_SRP_AUTH when a remembered device is to be proven, MFA skipped)."""
    if not devices.tracking(pool):
        return None, False
    if state.get(VERIFIED):
        return None, devices.skips_mfa(pool)
    key = state.get(SENT)
    if not key:
        return None, False
    device = devices.find(ctx, user, key)
    if device is None:
        raise ResourceNotFoundException(devices.NOT_FOUND)
    if device.remembered and device.srp_verifier:
        return Challenge("DEVICE_SRP_AUTH", {"USERNAME": user.username}, user, {**state, SENT: key}), False
    return None, False


def at_finish(
    ctx: Context, pool: UserPool, user: User, state: dict[str, Any]
) -> tuple[str | None, dict[str, str] | None]:
    """(the device key for the tokens, NewDeviceMetadata) of a completed sign-in."""
    if not devices.tracking(pool):
        return None, None
    if state.get(VERIFIED):
        return state[VERIFIED], None
    key = state.get(SENT)
    if key:
        if devices.find(ctx, user, key) is None:
            raise ResourceNotFoundException(devices.NOT_FOUND)
        return key, None
    device = devices.issue(ctx, pool, user)
    return device.key, devices.new_device_metadata(device)
