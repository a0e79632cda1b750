"""The emulator for test suites and scripts (the pytest plugin, emulator.pytest_plugin, uses the same).

    LocalEmulator   an emulator in this process: a real HTTP server on a free port, a throwaway database
    EmulatorClient  the same helpers against any running emulator (``cognito-emulator serve``, Docker)
    EmulatorTestCase  a unittest.TestCase with one emulator per class, reset before every test
    ServerThread    the bare server thread underneath

Helpers: ``endpoint``, ``client`` (a ready cognito-idp client), ``identity_client`` (cognito-identity, the
identity pools), ``messages(username)``, ``last_code(username)``,
``totp_code(username or secret)``, ``advance_clock(seconds)``, ``set_clock(time)``, ``reset_clock()``,
``now()``, ``reset()``, ``users(pool_id)`` and, in process, ``load_fixture(path)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.testing.client import EmulatorClient, EmulatorError, NoCodeError
    from emulator.testing.local import LocalEmulator
    from emulator.testing.server import ServerThread
    from emulator.testing.testcase import EmulatorTestCase

# Imported on first use: the CLI's inspection commands need only the HTTP client, not the server.
_EXPORTS = {
    "EmulatorClient": "emulator.testing.client",
    "EmulatorError": "emulator.testing.client",
    "NoCodeError": "emulator.testing.client",
    "LocalEmulator": "emulator.testing.local",
    "ServerThread": "emulator.testing.server",
    "EmulatorTestCase": "emulator.testing.testcase",
}

__all__ = [
    "EmulatorClient",
    "EmulatorError",
    "EmulatorTestCase",
    "LocalEmulator",
    "NoCodeError",
    "ServerThread",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'emulator.testing' has no attribute {name!r}")
