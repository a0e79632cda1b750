"""A forked worker ends when the server process that forked it dies, however it dies.

A parent stopped by SIGINT or SIGTERM stops its workers itself (emulator.http.prefork), but one killed with
SIGKILL, or crashing, cannot: its workers would go on serving the port and holding the database, a leak for
every container runtime, CI job or test harness that kills the process it started. So each worker
- asks Linux to send it SIGTERM the moment its parent dies (``prctl(PR_SET_PDEATHSIG)``), and
- runs a watchdog thread, the portable way and the deadline: once ``os.getppid()`` is no longer the
  parent (an orphan is adopted by init or a subreaper) it sends itself SIGTERM, uvicorn's graceful
  shutdown, and exits for good ``GRACE_SECONDS`` later whatever that shutdown is waiting for.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

POLL_SECONDS = 0.2
GRACE_SECONDS = 1.0
# From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1


def follow(parent: int) -> None:
    """In a newly forked worker: end this process when ``parent`` (the pid that forked it) is gone."""
    _ask_kernel(signal.SIGTERM)
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _ask_kernel(signum: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    # Best effort: without it (no libc found, a sandbox refusing prctl) the watchdog alone does the job.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)


def _watch(parent: int) -> None:
    # Also covers a parent that died between the fork and the prctl call above.
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    with contextlib.suppress(OSError):
        os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    os._exit(1)
