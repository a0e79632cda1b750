"""An emulator in this process, for test suites and scripts: a real HTTP server on a free port, with a
throwaway database, and the helpers of ``EmulatorClient``.

    from emulator.testing import LocalEmulator

    with LocalEmulator(fixtures=["fixtures/signin-steps.yaml"]) as cognito:
        cognito.client.sign_up(ClientId=..., Username="alice", Password="Passw0rd!")
        code = cognito.last_code("alice")
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from emulator.config import Settings
from emulator.store.models import Base
from emulator.testing.client import EmulatorClient
from emulator.testing.server import ServerThread
from emulator.worlds import fixtures


class LocalEmulator(EmulatorClient):
    """Starts the emulator in a background thread; stop() (or the ``with`` block) ends it and deletes
    its database."""

    def __init__(
        self,
        *,
        fixtures: Iterable[str | Path] = (),
        amplify_outputs: str | Path | None = None,
        database: str | None = None,
        region: str = "us-east-1",
        host: str = "127.0.0.1",
        port: int = 0,
        **settings: Any,
    ) -> None:
        """``fixtures``: fixture files loaded at start and after every reset. ``database``: a SQLAlchemy URL
        (default: a SQLite file in a temporary directory, deleted by stop()). ``settings``: any other field
        of emulator.config.Settings (lockout, fixed_code, triggers, ...)."""
        self._tmpdir: str | None = None
        self._throwaway = database is None
        self._port = port
        self.settings = Settings(
            host=host,
            port=port,
            database=database or "",
            region=region,
            fixtures=[str(path) for path in fixtures],
            **({"amplify_outputs": str(amplify_outputs)} if amplify_outputs else {}),
            **settings,
        )
        self._server: ServerThread | None = None
        self._snapshot: dict[str, list[dict[str, Any]]] | None = None
        credentials = ("test", "test")
        if self.settings.iam_credentials:
            # The server verifies SigV4: sign with the first pair it knows.
            key, _, secret = self.settings.iam_credentials[0].partition(":")
            credentials = (key, secret)
        super().__init__(
            f"http://{host}:{port or 0}",
            region=region,
            admin_token=self.settings.admin_token,
            credentials=credentials,
        )

    # --- life cycle ----------------------------------------------------------------------------------
    def start(self) -> LocalEmulator:
        if self._server is None:
            self.settings.port = self._port  # 0: a free port, chosen again at every start
            if self._throwaway:
                # A new empty database for every start.
                self._tmpdir = tempfile.mkdtemp(prefix="cognito-emulator-")
                self.settings.database = f"sqlite:///{Path(self._tmpdir) / 'emulator.db'}"
            try:
                self._server = ServerThread(self.settings).start()
            except BaseException:
                self._remove_tmpdir()
                raise
            self.endpoint = self._server.endpoint
            self.__dict__.pop("client", None)  # a client made before start() points at no port
            if self._tmpdir is not None:
                # Only this object uses a throwaway database: its start-up state is what reset() restores.
                self._take_snapshot()
        return self

    @property
    def tls_endpoint(self) -> str | None:
        """With ``LocalEmulator(tls=True)``: the HTTPS listener's ``https://localhost:<port>`` (else None)."""
        return self._server.tls_endpoint if self._server is not None else None

    @property
    def ca_path(self) -> Path | None:
        """With ``tls=True``: the local CA's certificate, to trust (``NODE_EXTRA_CA_CERTS``, ``verify=``)."""
        return self._server.ca_path if self._server is not None else None

    def stop(self) -> None:
        self._snapshot = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._remove_tmpdir()

    def _remove_tmpdir(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> LocalEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def emulator(self) -> Any:
        """The in-process ``emulator.engine.core.Emulator`` (its database, settings and ``call``)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start() first")
        return self._server.emulator

    # --- faster in-process versions ------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the world as it was right after start: the start-up fixtures (and amplify outputs) and
        nothing else, the clock at real time. Milliseconds: the rows of that world were kept at start and
        are written back, instead of loading the fixture files again (which hashes every password and makes
        signing keys). With a database you gave, this is ``POST /_emulator/reset``: wipe, reload."""
        if self._snapshot is None:
            self.emulator.reset()
            return
        database = self.emulator.database
        with database.session() as session, session.begin():
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())
            for table in Base.metadata.sorted_tables:
                rows = self._snapshot.get(table.name)
                if rows:
                    session.execute(table.insert(), rows)

    def _take_snapshot(self) -> None:
        with self.emulator.database.session(write=False) as session:
            self._snapshot = {
                table.name: [dict(row._mapping) for row in session.execute(table.select())]
                for table in Base.metadata.sorted_tables
            }

    def load_fixture(self, path: str | Path) -> None:
        """Load a fixture file now (pools, clients, groups, users). It stays until the next reset; fixtures
        given to the constructor come back after every reset."""
        fixtures.load_file(self.emulator, path)
