"""Remembered devices (device tracking): the rules behind NewDeviceMetadata, ConfirmDevice and the device APIs.

A pool tracks devices when its DeviceConfiguration sets any field. A sign-in without a device key then hands
out a new key (``<region>_<uuid4>``) with the user's device group key; the client confirms it with the SRP
verifier of a random device password (ConfirmDevice), and later proves that password with DEVICE_SRP_AUTH
(userpools.signin.devices). A device is

- *issued*: the key was sent in NewDeviceMetadata, never confirmed (hidden from every API);
- ``not_remembered``: confirmed in a pool that remembers only on the user's prompt, or set so by
  UpdateDeviceStatus (the admin APIs show it, the user's own do not);
- ``remembered``: confirmed in an "always remember" pool, or set so by UpdateDeviceStatus;
- forgotten: deleted (ForgetDevice / AdminForgetDevice).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from emulator.clock import as_utc
from emulator.crypto import srp
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    DeviceKeyExistsException,
    InvalidParameterException,
    InvalidUserPoolConfigurationException,
    ResourceNotFoundException,
)
from emulator.store.models import Device, User, UserPool
from emulator.userpools import pools

NOT_FOUND = "Device does not exist."
INVALID_KEY = "Invalid device key given."
TRACKING_OFF = "Device tracking is not enabled for this user pool."
REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"
# Keys handed out but never confirmed are dropped after this long (a client that never confirms, such as
# one that never sends DEVICE_KEY, would otherwise collect one per sign-in).
UNCONFIRMED_LIFETIME = timedelta(days=1)
_BASE62 = string.digits + string.ascii_letters


# --- settings ----------------------------------------------------------------------------------------------
def configuration(pool: UserPool) -> dict[str, Any]:
    value = pool.config.get("DeviceConfiguration")
    return value if isinstance(value, dict) else {}


def tracking(pool: UserPool) -> bool:
    """Whether the pool tracks devices: its DeviceConfiguration sets any field."""
    return bool(configuration(pool))


def require_tracking(pool: UserPool) -> None:
    if not tracking(pool):
        raise InvalidUserPoolConfigurationException(TRACKING_OFF)


def only_on_prompt(pool: UserPool) -> bool:
    """DeviceOnlyRememberedOnUserPrompt: a confirmed device stays not_remembered until the user says so."""
    return bool(configuration(pool).get("DeviceOnlyRememberedOnUserPrompt"))


def skips_mfa(pool: UserPool) -> bool:
    """ChallengeRequiredOnNewDevice: MFA is asked on new devices only, so a remembered device skips it."""
    return bool(configuration(pool).get("ChallengeRequiredOnNewDevice"))


# --- keys ----------------------------------------------------------------------------------------------------
def _new_group_key() -> str:
    return "-" + "".join(secrets.choice(_BASE62) for _ in range(8))


def group_key_for(ctx: Context, user: User) -> str:
    """The user's device group key: the same for all the user's devices (a new one once all are gone)."""
    existing = ctx.db.scalar(select(Device.group_key).where(Device.user_id == user.id).limit(1))
    return existing or _new_group_key()


def issue(ctx: Context, pool: UserPool, user: User) -> Device:
    """A new device key for a sign-in that sent none: the NewDeviceMetadata of its tokens."""
    ctx.db.execute(
        delete(Device).where(
            Device.user_id == user.id,
            Device.confirmed_at.is_(None),
            Device.created_at < ctx.now - UNCONFIRMED_LIFETIME,
        )
    )
    device = Device(
        key=f"{pool.region}_{uuid.uuid4()}",
        pool_id=pool.id,
        user_id=user.id,
        group_key=group_key_for(ctx, user),
        srp_salt=None,
        srp_verifier=None,
        name=None,
        remembered=False,
        attributes={},
        created_at=ctx.now,
        modified_at=ctx.now,
        last_authenticated_at=ctx.now,
        confirmed_at=None,
    )
    ctx.db.add(device)
    return device


def new_device_metadata(device: Device) -> dict[str, str]:
    return {"DeviceKey": device.key, "DeviceGroupKey": device.group_key}


# --- lookups -------------------------------------------------------------------------------------------------
def find(ctx: Context, user: User, key: str | None) -> Device | None:
    """The user's confirmed device ``key``, or None (unknown, forgotten, another user's, never confirmed)."""
    if not isinstance(key, str) or not key:
        return None
    device = ctx.db.get(Device, key)
    if device is None or device.user_id != user.id or device.confirmed_at is None:
        return None
    return device


def exists(ctx: Context, user_id: int, key: str) -> bool:
    """Whether ``key`` is a device (issued or confirmed) of the user ``user_id``."""
    device = ctx.db.get(Device, key) if isinstance(key, str) else None
    return device is not None and device.user_id == user_id


def get(ctx: Context, user: User, key: str, *, remembered_only: bool = False) -> Device:
    """The user's confirmed device, or ResourceNotFoundException; the user's own APIs see remembered ones only."""
    device = find(ctx, user, key)
    if device is None or (remembered_only and not device.remembered):
        raise ResourceNotFoundException(NOT_FOUND)
    return device


def listed(
    ctx: Context, user: User, *, remembered_only: bool, limit: int | None, token: str | None
) -> tuple[list[Device], str | None]:
    """A page of the user's devices in key order, and the token of the next page."""
    size = limit or 60
    query = select(Device).where(Device.user_id == user.id, Device.confirmed_at.is_not(None))
    if remembered_only:
        query = query.where(Device.remembered.is_(True))
    if token is not None:
        query = query.where(Device.key > pools.decode_token(token))
    rows = list(ctx.db.scalars(query.order_by(Device.key).limit(size + 1)))
    if len(rows) > size:
        return rows[:size], pools.encode_token(rows[size - 1].key)
    return rows, None


# --- changes -------------------------------------------------------------------------------------------------
def confirm(
    ctx: Context,
    pool: UserPool,
    user: User,
    key: str,
    verifier_config: dict[str, Any] | None,
    name: str | None,
) -> bool:
    """ConfirmDevice: store the device's SRP verifier and salt; returns UserConfirmationNecessary."""
    device = ctx.db.get(Device, key)
    if device is None or device.user_id != user.id:
        raise InvalidParameterException(INVALID_KEY)
    if device.confirmed_at is not None:
        raise DeviceKeyExistsException("Device key already exists.")
    salt_hex, verifier_hex = _verifier(verifier_config)
    device.srp_salt, device.srp_verifier = salt_hex, verifier_hex
    device.name = name
    device.remembered = not only_on_prompt(pool)
    device.confirmed_at = device.modified_at = ctx.now
    touch(ctx, device)
    return only_on_prompt(pool)


# A salt's bytes (clients use 16); its padded hex must fit the stored column.
MAX_SALT_BYTES = 31


def _verifier(config: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(salt hex, verifier hex) from a DeviceSecretVerifierConfig: base64 of the padded hex values."""
    if not config:
        return None, None
    values = []
    for member in ("Salt", "PasswordVerifier"):
        given = config.get(member)
        try:
            raw = base64.b64decode(given or "", validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if not raw:
            raise InvalidParameterException(f"DeviceSecretVerifierConfig.{member} is not valid base64.")
        values.append(int.from_bytes(raw, "big"))
    salt, verifier = values
    if not 0 < salt < 2 ** (8 * MAX_SALT_BYTES):
        raise InvalidParameterException("DeviceSecretVerifierConfig.Salt is not valid.")
    if not 1 < verifier < srp.N:
        raise InvalidParameterException("DeviceSecretVerifierConfig.PasswordVerifier is not valid.")
    return srp.pad_hex(salt), srp.pad_hex(verifier)


def set_status(ctx: Context, device: Device, status: str | None) -> None:
    if status is not None:
        device.remembered = status == REMEMBERED
    device.modified_at = ctx.now


def touch(ctx: Context, device: Device) -> None:
    """The device was just used to sign in: its last-authenticated date and the caller's address."""
    device.last_authenticated_at = ctx.now
    ip = ctx.caller.get("ip")
    if isinstance(ip, str) and ip and device.attributes.get("last_ip_used") != ip:
        device.attributes = {**device.attributes, "last_ip_used": ip}


def forget(ctx: Context, device: Device) -> None:
    ctx.db.delete(device)


# --- views ---------------------------------------------------------------------------------------------------
def view(ctx: Context, pool: UserPool, user: User, device: Device) -> dict[str, Any]:
    """DeviceType."""
    owner = f"{user.username}.{pool.id}"
    attributes = [
        {"Name": "device_status", "Value": "valid"},
        {
            "Name": "dev:device_remembered_status",
            "Value": REMEMBERED if device.remembered else NOT_REMEMBERED,
        },
        {
            "Name": "dev:device_arn",
            "Value": f"arn:aws:cognito-idp:{pool.region}:{ctx.account_id}:owner/{owner}/device/{device.key}",
        },
        {"Name": "dev:device_owner", "Value": owner},
    ]
    if device.name:
        attributes.insert(1, {"Name": "device_name", "Value": device.name})
    if device.attributes.get("last_ip_used"):
        attributes.append({"Name": "last_ip_used", "Value": device.attributes["last_ip_used"]})
    result: dict[str, Any] = {
        "DeviceKey": device.key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": as_utc(device.created_at),
        "DeviceLastModifiedDate": as_utc(device.modified_at),
    }
    if device.last_authenticated_at is not None:
        result["DeviceLastAuthenticatedDate"] = as_utc(device.last_authenticated_at)
    return result
