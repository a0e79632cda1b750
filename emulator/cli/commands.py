"""The ``cognito-emulator`` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace

from emulator import __version__
from emulator.cli import inspect as cli_inspect
from emulator.config import ENV_PREFIX, Settings


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="start the emulator")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 9229)")
    serve.add_argument(
        "--database", help="SQLAlchemy URL (default: a SQLite file under ./.cognito-emulator/)"
    )
    serve.add_argument(
        "--fixtures", action="append", default=[], metavar="FILE", help="fixture file to load (repeatable)"
    )
    serve.add_argument("--region", help="region of new pools when the request names none (default us-east-1)")
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes (default: one per CPU, at most 4; 1 with an in-memory database)",
    )
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"], help="default info")
    serve.add_argument("--log-format", choices=["text", "json"], help="default text")
    serve.add_argument(
        "--public-url", help="URL clients reach this server at (token issuer); default http://host:port"
    )
    serve.add_argument("--issuer", choices=["local", "aws"], help="token issuer form (default local)")
    serve.add_argument(
        "--cors-origin",
        action="append",
        dest="cors_origins",
        default=[],
        metavar="ORIGIN",
        help="browser origin allowed besides loopback ones, e.g. https://*.example.com; '*' allows any "
        "(repeatable)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        dest="allowed_hosts",
        default=[],
        metavar="HOST",
        help="Host header served besides loopback names and IP addresses, e.g. cognito or *.example.com; "
        "'*' serves any (repeatable)",
    )
    serve.add_argument(
        "--max-body-size", type=int, metavar="BYTES", help="largest request body (default 1048576)"
    )
    serve.add_argument(
        "--password-hashing", choices=["fast", "strong"], help="argon2id profile (default fast)"
    )
    serve.add_argument("--fixed-code", help="make every code this value (manual trials only)")
    serve.add_argument(
        "--no-lockout", dest="lockout", action="store_const", const=False, help="never lock users out"
    )
    serve.add_argument(
        "--trigger",
        action="append",
        dest="triggers",
        default=[],
        metavar="NAME=TARGET",
        help="run Lambda function NAME (ARN or name) as TARGET: python:module:function or an http:// "
        "Lambda Invoke API (repeatable)",
    )
    serve.add_argument("--lambda-endpoint", help="Lambda Invoke API for functions no --trigger maps")
    serve.add_argument(
        "--amplify-outputs",
        metavar="FILE",
        help="an Amplify Gen 2 amplify_outputs.json: create its user pool and app client (same ids)",
    )
    serve.add_argument(
        "--iam-credentials",
        action="append",
        dest="iam_credentials",
        default=[],
        metavar="ACCESS_KEY:SECRET",
        help="verify SigV4 signatures of IAM-authorised operations (Admin*, pools, clients) against these "
        "credentials (repeatable); user operations stay unsigned as in AWS",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="require this token for /_emulator and the console (Authorization: Bearer TOKEN or "
        "X-Emulator-Token: TOKEN)",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=args.host,
        port=args.port,
        database=args.database,
        fixtures=args.fixtures,
        region=args.region,
        workers=args.workers,
        log_level=args.log_level,
        log_format=args.log_format,
        public_url=args.public_url,
        issuer=args.issuer,
        cors_origins=args.cors_origins,
        allowed_hosts=args.allowed_hosts,
        max_body_size=args.max_body_size,
        password_hashing=args.password_hashing,
        fixed_code=args.fixed_code,
        lockout=args.lockout,
        triggers=args.triggers,
        lambda_endpoint=args.lambda_endpoint,
        amplify_outputs=args.amplify_outputs,
        iam_credentials=args.iam_credentials,
        admin_token=args.admin_token,
    )


# How long an idle keep-alive connection stays open (a little longer than a typical load balancer's 60 s).
KEEP_ALIVE_SECONDS = 75


def _export_to_env(settings: Settings) -> None:
    """Worker processes rebuild the settings from the environment."""
    for name, value in vars(settings).items():
        if value is None:
            continue
        if isinstance(value, list):
            value = ",".join(value)
        os.environ[ENV_PREFIX + name.upper()] = str(value)


MAX_AUTO_WORKERS = 4


def worker_count(settings: Settings) -> int:
    """``--workers``, or when it is not given: one per CPU (reads run in every worker at once; writers take
    turns on the database, so more than a few only add memory), at most MAX_AUTO_WORKERS; and 1 for an
    in-memory SQLite database, which a process cannot share."""
    from sqlalchemy.engine import make_url

    if settings.workers > 0:
        return settings.workers
    url = make_url(settings.database)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


def serve(settings: Settings) -> int:
    import uvicorn
    from sqlalchemy import func, select

    from emulator import logging_setup, worlds
    from emulator.engine import Emulator
    from emulator.http import prefork, sigv4
    from emulator.http.app import create_app
    from emulator.store.models import UserPool
    from emulator.worlds.fixtures import FixtureError

    try:
        sigv4.parse_credentials(settings.iam_credentials)
    except ValueError as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        return 2
    logging_setup.configure(settings.log_level, settings.log_format)
    try:
        emulator = worlds.install(Emulator(settings))
    except FixtureError as exc:
        print(f"cognito-emulator: {exc.heading}:\n{exc}", file=sys.stderr)
        return 2
    with emulator.database.session(write=False) as session:
        pools = session.scalar(select(func.count()).select_from(UserPool))
    print(
        f"Cognito emulator {__version__} listening on {settings.base_url}  "
        f"database: {emulator.database.describe()}  pools: {pools}",
        flush=True,
    )
    common = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,
        # Longer than uvicorn's 5 s: SDKs keep idle connections in their pools and reuse them later; a server
        # that closes one just as a request is sent on it makes the client see "connection reset".
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # In JSON mode uvicorn's own lines go through the root logger's JSON handler too.
        **({"log_config": None} if settings.log_format == "json" else {}),
    }
    workers = worker_count(settings)
    if workers == 1:
        uvicorn.run(create_app(emulator=emulator), **common)
        return 0
    # No connection or lock file may cross into a worker: each opens its own.
    emulator.close()
    if prefork.available():
        return prefork.serve(
            lambda: create_app(
                emulator=worlds.install(Emulator(settings, create_schema=False), load_now=False)
            ),
            workers,
            common,
        )
    # Without fork (Windows): uvicorn's spawned workers, which rebuild the settings from the environment.
    _export_to_env(replace(settings, workers=workers))
    uvicorn.run("emulator.http.app:app_from_env", factory=True, workers=workers, **common)
    return 0


def _export_parser(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export", help="write the current world (pools, clients, groups, users) as a fixture file"
    )
    export.add_argument(
        "--database",
        help="SQLAlchemy URL (default: COGNITO_EMULATOR_DATABASE or ./.cognito-emulator/emulator.db)",
    )
    export.add_argument(
        "--output", "-o", metavar="FILE", help="file to write (.json for JSON; default: stdout)"
    )
    export.add_argument(
        "--with-password-hashes",
        action="store_true",
        help="include each password's argon2id hash and SRP verifier (passwords themselves are never stored)",
    )


def export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from emulator.store import Database
    from emulator.worlds import fixtures

    settings = Settings.from_env(database=args.database)
    url = make_url(settings.database)
    missing_file = url.database not in (None, "", ":memory:") and not Path(url.database).expanduser().exists()
    if url.get_backend_name() == "sqlite" and missing_file:
        print(f"cognito-emulator: no emulator database at {url.database}", file=sys.stderr)
        return 2
    database = Database(settings.database)
    try:
        with database.session(write=False) as session:
            if not fixtures.has_schema(session):
                print(f"cognito-emulator: no emulator database at {database.describe()}", file=sys.stderr)
                return 2
            document = fixtures.export(
                session,
                with_password_hashes=args.with_password_hashes,
                # Trigger files relative to the written file (to the current directory for stdout).
                base_dir=Path(args.output).resolve().parent if args.output else Path.cwd(),
            )
    finally:
        database.dispose()
    fmt = "json" if args.output and args.output.lower().endswith(".json") else "yaml"
    text = fixtures.dump(document, fmt=fmt, with_password_hashes=args.with_password_hashes)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cognito-emulator", description="Local, offline Amazon Cognito user pools."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    _export_parser(sub)
    cli_inspect.add_parsers(sub)
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is not None:
        return cli_inspect.run(args)
    if args.command == "serve":
        return serve(settings_from_args(args))
    if args.command == "export":
        return export(args)
    parser.error(f"unknown command {args.command}")
    return 2
