"""The registry of API operations: one function per Cognito operation, named after it.

Modules in this package register their functions with ``@operation("CreateUserPool")``; ``load_all``
imports every module of the package, so adding an area means adding a module and nothing else.
An operation takes ``(ctx, request)`` and returns the response dict or raises a CognitoError.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.protocol.context import Context

Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    # Read-only operations skip the write lock (SQLite's BEGIN IMMEDIATE).
    writes: bool
    # For a writing operation: requests that usually only read (e.g. InitiateAuth with a refresh token).
    # Those are first tried as readers, without the write lock (see store.write_lock and Emulator.call).
    read_first: Callable[[dict[str, Any]], bool] | None = None


REGISTRY: dict[str, Operation] = {}


def operation(
    name: str, *, writes: bool = True, read_first: Callable[[dict[str, Any]], bool] | None = None
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise RuntimeError(f"operation {name} registered twice")
        REGISTRY[name] = Operation(name, handler, writes, read_first)
        return handler

    return register


_loaded = False


def load_all() -> dict[str, Operation]:
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return REGISTRY
