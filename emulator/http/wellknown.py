"""``/{poolId}/.well-known/jwks.json`` and ``/{poolId}/.well-known/openid-configuration``; the identity
service's ``/cognito-identity/.well-known/jwks_uri`` and ``openid-configuration``.

Where Cognito publishes them, relative to the issuer (``<issuer>/.well-known/...``): with the default
issuers (``<public URL>/<pool id>``, ``<public URL>/cognito-identity``) standard verifiers find the keys by
themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from emulator.engine.core import Emulator
from emulator.identitypools import openid
from emulator.userpools import tokens


def _read(emulator: Emulator, build: Callable[[Any], dict[str, Any] | None]) -> dict[str, Any] | None:
    with emulator.database.session(write=False) as session, session.begin():
        return build(session)


async def _respond(request: Request, build: Callable[[Any], dict[str, Any] | None]) -> JSONResponse:
    emulator: Emulator = request.app.state.emulator
    pool_id = request.path_params["pool_id"]
    document = await run_in_threadpool(_read, emulator, build)
    if document is None:
        return JSONResponse(
            {"__type": "ResourceNotFoundException", "message": f"User pool {pool_id} does not exist."},
            status_code=404,
        )
    return JSONResponse(document)


async def jwks(request: Request) -> JSONResponse:
    pool_id = request.path_params["pool_id"]
    return await _respond(request, lambda session: tokens.jwks_document(session, pool_id))


async def openid_configuration(request: Request) -> JSONResponse:
    pool_id = request.path_params["pool_id"]
    settings = request.app.state.emulator.settings
    return await _respond(request, lambda session: tokens.openid_configuration(settings, session, pool_id))


async def identity_jwks(request: Request) -> JSONResponse:
    emulator: Emulator = request.app.state.emulator
    return JSONResponse(await run_in_threadpool(_read, emulator, openid.jwks_document))


async def identity_openid_configuration(request: Request) -> JSONResponse:
    return JSONResponse(openid.openid_configuration(request.app.state.emulator.settings))


routes = [
    Route(f"{openid.PATH}/.well-known/jwks_uri", identity_jwks, methods=["GET"]),
    Route(f"{openid.PATH}/.well-known/openid-configuration", identity_openid_configuration, methods=["GET"]),
    Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
    Route("/{pool_id}/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
]
