"""Side-by-side benchmark: this emulator, moto's server and cognito-local, on this machine, in one run.

    python bench/run.py                      # everything; writes BENCHMARKS.md
    python bench/run.py --systems emulator --duration 5 --output -    # a quick look at the emulator alone

It installs moto (PyPI) and cognito-local (npm) into a work directory (a fresh temporary one unless
--work-dir names one to reuse), starts the three on free 127.0.0.1 ports, prepares the same pool, app client
and user in each through the public API (boto3), then runs each scenario against the systems in turn
(alternating, so that a change in the machine's load hits all of them alike) with wrk: one thread,
16 connections, a fixed duration. The load generator shares the machine's cores with the server under test,
the same for every system. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3  # noqa: E402
import seed  # noqa: E402
import srp_client  # noqa: E402
import world_per_test  # noqa: E402
from botocore.config import Config  # noqa: E402
from systems import REPO, CognitoLocal, Emulator, Moto, System  # noqa: E402

LUA = Path(__file__).resolve().parent / "lua"
PASSWORD = "Bench-Passw0rd!"
WRONG_PASSWORD = "Wrong-Passw0rd!"
SRP_PROCESSES = 4
ANALYSIS_MARKER = "<!-- analysis: kept by bench/run.py -->"


# --- preparing a world -----------------------------------------------------------------------------------
def cognito(system: System) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=system.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=120),
    )


def prepare(system: System, name: str) -> dict[str, Any]:
    """A pool (email auto-verified, like a console-made pool), an app client allowing the flows measured,
    and one confirmed user with a permanent password; the user's tokens."""
    client = cognito(system)
    pool = client.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"])["UserPool"]
    app = client.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="bench",
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ],
    )["UserPoolClient"]
    username = "bench-user@example.com"
    client.admin_create_user(
        UserPoolId=pool["Id"],
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": username}, {"Name": "email_verified", "Value": "true"}],
    )
    client.admin_set_user_password(
        UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True
    )
    tokens = client.initiate_auth(
        ClientId=app["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return {
        "pool_id": pool["Id"],
        "client_id": app["ClientId"],
        "username": username,
        "access_token": tokens["AccessToken"],
        "refresh_token": tokens["RefreshToken"],
    }


# --- scenarios ---------------------------------------------------------------------------------------------
def scenarios(world: dict[str, Any]) -> dict[str, tuple[str, str, bool]]:
    """name -> (operation, JSON body, unique names?)."""
    c, p, u = world["client_id"], world["pool_id"], world["username"]
    return {
        "InitiateAuth USER_PASSWORD_AUTH": (
            "InitiateAuth",
            json.dumps(
                {
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "ClientId": c,
                    "AuthParameters": {"USERNAME": u, "PASSWORD": PASSWORD},
                }
            ),
            False,
        ),
        "GetUser (access token)": ("GetUser", json.dumps({"AccessToken": world["access_token"]}), False),
        "InitiateAuth REFRESH_TOKEN_AUTH": (
            "InitiateAuth",
            json.dumps(
                {
                    "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "ClientId": c,
                    "AuthParameters": {"REFRESH_TOKEN": world["refresh_token"]},
                }
            ),
            False,
        ),
        "AdminGetUser": ("AdminGetUser", json.dumps({"UserPoolId": p, "Username": u}), False),
        "SignUp (new user each request)": (
            "SignUp",
            json.dumps(
                {
                    "ClientId": c,
                    "Username": "@NAME@@example.com",
                    "Password": PASSWORD,
                    "UserAttributes": [{"Name": "email", "Value": "@NAME@@example.com"}],
                }
            ),
            True,
        ),
    }


def wrk(
    system: System,
    operation: str,
    body: str,
    unique: bool,
    *,
    duration: float,
    connections: int,
    prefix: str = "",
) -> dict[str, Any]:
    env = {
        **os.environ,
        "BENCH_LUA_DIR": str(LUA),
        "BENCH_TARGET": operation,
        "BENCH_BODY": body,
        "BENCH_PREFIX": prefix,
    }
    script = LUA / ("unique.lua" if unique else "fixed.lua")
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{int(duration)}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        system.endpoint + "/",
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 60)
    line = next((line for line in out.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")
    raw = json.loads(line.split(" ", 1)[1])
    seconds = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {
        "rate": raw["requests"] / seconds,
        "ok_rate": (raw["requests"] - raw["status"]) / seconds,
        "requests": raw["requests"],
        "p99_ms": raw["p99_us"] / 1000,
        "p50_ms": raw["p50_us"] / 1000,
        "errors": errors,
        "status_errors": raw["status"],
    }


def fill_with_wrk(
    system: System, world: dict[str, Any], count: int, prefix: str, budget: float
) -> tuple[float, int]:
    """About ``count`` users made with AdminCreateUser through wrk (for systems only their API can fill),
    for at most ``budget`` seconds; returns the seconds taken and the users made."""
    started = time.perf_counter()
    body = json.dumps(
        {
            "UserPoolId": world["pool_id"],
            "Username": "@NAME@@example.com",
            "MessageAction": "SUPPRESS",
            "TemporaryPassword": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "@NAME@@example.com"}],
        }
    )
    made, rate = 0, 0.0
    while made < count and time.perf_counter() - started < budget:
        # Bounded steps sized by the rate so far; one wrk thread makes the requests one after the other, so
        # its counter names each user exactly once.
        seconds = 1 if not rate else max(1, min(20, int((count - made) / rate)))
        step = wrk(
            system, "AdminCreateUser", body, True, duration=seconds, connections=16, prefix=f"{prefix}{made}-"
        )
        rate = step["rate"]
        made += step["requests"] - step["status_errors"]
        if step["status_errors"]:
            raise RuntimeError(
                f"{system.name}: AdminCreateUser failed {step['status_errors']} times while filling"
            )
        print(f"    {system.name}: {made} users", flush=True)
    return time.perf_counter() - started, made


# --- reporting ---------------------------------------------------------------------------------------------
def fmt_memory(entry: dict[str, float] | None) -> str:
    if not entry:
        return ""
    return f"{entry['rss']:.0f} MiB ({entry['pss']:.0f} MiB)"


def fmt_rate(result: dict[str, Any] | None) -> str:
    if result is None:
        return "n/a"
    if "note" in result:
        return result["note"]
    return f"{result['rate']:,.0f}"


def cell(result: dict[str, Any] | None) -> str:
    if result is None:
        return "n/a"
    if "note" in result:
        return result["note"]
    p99 = f"{result['p99_ms']:.0f} ms" if result.get("p99_ms") is not None else "-"
    return f"{result['rate']:,.0f} /s, p99 {p99}, {result['errors']:,} err"


def usable(result: dict[str, Any] | None) -> bool:
    """A result counts for the comparison only when (almost) every request succeeded."""
    if result is None or "note" in result or not result.get("requests", result.get("ok", 0)):
        return False
    total = result.get("requests", result.get("ok", 0) + result.get("errors", 0))
    return result["errors"] <= 0.01 * max(total, 1)


def ratio(results: dict[str, dict[str, Any]], mine_name: str = "emulator") -> str:
    """The emulator's rate over the best working alternative's (moto, cognito-local)."""
    mine = results.get(mine_name)
    others = [r for name, r in results.items() if not name.startswith("emulator") and usable(r)]
    if not usable(mine):
        return "failed"
    if not others:
        return "no working alternative"
    best = max(r["rate"] for r in others)
    return f"{mine['rate'] / best:.2f}x"


def emulators(names: list[str]) -> list[str]:
    return [name for name in names if name.startswith("emulator")]


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median round of a scenario for one system (by rate)."""
    runs = sorted(runs, key=lambda r: r["rate"])
    middle = runs[len(runs) // 2]
    return {**middle, "rounds": [round(r["rate"], 1) for r in runs]}


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "wrk": (wrk_version.stdout + wrk_version.stderr).split("\n")[0].strip(),
    }


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- main --------------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--systems", default="emulator,moto,cognito-local")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating rounds per scenario; the median counts"
    )
    parser.add_argument(
        "--workers",
        default="",
        help="the emulator's --workers; a comma-separated list runs one emulator per value, side by side "
        "(e.g. 1,2); default: the emulator's own default",
    )
    parser.add_argument("--scale", default="1000,100000", help="pool sizes for the scale test ('' to skip)")
    parser.add_argument("--scale-systems", default="emulator,moto,cognito-local")
    parser.add_argument(
        "--fill-budget", type=float, default=300, help="seconds at most to fill a pool through an API (moto)"
    )
    parser.add_argument("--only", default="", help="comma-separated scenario names to run (default all)")
    parser.add_argument("--skip-srp", action="store_true")
    parser.add_argument(
        "--world-seconds",
        type=float,
        default=10.0,
        help="seconds of the world-per-test scenario (0 skips it)",
    )
    parser.add_argument(
        "--work-dir", help="reuse this directory for installs and data (default: a fresh temp dir)"
    )
    parser.add_argument("--output", default=str(REPO / "BENCHMARKS.md"), help="markdown file, or - for none")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        else:
            print("wrk is needed: apt-get install wrk", file=sys.stderr)
            return 2
    work = Path(args.work_dir) if args.work_dir else Path(tempfile.mkdtemp(prefix="cognito-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    systems: dict[str, System] = {}
    for name in [name for name in args.systems.split(",") if name]:
        if name == "emulator":
            counts = [int(n) for n in args.workers.split(",") if n] or [None]
            for count in counts:
                label = "emulator" if len(counts) == 1 else f"emulator --workers {count}"
                systems[label] = Emulator(work, count, label)
        elif name == "moto":
            systems[name] = Moto(work)
        elif name == "cognito-local":
            systems[name] = CognitoLocal(work)
        else:
            parser.error(f"unknown system {name}")
    results: dict[str, Any] = {
        "machine": machine(),
        "load_before": load(),
        "settings": vars(args),
        "versions": {},
        "startup": {},
        "scenarios": {},
        "memory": {},
        "scale": {},
        "worlds": {},
        "reset": {},
    }
    print(f"work directory: {work}\nload average: {results['load_before']}", flush=True)
    run_tag = f"r{int(time.time()) % 100000}"
    try:
        for system in systems.values():
            system.install()
            results["versions"][system.name] = system.version()

        # Start to healthy: three fresh starts each, the median counts.
        for system in systems.values():
            times = []
            for _ in range(3):
                if isinstance(system, Emulator):
                    system.fresh_database()
                if isinstance(system, CognitoLocal):
                    shutil.rmtree(system.cwd / ".cognito", ignore_errors=True)
                times.append(system.start())
                system.stop()
            results["startup"][system.name] = {
                "median_s": statistics.median(times),
                "runs": times,
                "probe": system.health_description,
            }
            print(f"start to healthy, {system.name}: {', '.join(f'{t:.2f} s' for t in times)}", flush=True)

        worlds = {}
        for system in systems.values():
            if isinstance(system, Emulator):
                system.fresh_database()
            if isinstance(system, CognitoLocal):
                shutil.rmtree(system.cwd / ".cognito", ignore_errors=True)  # no pools of an earlier run
            system.start()
            worlds[system.name] = prepare(system, "bench")
            results["memory"][system.name] = {"idle": system.memory()}

        # The wrk scenarios, alternating between systems.
        chosen = [s for s in args.only.split(",") if s]
        order = list(systems)
        for scenario in scenarios(next(iter(worlds.values()))):
            if chosen and not any(c.lower() in scenario.lower() for c in chosen):
                continue
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in systems}
            for round_no in range(args.rounds):
                for name in order[round_no % len(order) :] + order[: round_no % len(order)]:
                    operation, body, unique = scenarios(worlds[name])[scenario]
                    result = wrk(
                        systems[name],
                        operation,
                        body,
                        unique,
                        duration=args.duration,
                        connections=args.connections,
                        prefix=f"{run_tag}-{round_no}-",
                    )
                    runs[name].append(result)
                    print(f"{scenario:34} {name:14} round {round_no + 1}: {cell(result)}", flush=True)
            results["scenarios"][scenario] = {name: combine(r) for name, r in runs.items()}

        # SRP sign-in: a real client (pycognito) first, right and wrong password; then the loop.
        if not args.skip_srp:
            srp_results: dict[str, list[dict[str, Any]]] = {name: [] for name in systems}
            checks: dict[str, str] = {}
            for name, system in systems.items():
                checks[name] = srp_check(system, worlds[name])
                print(f"pycognito check, {name}: {checks[name]}", flush=True)
            for round_no in range(args.rounds):
                for name in order[round_no % len(order) :] + order[: round_no % len(order)]:
                    world = worlds[name]
                    if checks[name].startswith("not supported"):
                        continue
                    r = srp_client.run_loop(
                        systems[name].port,
                        world["pool_id"],
                        world["client_id"],
                        world["username"],
                        PASSWORD,
                        seconds=args.duration,
                        processes=SRP_PROCESSES,
                    )
                    srp_results[name].append(r)
                    print(
                        f"{'USER_SRP_AUTH sign-in':34} {name:14} round {round_no + 1}: {cell(r)} "
                        f"{r['error_kinds'] or ''}",
                        flush=True,
                    )
            results["srp_checks"] = checks
            results["scenarios"]["USER_SRP_AUTH sign-in (2 requests)"] = {
                name: (combine(r) if r else {"note": checks[name]}) for name, r in srp_results.items()
            }

        for name, system in systems.items():
            results["memory"][name]["after_load"] = system.memory()

        # A fresh world per test, one sequential boto3 client; for the emulator also POST /_emulator/reset.
        if args.world_seconds > 0:
            for name in order:
                results["worlds"][name] = world_per_test.worlds_per_second(
                    cognito(systems[name]), args.world_seconds
                )
                print(
                    f"{'world per test':34} {name:14}: {results['worlds'][name]['rate']:.1f} worlds/s",
                    flush=True,
                )
                if isinstance(systems[name], Emulator):
                    results["reset"][f"{name} (the bench pool)"] = world_per_test.reset_latency(
                        systems[name].endpoint
                    )

        # Scale: the same pool at 1,000 and 100,000 users; sign-up and sign-in rates.
        sizes = [int(s) for s in args.scale.split(",") if s] if args.scale else []
        chosen_scale = [n for n in args.scale_systems.split(",") if n] if sizes else []
        for name in [
            n
            for n in systems
            if n in chosen_scale or ("emulator" in chosen_scale and n.startswith("emulator"))
        ]:
            try:
                results["scale"][name] = scale(systems[name], sizes, args, run_tag)
            except Exception as exc:  # noqa: BLE001 - one system failing here is a result, not the run's end
                print(f"scale test of {name} failed: {exc}", flush=True)
                results["scale"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        for system in systems.values():
            system.stop()
    results["load_after"] = load()
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    if args.output != "-":
        output = Path(args.output)
        # A hand-written part after the marker (the reading of the numbers, profiles) survives a new run.
        kept = ""
        if output.exists() and ANALYSIS_MARKER in output.read_text():
            kept = output.read_text().split(ANALYSIS_MARKER, 1)[1]
        output.write_text(markdown(results) + "\n" + ANALYSIS_MARKER + kept)
        print(f"wrote {output}")
    if not args.work_dir:
        # A temporary work directory goes once the run has succeeded (after a failure its logs stay).
        shutil.rmtree(work, ignore_errors=True)
    return 0


def srp_check(system: System, world: dict[str, Any]) -> str:
    """Sign in once with pycognito's AWSSRP, with the right and with a wrong password."""
    from pycognito.aws_srp import AWSSRP

    def attempt(password: str) -> str:
        try:
            AWSSRP(
                username=world["username"],
                password=password,
                pool_id=world["pool_id"],
                client_id=world["client_id"],
                client=cognito(system),
            ).authenticate_user()
            return "tokens"
        except Exception as exc:  # noqa: BLE001 - any failure is the answer we report
            code = (
                getattr(exc, "response", {}).get("Error", {}).get("Code")
                if hasattr(exc, "response")
                else None
            )
            return code or type(exc).__name__

    right, wrong = attempt(PASSWORD), attempt(WRONG_PASSWORD)
    if right != "tokens":
        return f"not supported (right password: {right})"
    if wrong == "tokens":
        return "accepts any password"
    return f"verified (wrong password: {wrong})"


def scale(system: System, sizes: list[int], args: argparse.Namespace, run_tag: str) -> dict[str, Any]:
    """A pool per size, filled first; then sign-up and sign-in against the pools in alternation, ``rounds``
    times (the median round counts), so that a change in the machine's load hits every size alike."""
    out: dict[str, Any] = {}
    worlds: dict[int, dict[str, Any]] = {}
    for size in sizes:
        world = worlds[size] = prepare(system, f"scale-{size}")
        prefix = f"fill{size}-"
        if isinstance(system, Emulator):
            seconds = seed.seed_emulator(system.database, world["pool_id"], size, PASSWORD, prefix)
            how = "rows inserted into its database through its models"
        elif isinstance(system, CognitoLocal):
            # It writes its files asynchronously: let the last write end before stopping it (a stop in the
            # middle of one leaves a truncated file that it refuses at the next start).
            time.sleep(3)
            system.stop()
            seconds = seed.seed_cognito_local(system.pool_file(world["pool_id"]), size, prefix)
            system.start(timeout=600)
            how = "records added to its pool JSON file while stopped"
        else:
            seconds, made = fill_with_wrk(system, world, size, prefix, args.fill_budget)
            how = f"{made:,} made with AdminCreateUser through wrk"
            if made < size:
                how += f" (stopped after {args.fill_budget:g} s)"
        print(f"{system.name}: {size:,} users in {seconds:.0f} s ({how})", flush=True)
        out[str(size)] = {"fill_seconds": seconds, "how": how, "signup": [], "signin": []}
    for round_no in range(args.rounds):
        for size in sizes if round_no % 2 == 0 else list(reversed(sizes)):
            sc = scenarios(worlds[size])
            for key, scenario in (
                ("signup", "SignUp (new user each request)"),
                ("signin", "InitiateAuth USER_PASSWORD_AUTH"),
            ):
                operation, body, unique = sc[scenario]
                result = wrk(
                    system,
                    operation,
                    body,
                    unique,
                    duration=args.duration,
                    connections=args.connections,
                    prefix=f"{run_tag}-s{size}-{round_no}-",
                )
                out[str(size)][key].append(result)
                print(f"  {scenario:34} at {size:,} users, round {round_no + 1}: {cell(result)}", flush=True)
    for size in sizes:
        entry = out[str(size)]
        entry["signup"], entry["signin"] = combine(entry["signup"]), combine(entry["signin"])
    # With every pool in place (the largest included), after the load.
    out["memory"] = system.memory()
    return out


def print_table(results: dict[str, Any]) -> None:
    systems = list(results["versions"])
    print()
    mine = emulators(systems)
    print(
        f"{'scenario':38}"
        + "".join(f"{name:>32}" for name in systems)
        + "   vs best alternative: "
        + ", ".join(mine)
    )
    for scenario, by_system in results["scenarios"].items():
        print(
            f"{scenario:38}"
            + "".join(f"{cell(by_system.get(n)):>32}" for n in systems)
            + "   "
            + ", ".join(ratio(by_system, name) for name in mine)
        )
    for name, entry in results["startup"].items():
        print(f"start to healthy, {name}: {entry['median_s']:.2f} s")
    for name, entry in results["memory"].items():
        print(f"memory, {name}: {entry}")
    for name, sizes in results["scale"].items():
        if "error" in sizes:
            print(f"scale, {name}: failed ({sizes['error']})")
            continue
        for size, entry in sizes.items():
            if size == "memory":
                print(f"scale, {name}: {fmt_memory(entry)} with every pool")
                continue
            print(
                f"scale, {name}, {int(size):,} users: sign-up {fmt_rate(entry['signup'])}/s, "
                f"sign-in {fmt_rate(entry['signin'])}/s"
            )


def markdown(results: dict[str, Any]) -> str:
    systems = list(results["versions"])
    m, s = results["machine"], results["settings"]
    lines = [
        "# Benchmarks",
        "",
        "Made by `python bench/run.py` (see [bench/README.md](bench/README.md)); every number below comes from "
        "one run of it on one machine, the systems measured in alternation. The load generator (wrk, and the "
        "SRP client) runs on the same cores as the system under test, alike for every system, so the numbers "
        "are for comparison on this machine, not absolute capacities.",
        "",
        f"- Machine: {m['cpu']}, {m['memory']} memory, {m['os']}, Python {m['python']}, {m['wrk']}",
        f"- Load average before / after the run: {results['load_before']} / {results['load_after']}",
        f"- wrk: 1 thread, {s['connections']} connections, {s['duration']:g} s per run, "
        f"{s['rounds']} alternating rounds per scenario (the median round is shown)",
        *(f"- {name}: {version}" for name, version in results["versions"].items()),
        "",
        "## Throughput",
        "",
        "| scenario | "
        + " | ".join(systems)
        + " | "
        + " | ".join(f"{name} / best alternative" for name in emulators(systems))
        + " |",
        "|---|" + "---|" * (len(systems) + len(emulators(systems))),
    ]
    for scenario, by_system in results["scenarios"].items():
        lines.append(
            f"| {scenario} | "
            + " | ".join(cell(by_system.get(n)) for n in systems)
            + " | "
            + " | ".join(ratio(by_system, name) for name in emulators(systems))
            + " |"
        )
    lines += [
        "",
        "Each cell: requests per second, 99th percentile latency, requests that failed (non-2xx or "
        "socket errors). For USER_SRP_AUTH a sign-in is two requests (InitiateAuth and "
        "RespondToAuthChallenge), from 4 client processes.",
    ]
    if results.get("srp_checks"):
        lines += [
            "",
            "SRP checked with pycognito's AWSSRP, right then wrong password: "
            + "; ".join(f"{n}: {c}" for n, c in results["srp_checks"].items())
            + ".",
        ]
    lines += [
        "",
        "## Start-up and memory",
        "",
        "| system | start to healthy (median of 3) | probe | memory idle, RSS (PSS) | after the load |",
        "|---|---|---|---|---|",
    ]
    for name in systems:
        st = results["startup"].get(name, {})
        mem = results["memory"].get(name, {})
        lines.append(
            f"| {name} | {st.get('median_s', 0):.2f} s | {st.get('probe', '')} | "
            f"{fmt_memory(mem.get('idle'))} | {fmt_memory(mem.get('after_load'))} |"
        )
    if results.get("worlds"):
        lines += ["", world_per_test.markdown(results["worlds"], results.get("reset")).rstrip()]
    if results["scale"]:
        lines += [
            "",
            "## 1,000 vs 100,000 users",
            "",
            "One pool per size, filled first, then measured in alternation (median of the rounds). The "
            "sign-in is USER_PASSWORD_AUTH of one user of the pool; the sign-up adds new users to it.",
            "",
            "| system | users | how they were added | sign-up | sign-in | at the largest / at the smallest |",
            "|---|---|---|---|---|---|",
        ]
        for name, sizes in results["scale"].items():
            if "error" in sizes:
                lines.append(f"| {name} | | failed: {sizes['error']} | | | |")
                continue
            counts = [size for size in sizes if size != "memory"]
            for size in counts:
                entry = sizes[size]
                change = ""
                if size == counts[-1] and len(counts) > 1:
                    first = sizes[counts[0]]
                    change = ", ".join(
                        f"{label} {entry[key]['rate'] / first[key]['rate']:.2f}x"
                        for key, label in (("signup", "sign-up"), ("signin", "sign-in"))
                        if usable(entry[key]) and usable(first[key])
                    )
                lines.append(
                    f"| {name} | {int(size):,} | {entry['how']} ({entry['fill_seconds']:.0f} s) | "
                    f"{cell(entry['signup'])} | {cell(entry['signin'])} | {change} |"
                )
        lines += [
            "",
            "Memory with every scale pool in place, after the load, RSS (PSS): "
            + "; ".join(
                f"{name}: {fmt_memory(sizes['memory'])}"
                for name, sizes in results["scale"].items()
                if "memory" in sizes
            )
            + ". RSS counts a page that forked workers share once per process; PSS divides it "
            "between them.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
