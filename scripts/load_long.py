"""The long concurrency run: thousands of users against a multi-worker ``cognito-emulator serve``.

    python scripts/load_long.py                      # 2,000 users, 64 clients, 2 workers, SQLite
    python scripts/load_long.py --users 5000 --concurrency 128 --workers 4
    python scripts/load_long.py --database postgresql://user:password@127.0.0.1/emulator_load
    python scripts/load_long.py --postgres          # a throwaway PostgreSQL cluster (Debian's package)

The same workload as tests/reliability/test_concurrency.py (tests/reliability/load.py): every user signs
up, confirms with the code from the outbox, signs in (password or SRP), refreshes, changes an attribute and
reads itself back; some steps are raced on purpose (one code, one SRP session, one rotated refresh token:
exactly one winner). It prints what happened and exits 1 on any unexpected error, lost or duplicated
user, race with other than one winner, or "database is locked" in the server's log. A PostgreSQL database
given with --database must be empty (or hold no pool named "load-long").
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reliability.databases import fresh_postgres_database, postgres_server  # noqa: E402
from tests.reliability.load import EmulatorProcess, check_world, make_pool, run_load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64, help="client threads (default 64)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a SQLite file in a temporary directory)")
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL cluster")
    parser.add_argument("--minutes", type=float, default=30, help="give up after this long (default 30)")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-long-")))
        database = args.database
        if args.postgres:
            server_url = stack.enter_context(postgres_server())
            if server_url is None:
                print("no PostgreSQL found (install Debian's postgresql)", file=sys.stderr)
                return 2
            database = stack.enter_context(fresh_postgres_database(server_url))
        database = database or f"sqlite:///{directory / 'emulator.db'}"
        server = stack.enter_context(
            EmulatorProcess(database, directory / "server.log", workers=args.workers)
        )
        pool = make_pool(server.endpoint, "load-long")
        print(
            f"{args.users} users, {args.concurrency} clients, {args.workers} workers, "
            f"{database.split('://')[0]}",
            flush=True,
        )
        started = time.monotonic()
        tally = run_load(
            server.endpoint,
            pool,
            users=args.users,
            concurrency=args.concurrency,
            deadline_seconds=args.minutes * 60,
        )
        elapsed = time.monotonic() - started
        problems = check_world(server.endpoint, pool, tally, args.users)
        log = server.log()

    requests = sum(tally.calls.values())
    latencies = sorted(tally.seconds)
    print(f"finished {len(tally.done)} of {args.users} users in {elapsed:.1f} s")
    print(f"requests: {requests} ({requests / elapsed:.0f}/s); users: {len(tally.done) / elapsed:.1f}/s")
    if latencies:
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(f"latency: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print("calls:", ", ".join(f"{name} {count}" for name, count in sorted(tally.calls.items())))
    print(
        "races:",
        ", ".join(
            f"{name}: {winners} winner(s) x{count}" for (name, winners), count in sorted(tally.races.items())
        ),
    )
    print(
        "expected errors:",
        ", ".join(f"{op} {code} x{count}" for (op, code), count in sorted(tally.errors.items())) or "none",
    )
    locked = log.lower().count("database is locked")
    tracebacks = log.count("Traceback")
    bad_races = [key for key in tally.races if key[1] != 1]
    print(
        f"unexpected: {len(tally.unexpected)}; world problems: {len(problems)}; 'database is locked' in log: {locked}; tracebacks: {tracebacks}"
    )
    for line in (tally.unexpected + problems)[:20]:
        print("  ", line)
    failed = (
        tally.unexpected or problems or locked or tracebacks or bad_races or len(tally.done) != args.users
    )
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
