"""Helpers for running the emulator inside a test process (used by this project's suite and, later,
by the pytest plugin)."""

from emulator.testing.server import ServerThread

__all__ = ["ServerThread"]
