"""The long fuzzing run: requests drawn from the cognito-idp service model, for as long as you like.

    python scripts/fuzz_long.py                  # 10 minutes against an emulator in this process (SQLite)
    python scripts/fuzz_long.py --minutes 60 --examples 200
    python scripts/fuzz_long.py --database postgresql://user:password@127.0.0.1/emulator_fuzz

The strategies of tests/reliability/fuzzing.py (the suite runs them bounded, test_fuzz.py): for every
operation the emulator has built, ``--examples`` requests that fit the model, are spoiled in a member or
two, or are random member by member; then as many over the whole model, and protocol garbage; round after
round until the time is up. Every answer must be a success or a Cognito error (never a 5xx, except an honest
501 NotImplementedException for an operation the emulator has not built), and the server must answer a
normal request afterwards. Prints what it saw; exits 1 with the failing request on a failure.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from emulator.config import Settings  # noqa: E402
from emulator.testing import ServerThread  # noqa: E402
from tests.conftest import make_boto_client  # noqa: E402
from tests.reliability import fuzzing  # noqa: E402
from tests.reliability.test_fuzz import make_world  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--examples", type=int, default=100, help="examples per operation per round")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a SQLite file in a temporary directory)")
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="fuzz-long-")
    database = args.database or f"sqlite:///{Path(directory) / 'emulator.db'}"
    answers: collections.Counter[tuple[int, str]] = collections.Counter()
    operations: collections.Counter[str] = collections.Counter()
    profile = settings(
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    started = time.monotonic()
    stop_at = started + args.minutes * 60
    rounds = 0
    with (
        ServerThread(Settings(port=0, database=database)) as server,
        httpx.Client(base_url=server.endpoint, timeout=30) as http,
    ):
        cognito = make_boto_client(server.endpoint)
        world = make_world(cognito)

        def check(drawn: tuple[str, object]) -> None:
            operation, body = drawn
            response = fuzzing.send_operation(http, operation, body)
            operations[operation] += 1
            answers[
                (response.status_code, response.json().get("__type", "OK") if response.content else "")
            ] += 1
            fuzzing.check_answer(response, f"{operation} {body!r:.2000}")
            if fuzzing.spoils_world(operation, response):
                make_world(cognito, world)

        def garbage(drawn: tuple[str, bytes, dict[str, str]]) -> None:
            target, body, headers = drawn
            response = fuzzing.send(http, target, body, headers)
            answers[
                (response.status_code, response.json().get("__type", "OK") if response.content else "")
            ] += 1
            fuzzing.check_answer(response, f"{target!r} {body[:500]!r} {headers}")

        try:
            while time.monotonic() < stop_at:
                rounds += 1
                for operation in fuzzing.BUILT:
                    if time.monotonic() >= stop_at:
                        break
                    settings(profile, max_examples=args.examples)(
                        given(fuzzing.request(world, operation))(check)
                    )()
                settings(profile, max_examples=args.examples * 10)(given(fuzzing.request(world))(check))()
                settings(profile, max_examples=args.examples * 5)(given(fuzzing.raw_request())(garbage))()
                fuzzing.check_alive(http)
        except Exception as exc:
            print(f"FAILED after {sum(answers.values())} requests in round {rounds}:\n{exc}", file=sys.stderr)
            return 1

    elapsed = time.monotonic() - started
    total = sum(answers.values())
    print(f"{total} requests in {elapsed / 60:.1f} min ({total / elapsed:.0f}/s), {rounds} round(s)")
    print(f"operations reached: {len(operations)} of {len(fuzzing.OPERATIONS)} in the model")
    print(
        "answers:", ", ".join(f"{status} {kind} x{count}" for (status, kind), count in answers.most_common())
    )
    print("OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
