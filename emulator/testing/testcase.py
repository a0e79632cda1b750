"""unittest support: one emulator per test class, a fresh world before every test.

from emulator.testing import EmulatorTestCase

class SignUpTest(EmulatorTestCase):
    fixtures = ["fixtures/signin-steps.yaml"]

    def test_sign_up(self):
        self.cognito.client.sign_up(ClientId=..., Username="zoe", Password="Passw0rd!")
        self.assertEqual(len(self.cognito.last_code("zoe")), 6)
"""

from __future__ import annotations

import unittest
from typing import Any, ClassVar

from emulator.testing.local import LocalEmulator


class EmulatorTestCase(unittest.TestCase):
    """``self.cognito`` is a running LocalEmulator; every test starts from the start-up world."""

    #: Fixture files loaded at start and after every reset.
    fixtures: ClassVar[list[str]] = []
    #: Other Settings fields for the emulator (e.g. {"lockout": False}).
    emulator_settings: ClassVar[dict[str, Any]] = {}
    cognito: ClassVar[LocalEmulator]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.cognito = LocalEmulator(fixtures=cls.fixtures, **cls.emulator_settings).start()
        cls.addClassCleanup(cls.cognito.stop)

    def setUp(self) -> None:
        super().setUp()
        self.cognito.reset()
