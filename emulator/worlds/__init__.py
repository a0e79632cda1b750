"""Declared worlds: fixture files and Amplify Gen 2 outputs, which drive the engine from above.

Whoever starts an emulator plugs in the worlds its settings declare with ``install``; the engine never
imports them.
"""

from __future__ import annotations

from emulator.engine import Emulator
from emulator.worlds import amplify_outputs, fixtures


def install(emulator: Emulator, *, load_now: bool = True) -> Emulator:
    """Load the settings' ``--amplify-outputs`` file and ``--fixtures`` into ``emulator`` now (unless
    ``load_now`` is false: a worker process whose parent loaded them) and again after every reset."""
    settings = emulator.settings
    if settings.amplify_outputs:
        # Before the fixtures, which may add users to its pool.
        amplify_outputs.install(emulator, settings.amplify_outputs, load_now=load_now)
    if settings.fixtures:
        fixtures.install(emulator, settings.fixtures, load_now=load_now)
    if settings.amplify_outputs or settings.fixtures:
        # After the fixtures: a --trigger flag wins over a fixture file's mapping of the same function.
        emulator.apply_trigger_settings()
    return emulator
