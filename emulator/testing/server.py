"""Run the emulator's HTTP server in a background thread on a free port (and, with TLS, an HTTPS one)."""

from __future__ import annotations

import shutil
import socket
import ssl
import tempfile
import threading
import time
from pathlib import Path

from emulator import worlds
from emulator.config import Settings
from emulator.crypto import local_ca
from emulator.engine import Emulator
from emulator.http import tls as tls_setup
from emulator.http.app import create_app
from emulator.http.listeners import Listeners


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ServerThread:
    """A real HTTP server (uvicorn) around an Emulator, started and stopped from the calling thread.

    ``ServerThread(settings, tls=True)`` (or ``settings.tls``) adds the HTTPS listener on a free port
    (unless ``settings.tls_port`` names one other than the default) with the local CA's certificate, kept in
    ``settings.tls_dir`` or a temporary directory removed at stop: ``tls_endpoint`` is its base URL
    (``https://localhost:<port>``), ``ca_path`` the CA certificate to verify it with, ``ssl_context()`` an
    ``ssl.SSLContext`` that trusts only that CA (for ``httpx.Client(verify=...)``), ``spki_hash()`` the value of Chromium's
    ``--ignore-certificate-errors-spki-list`` (or trust ``ca_path``: ``NODE_EXTRA_CA_CERTS`` for Node).
    """

    def __init__(self, settings: Settings, *, tls: bool = False) -> None:
        if not settings.port:
            settings.port = free_port(settings.host)
        self._tmp: str | None = None
        self.ca_path: Path | None = None
        self.cert_path: Path | None = None
        listeners: list[dict[str, str]] = [{}]
        if tls or settings.tls:
            settings.tls = True
            if not settings.tls_port or settings.tls_port == Settings.tls_port:
                settings.tls_port = free_port(settings.host)
            if not settings.tls_dir and not settings.tls_cert:
                self._tmp = tempfile.mkdtemp(prefix="cognito-emulator-tls-")
                settings.tls_dir = self._tmp
            certificate = tls_setup.certificate(settings)
            self.ca_path = certificate.ca or certificate.cert
            self.cert_path = certificate.cert
            listeners.append(tls_setup.uvicorn_options(certificate))
        self.settings = settings
        self.emulator = worlds.install(Emulator(settings))
        options = {
            "host": settings.host,
            "log_level": "warning",
            "access_log": False,
            "lifespan": "off",
        }
        listeners[0]["port"] = settings.port  # type: ignore[assignment]
        if len(listeners) > 1:
            listeners[1]["port"] = settings.tls_port  # type: ignore[assignment]
        self.listeners = Listeners(create_app(emulator=self.emulator), options, listeners)
        # The plain listener's uvicorn server (its config.app is the server's ASGI app).
        self.server = self.listeners.servers[0]
        self.thread = threading.Thread(target=self.listeners.run, name="cognito-emulator", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    @property
    def tls_endpoint(self) -> str | None:
        """``https://localhost:<port>`` of the HTTPS listener, or None without TLS."""
        return f"https://localhost:{self.settings.tls_port}" if self.settings.tls else None

    def ssl_context(self) -> ssl.SSLContext:
        if self.ca_path is None:
            raise RuntimeError("this ServerThread has no HTTPS listener (start it with tls=True)")
        return ssl.create_default_context(cafile=str(self.ca_path))

    def spki_hash(self) -> str:
        """The server certificate's SPKI hash, for Chromium's ``--ignore-certificate-errors-spki-list``."""
        if self.cert_path is None:
            raise RuntimeError("this ServerThread has no HTTPS listener (start it with tls=True)")
        return local_ca.spki_hash(self.cert_path.read_bytes())

    def start(self, timeout: float = 10.0) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.listeners.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self.listeners.stop()
        self.thread.join(timeout=10)
        self.emulator.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
            self.settings.tls_dir = None  # a later ServerThread on these settings makes its own

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
