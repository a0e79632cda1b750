"""Inspection subcommands of ``cognito-emulator``, talking to a running server over HTTP:

    cognito-emulator messages [--user U] [--pool P] [--follow]   the outbox (codes highlighted)
    cognito-emulator users [--pool P]                            users: status, MFA, groups
    cognito-emulator code U [--pool P]                           the latest code sent to U (just the code)
    cognito-emulator totp U [--pool P]                           U's current TOTP code (just the code)
    cognito-emulator clock [--advance 15m | --set ISO | --reset] show or move the emulator's clock
    cognito-emulator reset                                       wipe everything, reload the fixtures

The server is ``--endpoint``, else ``COGNITO_EMULATOR_ENDPOINT``, else http://127.0.0.1:<COGNITO_EMULATOR_PORT
or 9229>; a server started with ``--admin-token`` wants it: ``--admin-token`` or ``COGNITO_EMULATOR_ADMIN_TOKEN``. ``code`` and ``totp`` print only the code, for scripts: ``CODE=$(cognito-emulator code alice)``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.error
from collections.abc import Callable
from datetime import datetime
from typing import Any

from emulator.logging_setup import highlight_code, use_color
from emulator.testing.client import EmulatorClient, EmulatorError, NoCodeError

FOLLOW_INTERVAL_SECONDS = 0.5
_DURATION = re.compile(r"^(-?\d+(?:\.\d+)?)\s*([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def default_endpoint() -> str:
    endpoint = os.environ.get("COGNITO_EMULATOR_ENDPOINT")
    if endpoint:
        return endpoint
    return f"http://127.0.0.1:{os.environ.get('COGNITO_EMULATOR_PORT') or 9229}"


def duration(value: str) -> float:
    """``90``, ``90s``, ``15m``, ``2h``, ``1d``, ``1w`` (negative goes back) -> seconds."""
    match = _DURATION.match(value.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {value!r} (e.g. 90, 15m, 2h, 1d)")
    return float(match.group(1)) * _UNITS[match.group(2)]


# --- the parsers -------------------------------------------------------------------------------------
def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the inspection subcommands; each sets ``handler`` (see ``run``)."""

    def command(
        name: str, help_text: str, handler: Callable[[argparse.Namespace, EmulatorClient], int]
    ) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text, description=help_text)
        parser.add_argument(
            "--endpoint", help="the emulator's URL (default: $COGNITO_EMULATOR_ENDPOINT or 127.0.0.1:9229)"
        )
        parser.add_argument(
            "--admin-token", help="the server's --admin-token (default: $COGNITO_EMULATOR_ADMIN_TOKEN)"
        )
        parser.set_defaults(handler=handler)
        return parser

    messages = command(
        "messages", "show the outbox: SMS and email the emulator sent, with their codes", cmd_messages
    )
    messages.add_argument("--user", "-u", help="only messages to this user (username, email or phone number)")
    messages.add_argument("--pool", "-p", help="only messages of this user pool")
    messages.add_argument("--channel", choices=["EMAIL", "SMS"], type=str.upper)
    messages.add_argument("--limit", "-n", type=int, default=20, help="how many (default 20)")
    messages.add_argument(
        "--follow", "-f", action="store_true", help="keep printing new messages (Ctrl-C ends)"
    )
    messages.add_argument("--json", action="store_true", help="one JSON object per line")

    users = command("users", "list users: status, enabled, email/phone, MFA, groups", cmd_users)
    users.add_argument("--pool", "-p", help="only this user pool")
    users.add_argument("--search", help="username, email or phone number prefix")
    users.add_argument("--json", action="store_true", help="the full JSON of each user")

    code = command("code", "print the latest code sent to a user", cmd_code)
    code.add_argument("user", help="username, email or phone number")
    code.add_argument("--pool", "-p", help="the user's pool (when the name is used in several)")
    code.add_argument("--purpose", help="only codes of this purpose, e.g. SIGN_UP")

    totp = command("totp", "print a user's current TOTP code (from their authenticator secret)", cmd_totp)
    totp.add_argument("user", help="username, email, phone number or sub")
    totp.add_argument("--pool", "-p", help="the user's pool (when the name is used in several)")

    clock = command("clock", "show the emulator's clock, or move it (time travel)", cmd_clock)
    move = clock.add_mutually_exclusive_group()
    move.add_argument("--advance", type=duration, metavar="DURATION", help="e.g. 90, 15m, 2h, 1d")
    move.add_argument("--set", metavar="ISO_TIME", help="e.g. 2030-01-01T00:00:00Z")
    move.add_argument("--reset", action="store_true", help="back to real time")

    command("reset", "wipe every pool, user, code and message; reload the start-up fixtures", cmd_reset)


def run(args: argparse.Namespace) -> int:
    """Run the chosen inspection command; a server that cannot be reached or refuses is exit status 1."""
    token = args.admin_token or os.environ.get("COGNITO_EMULATOR_ADMIN_TOKEN") or None
    client = EmulatorClient(args.endpoint or default_endpoint(), admin_token=token)
    try:
        return args.handler(args, client)
    except urllib.error.URLError as exc:
        reason = getattr(exc, "reason", exc)
        _fail(f"no emulator at {client.endpoint} ({reason}); start one with `cognito-emulator serve`")
    except (ConnectionError, TimeoutError) as exc:
        _fail(f"no emulator at {client.endpoint} ({exc})")
    except EmulatorError as exc:
        _fail(exc.message)
    except NoCodeError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        return 0
    return 1


def _fail(message: str) -> None:
    print(f"cognito-emulator: {message}", file=sys.stderr)


# --- the commands ------------------------------------------------------------------------------------
def _time(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S")


def format_message(message: dict[str, Any], color: bool) -> str:
    code = f"code {highlight_code(message['code'], color)}" if message.get("code") else ""
    return (
        f"{_time(message['created_at'])}  {message['channel']:<5} {message['username']} -> "
        f"{message['destination']}  {message['purpose']}  {code}".rstrip()
    )


def cmd_messages(args: argparse.Namespace, client: EmulatorClient) -> int:
    color = use_color(sys.stdout)

    def show(message: dict[str, Any]) -> None:
        if args.json:
            print(json.dumps(message), flush=True)
        else:
            print(format_message(message, color), flush=True)

    filters = {"pool_id": args.pool, "channel": args.channel}
    # The API answers newest first; a terminal reads best oldest first, the newest next to the prompt.
    found = client.messages(args.user, limit=args.limit, **filters)
    for message in reversed(found):
        show(message)
    if not args.follow:
        if not found and not args.json:
            print("(no messages)", file=sys.stderr)
        return 0
    last_id = max((message["id"] for message in found), default=0)
    while True:
        time.sleep(FOLLOW_INTERVAL_SECONDS)
        newer = [
            message
            for message in client.messages(args.user, limit=1000, **filters)
            if message["id"] > last_id
        ]
        if not newer and last_id and not client.messages(args.user, limit=1, **filters):
            last_id = 0  # the outbox was emptied (a reset): start over
        for message in sorted(newer, key=lambda item: item["id"]):
            show(message)
            last_id = max(last_id, message["id"])


def cmd_users(args: argparse.Namespace, client: EmulatorClient) -> int:
    found = client.users(args.pool, search=args.search)
    if args.json:
        for user in found:
            print(json.dumps(user))
        return 0
    if not found:
        print("(no users)", file=sys.stderr)
        return 0
    rows = [("POOL", "USERNAME", "STATUS", "ENABLED", "EMAIL / PHONE", "MFA", "GROUPS")]
    for user in found:
        contact = user.get("email") or user.get("phone_number") or ""
        mfa = ",".join(user["mfa"]["enabled"]) or "-"
        if user["mfa"]["preferred"]:
            mfa += f" (preferred {user['mfa']['preferred']})"
        rows.append(
            (
                user["pool_id"],
                user["username"],
                user["status"],
                "yes" if user["enabled"] else "no",
                contact,
                mfa,
                ",".join(user["groups"]) or "-",
            )
        )
    widths = [max(len(str(row[index])) for row in rows) for index in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_code(args: argparse.Namespace, client: EmulatorClient) -> int:
    print(client.last_code(args.user, pool_id=args.pool, purpose=args.purpose))
    return 0


def cmd_totp(args: argparse.Namespace, client: EmulatorClient) -> int:
    answer = client.request("GET", "/_emulator/totp", params={"username": args.user, "pool_id": args.pool})
    print(answer["code"])
    if sys.stderr.isatty():
        print(f"valid for {answer['seconds_left']} more seconds", file=sys.stderr)
    return 0


def cmd_clock(args: argparse.Namespace, client: EmulatorClient) -> int:
    if args.advance is not None:
        client.advance_clock(args.advance)
    elif args.set:
        client.set_clock(args.set)
    elif args.reset:
        client.reset_clock()
    state = client.clock()
    offset = state["offset_seconds"]
    print(f"{state['now']}  (offset {offset:+g} s{', real time' if not offset else ''})")
    return 0


def cmd_reset(args: argparse.Namespace, client: EmulatorClient) -> int:
    client.reset()
    print("reset: every pool, user, code and message is gone; start-up fixtures are loaded again")
    return 0
