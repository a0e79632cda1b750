"""Device operations: ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus, ForgetDevice and their Admin
forms. The rules (states, keys, views) are in ``emulator.userpools.devices``."""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import NotAuthorizedException, ResourceNotFoundException
from emulator.store.models import User, UserPool
from emulator.userpools import devices, pools, tokens, users
from emulator.userpools.operations import operation


def _token_user(ctx: Context, request: dict[str, Any]) -> tuple[UserPool, User]:
    access_token = request.get("AccessToken")
    if not access_token:
        raise NotAuthorizedException("Access Token has not been provided.")
    who = tokens.authenticate(ctx, access_token)
    devices.require_tracking(who.pool)
    return who.pool, who.user


def _admin_user(ctx: Context, request: dict[str, Any], *, unknown_user: str = "") -> tuple[UserPool, User]:
    """The pool and user of an Admin device operation. AdminGetDevice and AdminListDevices have no
    UserNotFoundException in the service model: there an unknown user is a ResourceNotFoundException."""
    pool = pools.get_pool(ctx, request["UserPoolId"])
    devices.require_tracking(pool)
    if unknown_user:
        found = users.find_user(ctx, pool, request["Username"])
        if found is None:
            raise ResourceNotFoundException(unknown_user)
        user = found
    else:
        user = users.get_user(ctx, pool, request["Username"])
    ctx.log["user"] = user.username
    return pool, user


@operation("ConfirmDevice")
def confirm_device(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _token_user(ctx, request)
    necessary = devices.confirm(
        ctx,
        pool,
        user,
        request["DeviceKey"],
        request.get("DeviceSecretVerifierConfig"),
        request.get("DeviceName"),
    )
    return {"UserConfirmationNecessary": necessary}


@operation("GetDevice", writes=False)
def get_device(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _token_user(ctx, request)
    device = devices.get(ctx, user, request["DeviceKey"], remembered_only=True)
    return {"Device": devices.view(ctx, pool, user, device)}


@operation("AdminGetDevice", writes=False)
def admin_get_device(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _admin_user(ctx, request, unknown_user="User does not exist.")
    device = devices.get(ctx, user, request["DeviceKey"])
    return {"Device": devices.view(ctx, pool, user, device)}


def _list(
    ctx: Context, pool: UserPool, user: User, request: dict[str, Any], *, admin: bool
) -> dict[str, Any]:
    rows, token = devices.listed(
        ctx, user, remembered_only=not admin, limit=request.get("Limit"), token=request.get("PaginationToken")
    )
    result: dict[str, Any] = {"Devices": [devices.view(ctx, pool, user, device) for device in rows]}
    if token is not None:
        result["PaginationToken"] = token
    return result


@operation("ListDevices", writes=False)
def list_devices(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _token_user(ctx, request)
    return _list(ctx, pool, user, request, admin=False)


@operation("AdminListDevices", writes=False)
def admin_list_devices(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _admin_user(ctx, request, unknown_user="User does not exist.")
    return _list(ctx, pool, user, request, admin=True)


@operation("UpdateDeviceStatus")
def update_device_status(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _, user = _token_user(ctx, request)
    device = devices.get(ctx, user, request["DeviceKey"])
    devices.set_status(ctx, device, request.get("DeviceRememberedStatus"))
    return {}


@operation("AdminUpdateDeviceStatus")
def admin_update_device_status(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _, user = _admin_user(ctx, request)
    device = devices.get(ctx, user, request["DeviceKey"])
    devices.set_status(ctx, device, request.get("DeviceRememberedStatus"))
    return {}


@operation("ForgetDevice")
def forget_device(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _, user = _token_user(ctx, request)
    devices.forget(ctx, devices.get(ctx, user, request["DeviceKey"]))
    return {}


@operation("AdminForgetDevice")
def admin_forget_device(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _, user = _admin_user(ctx, request)
    devices.forget(ctx, devices.get(ctx, user, request["DeviceKey"]))
    return {}
