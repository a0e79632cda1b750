"""Serving one app on several listening sockets with uvicorn in one process: the plain HTTP port and, with
``--tls``, the HTTPS port (a uvicorn server has one SSL setting, so each listener is a server of its own).

The first server is the leader: it catches SIGINT/SIGTERM (uvicorn's graceful shutdown) and tells the others
to stop too; when any of them stops, all do. Used by ``serve`` with one worker, by every forked worker
(emulator.http.prefork) and by ServerThread.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn


class _Follower(uvicorn.Server):
    """A server that leaves the signals to the leader."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _Leader(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.followers: list[uvicorn.Server] = []

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        for follower in self.followers:
            follower.should_exit = True
            follower.force_exit = self.force_exit


class Listeners:
    """``Listeners(app, options, [ssl options of each listener])``; ``servers[0]`` is the plain one."""

    def __init__(self, app: Any, options: dict[str, Any], listeners: list[dict[str, Any]]) -> None:
        leader = _Leader(uvicorn.Config(app, **options, **listeners[0]))
        leader.followers = [_Follower(uvicorn.Config(app, **options, **extra)) for extra in listeners[1:]]
        self.servers: list[uvicorn.Server] = [leader, *leader.followers]

    @property
    def started(self) -> bool:
        return all(server.started for server in self.servers)

    def stop(self) -> None:
        for server in self.servers:
            server.should_exit = True

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        tasks = [
            asyncio.ensure_future(server.serve(sockets=[sockets[index]] if sockets else None))
            for index, server in enumerate(self.servers)
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.stop()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            error = task.exception()
            if error is not None:
                raise error

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        with asyncio.Runner(loop_factory=self.servers[0].config.get_loop_factory()) as runner:
            runner.run(self.serve(sockets))
