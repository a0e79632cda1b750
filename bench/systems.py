"""The three systems under test: install each into a work directory, start it, wait until it answers, stop it.

Every system listens on 127.0.0.1 only. Processes are started in their own session so that stopping one
ends exactly the processes this script started (a uvicorn supervisor and its workers, or node), by id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MOTO_VERSION = "5.2.5"
COGNITO_LOCAL_VERSION = "5.3.0"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd: list[str], cwd: Path | None = None, log: Path | None = None) -> None:
    print(f"  $ {' '.join(cmd)}", flush=True)
    with open(log or os.devnull, "ab") as out:
        subprocess.run(cmd, cwd=cwd, check=True, stdout=out, stderr=subprocess.STDOUT)


def rss_kib(pid: int, pss: bool = False) -> int:
    """Resident memory of a process and all its descendants, in KiB (from /proc).

    RSS counts a page shared by several processes (forked workers share their parent's) once per process;
    PSS (``pss=True``) divides it between them, so that the sum is the memory the processes really take."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        source, key = (
            (f"/proc/{current}/smaps_rollup", "Pss:") if pss else (f"/proc/{current}/status", "VmRSS:")
        )
        try:
            for line in Path(source).read_text().splitlines():
                if line.startswith(key):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


@dataclass
class System:
    """One system under test. Subclasses say how to install, start and probe it."""

    name: str
    work: Path
    port: int = 0
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- to be provided -----------------------------------------------------------------------------
    def install(self) -> None:
        raise NotImplementedError

    def command(self) -> tuple[list[str], Path, dict[str, str]]:
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError

    def ready(self) -> bool:
        """True once the system answers its health request."""
        raise NotImplementedError

    health_description = ""

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> float:
        """Start the system and return the seconds from process start to its first healthy answer."""
        if not self.port:
            self.port = free_port()
        cmd, cwd, env = self.command()
        log_path = self.work / f"{self.name}.log"
        self.started_at = time.perf_counter()
        with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                cmd,
                cwd=cwd,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {log_path}")
            if self.ready():
                return time.perf_counter() - self.started_at
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} was not healthy within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        self.process = None

    def memory(self) -> dict[str, float]:
        """{"rss": MiB, "pss": MiB} of the system's processes."""
        assert self.process is not None
        return {
            "rss": rss_kib(self.process.pid) / 1024,
            "pss": rss_kib(self.process.pid, pss=True) / 1024,
        }

    # -- helpers ------------------------------------------------------------------------------------
    def _get_ok(self, path: str) -> bool:
        try:
            with urllib.request.urlopen(self.endpoint + path, timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False


class Emulator(System):
    """This repository's emulator, run from the checkout with the Python running this script."""

    health_description = "GET /_emulator/health answers 200"

    def __init__(self, work: Path, workers: int | None, name: str = "emulator") -> None:
        super().__init__(name, work)
        self.workers = workers
        self.database = work / name / "emulator.db"

    def install(self) -> None:
        self.database.parent.mkdir(parents=True, exist_ok=True)

    def fresh_database(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.database) + suffix).unlink(missing_ok=True)

    def command(self) -> tuple[list[str], Path, dict[str, str]]:
        cmd = [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--port",
            str(self.port),
            "--database",
            f"sqlite:///{self.database}",
            "--log-level",
            "warning",
        ]
        if self.workers is not None:
            cmd += ["--workers", str(self.workers)]
        cmd += self.extra.get("args", [])  # e.g. --fixtures for the reset measurement
        return cmd, REPO, {"PYTHONPATH": str(REPO)}

    def version(self) -> str:
        sys.path.insert(0, str(REPO))
        from emulator import __version__

        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "emulator"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        workers = f", --workers {self.workers}" if self.workers is not None else ", default workers"
        return f"{__version__} ({commit}{' + local changes' if dirty else ''}{workers})"

    def ready(self) -> bool:
        return self._get_ok("/_emulator/health")


class Moto(System):
    """moto's server mode (``moto[server]`` from PyPI) in a virtualenv of its own."""

    health_description = "POST / ListUserPools answers 200"

    def __init__(self, work: Path) -> None:
        super().__init__("moto", work)
        self.venv = work / "moto-venv"

    def install(self) -> None:
        if (self.venv / "bin" / "moto_server").exists():
            return
        print(f"installing moto[server]=={MOTO_VERSION} into {self.venv}", flush=True)
        run([sys.executable, "-m", "venv", str(self.venv)])
        run(
            [str(self.venv / "bin" / "pip"), "install", "--quiet", f"moto[server]=={MOTO_VERSION}"],
            log=self.work / "moto-install.log",
        )

    def command(self) -> tuple[list[str], Path, dict[str, str]]:
        (self.work / "moto-run").mkdir(exist_ok=True)
        return (
            [str(self.venv / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            self.work / "moto-run",
            {},
        )

    def version(self) -> str:
        out = subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", "import moto; print(moto.__version__)"],
            capture_output=True,
            text=True,
        )
        return f"{out.stdout.strip()} (server mode)"

    def ready(self) -> bool:
        request = urllib.request.Request(
            self.endpoint + "/",
            data=b'{"MaxResults": 1}',
            method="POST",
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/cognito-idp/aws4_request",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False


class CognitoLocal(System):
    """cognito-local from npm; it keeps its data as JSON files under .cognito/db in its working directory."""

    health_description = "GET /health answers 200"

    def __init__(self, work: Path) -> None:
        super().__init__("cognito-local", work)
        self.package = work / "cognito-local"
        self.cwd = work / "cognito-local-run"

    def install(self) -> None:
        if (self.package / "node_modules" / ".bin" / "cognito-local").exists():
            return
        if shutil.which("npm") is None:
            raise RuntimeError("npm is needed for cognito-local (Debian: apt-get install nodejs npm)")
        print(f"installing cognito-local@{COGNITO_LOCAL_VERSION} into {self.package}", flush=True)
        self.package.mkdir(parents=True, exist_ok=True)
        (self.package / "package.json").write_text('{"name": "bench-cognito-local", "private": true}\n')
        run(
            ["npm", "install", "--no-audit", "--no-fund", f"cognito-local@{COGNITO_LOCAL_VERSION}"],
            cwd=self.package,
            log=self.work / "cognito-local-install.log",
        )

    def command(self) -> tuple[list[str], Path, dict[str, str]]:
        self.cwd.mkdir(exist_ok=True)
        start = self.package / "node_modules" / "cognito-local" / "lib" / "bin" / "start.js"
        return ["node", str(start)], self.cwd, {"PORT": str(self.port), "HOST": "127.0.0.1"}

    def version(self) -> str:
        package = json.loads((self.package / "node_modules" / "cognito-local" / "package.json").read_text())
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
        return f"{package['version']} (node {node})"

    def ready(self) -> bool:
        return self._get_ok("/health")

    def pool_file(self, pool_id: str) -> Path:
        return self.cwd / ".cognito" / "db" / f"{pool_id}.json"
