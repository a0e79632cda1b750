"""The ``cognito-emulator`` command: ``serve`` and the commands that inspect a running emulator."""

from emulator.cli.commands import main

__all__ = ["main"]
