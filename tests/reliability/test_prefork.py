"""``serve --workers N`` (emulator.http.prefork): forked workers share one socket and one database, a worker that
dies is replaced, SIGTERM to the server alone stops every worker, and a worker that cannot start stops the
server instead of being restarted forever."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.load import EmulatorProcess, boto_client, make_pool

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not Path("/proc/self/task").exists(), reason="forked workers, read from /proc"
)


def workers_of(server: EmulatorProcess) -> set[int]:
    assert server.process is not None
    pid = server.process.pid
    try:
        return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except FileNotFoundError:
        return set()


def running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_workers_share_the_work_and_a_dead_worker_is_replaced(tmp_path: Path) -> None:
    with EmulatorProcess(f"sqlite:///{tmp_path / 'e.db'}", tmp_path / "server.log", workers=2) as server:
        wait_for(lambda: len(workers_of(server)) == 2)
        first = workers_of(server)
        pool = make_pool(server.endpoint, "prefork")
        cognito = boto_client(server.endpoint)
        # Let the workers pass their start-up grace period: this one is an ordinary crash.
        time.sleep(3.2)
        victim = sorted(first)[0]
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: bool(workers_of(server) - first) and len(workers_of(server)) == 2)
        assert victim not in workers_of(server)
        # Every worker (the survivor and the new one) sees what the others wrote.
        for number in range(20):
            cognito.admin_create_user(
                UserPoolId=pool.pool_id, Username=f"u{number}", MessageAction="SUPPRESS"
            )
        assert len(cognito.list_users(UserPoolId=pool.pool_id)["Users"]) == 20
        assert "starting another" in server.log()
        workers = workers_of(server)
    for worker in workers:
        wait_for(lambda worker=worker: not running(worker))


def test_sigterm_to_the_parent_alone_stops_every_worker(tmp_path: Path) -> None:
    server = EmulatorProcess(f"sqlite:///{tmp_path / 'e.db'}", tmp_path / "server.log", workers=2).start()
    try:
        wait_for(lambda: len(workers_of(server)) == 2)
        workers = workers_of(server)
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        for worker in workers:
            wait_for(lambda worker=worker: not running(worker))
    finally:
        server.kill()


@pytest.mark.parametrize("way", ["parent-death signal", "watchdog alone"])
def test_workers_end_with_a_parent_killed_by_sigkill(tmp_path: Path, monkeypatch, way: str) -> None:
    """A parent that cannot stop its workers (SIGKILL) still takes them with it (emulator.http.parent_watch): they
    would otherwise go on serving the port and holding the database. "watchdog alone" is the portable way,
    as on a system without prctl: the server runs with parent_watch's prctl call turned off."""
    if way == "watchdog alone":
        site = tmp_path / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(
            "from emulator.http import parent_watch\nparent_watch._ask_kernel = lambda signum: None\n"
        )
        root = Path(__file__).resolve().parents[2]
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(root)]))
    server = EmulatorProcess(f"sqlite:///{tmp_path / 'e.db'}", tmp_path / "server.log", workers=2).start()
    try:
        wait_for(lambda: len(workers_of(server)) == 2)
        workers = workers_of(server)
        assert server.process is not None
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        # The workers' deadline is about a second (parent_watch.GRACE_SECONDS); this bound only has to catch
        # workers that stay (they used to serve for as long as nobody killed them).
        for worker in workers:
            wait_for(lambda worker=worker: not running(worker), timeout=10)
        # The port is free again.
        with socket.create_server(("127.0.0.1", server.port)):
            pass
    finally:
        # Workers of a failed run: their process group outlives the parent.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)


def test_a_worker_that_cannot_start_stops_the_server(tmp_path: Path) -> None:
    """Every worker fails while making its app: the server stops with status 1 instead of restarting them."""
    script = (
        "import sys\n"
        "from emulator import cli\n"
        "from emulator.http import prefork\n"
        "real = prefork.serve\n"
        "def failing_app():\n"
        "    raise RuntimeError('this worker cannot start')\n"
        "prefork.serve = lambda make_app, workers, options, sock, **kw: real(failing_app, workers, options, sock, **kw)\n"
        f"sys.exit(cli.main(['serve', '--port', '0', '--database', 'sqlite:///{tmp_path / 'e.db'}', "
        "'--workers', '2']))\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        env={key: value for key, value in os.environ.items() if not key.startswith("COGNITO_EMULATOR_")},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "this worker cannot start" in output and "exited at start-up" in output
    assert time.monotonic() - started < 30
