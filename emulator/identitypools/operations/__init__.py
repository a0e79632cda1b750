"""The registry of Cognito Identity's API operations: one function per operation, named after it.

The same ``Operation`` records as the user pools' registry, in a registry of its own (both services have a
TagResource). ``load_all`` imports every module of the package.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from emulator.userpools.operations import Handler, Operation

REGISTRY: dict[str, Operation] = {}


def operation(name: str, *, writes: bool = True) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise RuntimeError(f"operation {name} registered twice")
        REGISTRY[name] = Operation(name, handler, writes)
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
