"""What an integration suite feels: a fresh world per test, and one client's latency per call.

A test's setup and teardown, done through boto3 by one sequential client (no concurrency, as a test
does it): CreateUserPool, CreateUserPoolClient, AdminCreateUser, AdminSetUserPassword, InitiateAuth
(USER_PASSWORD_AUTH), GetUser, DeleteUserPool. The rate of whole worlds and each call's median and 95th
percentile latency are reported, for every system.

For the emulator alone, ``POST /_emulator/reset`` is the other way a suite gets a fresh world (all pools
gone, the declared fixtures loaded again): its latency is measured with and without the demo world.

    python bench/world_per_test.py --systems emulator --seconds 10      # a quick look
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.request
from collections.abc import Callable
from typing import Any

PASSWORD = "Bench-Passw0rd!"
CALLS = (
    "CreateUserPool",
    "CreateUserPoolClient",
    "AdminCreateUser",
    "AdminSetUserPassword",
    "InitiateAuth",
    "GetUser",
    "DeleteUserPool",
)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _summary(samples: list[float]) -> dict[str, float]:
    """Milliseconds: median and 95th percentile."""
    if not samples:
        return {}
    return {
        "median_ms": statistics.median(samples) * 1000,
        "p95_ms": _percentile(samples, 0.95) * 1000,
        "n": len(samples),
    }


def one_world(client: Any, n: int, timings: dict[str, list[float]]) -> None:
    """One test's world, built and torn down; each call's time added to ``timings``."""

    def timed(name: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = call()
        timings[name].append(time.perf_counter() - start)
        return result

    pool = timed("CreateUserPool", lambda: client.create_user_pool(PoolName=f"world-{n}"))["UserPool"]
    pool_id = pool["Id"]
    app = timed(
        "CreateUserPoolClient",
        lambda: client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="tests",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ),
    )["UserPoolClient"]
    username = f"user{n}@example.com"
    timed(
        "AdminCreateUser",
        lambda: client.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": username},
                {"Name": "email_verified", "Value": "true"},
            ],
        ),
    )
    timed(
        "AdminSetUserPassword",
        lambda: client.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
        ),
    )
    tokens = timed(
        "InitiateAuth",
        lambda: client.initiate_auth(
            ClientId=app["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        ),
    )["AuthenticationResult"]
    timed("GetUser", lambda: client.get_user(AccessToken=tokens["AccessToken"]))
    timed("DeleteUserPool", lambda: client.delete_user_pool(UserPoolId=pool_id))


def worlds_per_second(client: Any, seconds: float, warmup: int = 3) -> dict[str, Any]:
    """Whole worlds per second for ``seconds``, one sequential client, after ``warmup`` worlds."""
    timings: dict[str, list[float]] = {name: [] for name in CALLS}
    for n in range(warmup):
        one_world(client, -1 - n, timings)
    timings = {name: [] for name in CALLS}
    worlds, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        one_world(client, worlds, timings)
        worlds += 1
    elapsed = time.perf_counter() - start
    return {
        "worlds": worlds,
        "seconds": elapsed,
        "rate": worlds / elapsed,
        "calls": {name: _summary(samples) for name, samples in timings.items()},
    }


def reset_latency(endpoint: str, rounds: int = 30) -> dict[str, float]:
    """``POST /_emulator/reset`` by one client: the latency of a fresh world of declared fixtures."""
    samples = []
    for _ in range(rounds):
        request = urllib.request.Request(
            endpoint + "/_emulator/reset",
            data=b"{}",
            method="POST",
            headers={"content-type": "application/json"},
        )
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
        samples.append(time.perf_counter() - start)
    return _summary(samples)


def markdown(results: dict[str, dict[str, Any]], reset: dict[str, dict[str, float]] | None = None) -> str:
    """The world-per-test table (one column per system) and, when measured, the reset latencies."""
    names = list(results)
    lines = [
        "## A fresh world per test (one sequential boto3 client)",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
        "| worlds/s | " + " | ".join(f"{results[n].get('rate', 0):.1f}" for n in names) + " |",
    ]
    for call in CALLS:
        cells = []
        for n in names:
            summary = results[n].get("calls", {}).get(call) or {}
            cells.append(f"{summary['median_ms']:.1f} ms (p95 {summary['p95_ms']:.1f})" if summary else "-")
        lines.append(f"| {call} | " + " | ".join(cells) + " |")
    if reset:
        lines += ["", "| `POST /_emulator/reset` | median | p95 |", "|---|---:|---:|"]
        for label, summary in reset.items():
            lines.append(f"| {label} | {summary['median_ms']:.1f} ms | {summary['p95_ms']:.1f} ms |")
    return "\n".join(lines) + "\n"


def main() -> int:
    import argparse
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import cognito  # noqa: PLC0415 - the driver's boto3 client settings
    from systems import REPO, CognitoLocal, Emulator, Moto  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--systems", default="emulator")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--work-dir")
    args = parser.parse_args()
    work = Path(args.work_dir) if args.work_dir else Path(tempfile.mkdtemp(prefix="cognito-world-"))
    kinds = {
        "emulator": lambda: Emulator(work, None),
        "moto": lambda: Moto(work),
        "cognito-local": lambda: CognitoLocal(work),
    }
    results: dict[str, dict[str, Any]] = {}
    reset: dict[str, dict[str, float]] = {}
    for name in args.systems.split(","):
        system = kinds[name]()
        system.install()
        if isinstance(system, Emulator):
            system.fresh_database()
        system.start()
        try:
            results[name] = worlds_per_second(cognito(system), args.seconds)
            if isinstance(system, Emulator):
                reset["empty emulator"] = reset_latency(system.endpoint)
        finally:
            system.stop()
        if isinstance(system, Emulator):
            system.extra["args"] = ["--fixtures", str(REPO / "fixtures" / "signin-steps.yaml")]
            system.fresh_database()
            system.start()
            try:
                reset["demo world (fixtures/signin-steps.yaml)"] = reset_latency(system.endpoint)
            finally:
                system.stop()
    print(markdown(results, reset))
    print(json.dumps({"worlds": results, "reset": reset}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
