"""pytest plugin, registered through the ``pytest11`` entry point: installing the package is enough.

Fixtures:

``cognito_emulator`` (session)
    One emulator for the test session, started in a background thread on a free port with a throwaway
    SQLite database (and the configured fixture files). A ``LocalEmulator``: ``endpoint``, ``client`` (a ready
    cognito-idp client), ``messages(username)``, ``last_code(username)``, ``totp_code(username or secret)``,
    ``advance_clock(seconds)``, ``set_clock(time)``, ``now()``, ``reset()``, ``users()``, ``load_fixture(path)``.
``cognito`` (function)
    The same object, reset first: no pools, users, codes or messages but the start-up fixtures', and the
    clock back at real time. Use it in every test that should not see what earlier tests did.

Configuration (command line beats ini):

``--cognito-emulator-fixtures FILE`` (repeatable) / ini ``cognito_emulator_fixtures`` (one path per line,
relative to the ini file): fixture files loaded at start and after every reset.
``--cognito-emulator-amplify-outputs FILE`` / ini ``cognito_emulator_amplify_outputs``: an Amplify Gen 2
amplify_outputs.json whose pool and app client are created.
ini ``cognito_emulator_region``: the region of the client and of new pools (default us-east-1).

Under pytest-xdist every worker has its own emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.testing.local import LocalEmulator


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cognito-emulator", "Cognito emulator")
    group.addoption(
        "--cognito-emulator-fixtures",
        action="append",
        default=[],
        metavar="FILE",
        help="fixture file the cognito_emulator fixture loads at start and after every reset (repeatable)",
    )
    group.addoption(
        "--cognito-emulator-amplify-outputs",
        default=None,
        metavar="FILE",
        help="amplify_outputs.json whose user pool and app client the cognito_emulator fixture creates",
    )
    parser.addini(
        "cognito_emulator_fixtures",
        type="paths",
        default=[],
        help="fixture files for the cognito_emulator fixture (one per line, relative to this file)",
    )
    parser.addini(
        "cognito_emulator_amplify_outputs",
        type="paths",
        default=[],
        help="amplify_outputs.json for the cognito_emulator fixture (relative to this file)",
    )
    parser.addini("cognito_emulator_region", default="us-east-1", help="region of the emulator's client")


def _fixture_files(config: pytest.Config) -> list[Path]:
    given = [Path(path).resolve() for path in config.getoption("cognito_emulator_fixtures")]
    return given or [Path(path) for path in config.getini("cognito_emulator_fixtures")]


def _amplify_outputs(config: pytest.Config) -> Path | None:
    given = config.getoption("cognito_emulator_amplify_outputs")
    if given:
        return Path(given).resolve()
    from_ini = config.getini("cognito_emulator_amplify_outputs")
    return Path(from_ini[0]) if from_ini else None


@pytest.fixture(scope="session")
def cognito_emulator(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalEmulator]:
    """A Cognito emulator for the whole test session (see the module's documentation)."""
    config = request.config
    database = tmp_path_factory.mktemp("cognito-emulator") / "emulator.db"
    emulator = LocalEmulator(
        fixtures=_fixture_files(config),
        amplify_outputs=_amplify_outputs(config),
        database=f"sqlite:///{database}",
        region=config.getini("cognito_emulator_region") or "us-east-1",
    )
    with emulator:
        yield emulator


@pytest.fixture
def cognito(cognito_emulator: LocalEmulator) -> LocalEmulator:
    """The session's emulator, reset to the start-up world before this test."""
    cognito_emulator.reset()
    return cognito_emulator
