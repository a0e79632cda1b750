"""Run the emulator's HTTP server in a background thread on a free port."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from emulator import worlds
from emulator.config import Settings
from emulator.engine import Emulator
from emulator.http.app import create_app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ServerThread:
    """A real HTTP server (uvicorn) around an Emulator, started and stopped from the calling thread."""

    def __init__(self, settings: Settings) -> None:
        if not settings.port:
            settings.port = free_port(settings.host)
        self.settings = settings
        self.emulator = worlds.install(Emulator(settings))
        config = uvicorn.Config(
            create_app(emulator=self.emulator),
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="cognito-emulator", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.emulator.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
