"""``serve --workers N``: N server processes forked from one that has already done the start-up work.

uvicorn's own workers are fresh interpreters that import everything again: with two of them the server took
1.3 s to answer its first health check on a quiet machine (3.5 s on a loaded one), against 0.7 s with one.
Here the parent opens the listening socket (before anything else: emulator.cli.listen), imports the emulator,
creates or upgrades the schema and loads the fixtures once, and then forks the workers: each serves within
milliseconds and shares the parent's memory pages until it writes to them. Every worker builds its own
database engine after the fork (connections must never cross a fork); all state is in the database, so any
worker answers any request.

The parent only supervises. SIGINT or SIGTERM stops every worker (uvicorn's graceful shutdown) and then the
parent; a parent that dies any other way (SIGKILL) takes its workers with it (emulator.http.parent_watch). A worker
that dies is replaced, unless it dies during its first seconds: a worker that cannot start would otherwise be
restarted forever, so then the server stops with an error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from emulator.http import parent_watch
from emulator.http.listeners import Listeners

log = logging.getLogger("emulator")

# A worker that exits within this many seconds of its start is taken to be unable to start at all.
START_GRACE_SECONDS = 3.0


def available() -> bool:
    return hasattr(os, "fork")


def serve(
    make_app: Callable[[], Any],
    workers: int,
    options: dict[str, Any],
    sock: socket.socket,
    *,
    tls: tuple[socket.socket, dict[str, Any]] | None = None,
) -> int:
    """Fork ``workers`` processes that each serve ``make_app()`` (called in the worker) with uvicorn
    ``options`` on the listening socket ``sock`` (and, with ``tls``, on its HTTPS socket with those SSL
    options: emulator.http.listeners); supervise them until a signal stops them. The exit status."""
    sockets = [sock] + ([tls[0]] if tls else [])
    listeners: list[dict[str, Any]] = [{}] + ([tls[1]] if tls else [])
    parent = os.getpid()
    started: dict[int, float] = {}
    stopping = False

    def start_worker() -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                # The parent's handlers first (a SIGTERM now must not run the parent's stop()), then the
                # parent-death signal, which is SIGTERM.
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                parent_watch.follow(parent)
                Listeners(make_app(), options, listeners).run(sockets=sockets)
                code = 0
            except BaseException:  # noqa: BLE001 - a worker reports and exits, never returns to the parent's loop
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        started[pid] = time.monotonic()

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for _ in range(workers):
        start_worker()
    status = 0
    while started:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        began = started.pop(pid, None)
        if began is None or stopping:
            continue
        code = os.waitstatus_to_exitcode(wait_status)
        if time.monotonic() - began < START_GRACE_SECONDS:
            log.error("worker %d exited at start-up (%s); stopping the server", pid, code)
            status = 1
            stop(signal.SIGTERM, None)
            continue
        log.warning("worker %d exited (%s); starting another", pid, code)
        start_worker()
    for each in sockets:
        each.close()
    return status
