"""The engine: ``Emulator.call`` runs one operation in one database transaction at the request's time.

It knows operations, not HTTP and not worlds.
"""

from emulator.engine.core import Emulator
from emulator.engine.reset import ResetHook

__all__ = ["Emulator", "ResetHook"]
