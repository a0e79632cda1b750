"""The ``cognito-emulator`` command."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from emulator import __version__
from emulator.cli import inspect as cli_inspect
from emulator.cli import tls_cli
from emulator.config import ENV_PREFIX, Settings

if TYPE_CHECKING:
    import socket

    from emulator.engine.core import Emulator


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
    tls_cli.add_serve_arguments(serve)


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
        **tls_cli.settings_overrides(args),
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
    from emulator.store.database import normalise_url

    if settings.workers > 0:
        return settings.workers
    url = normalise_url(settings.database)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


# After this long preparing the database (schema, fixtures) a start says that it is still at it.
SLOW_START_SECONDS = 3.0


def _fail(message: str) -> int:
    print(f"cognito-emulator: {message}", file=sys.stderr)
    return 2


def _open_emulator(settings: Settings) -> Emulator:
    """The Emulator (schema created or upgraded, fixtures loaded); StartError when its database cannot be
    opened or written (an unwritable directory, a read-only file, a server that refuses)."""
    from sqlalchemy.exc import DBAPIError

    from emulator import worlds
    from emulator.cli.start_checks import StartError
    from emulator.engine import Emulator
    from emulator.store.database import normalise_url

    where = normalise_url(settings.database).render_as_string(hide_password=True)
    # A start never waits without a word: another process may hold the database's write lock (SQLite waits
    # for it up to its busy timeout, the emulator's own lock file without end).
    notice = threading.Timer(
        SLOW_START_SECONDS,
        lambda: logging.getLogger("emulator").warning(
            "still preparing the database %s after %.0f s: another process may hold its write lock, or its "
            "server is slow to answer",
            where,
            SLOW_START_SECONDS,
        ),
    )
    notice.daemon = True
    notice.start()
    try:
        return worlds.install(Emulator(settings))
    except DBAPIError as exc:
        reason = (str(exc.orig).strip() or type(exc.orig).__name__).splitlines()[0]
        if where.startswith("sqlite") and ("open" in reason or "readonly" in reason):
            reason += " (the file and its directory must be writable)"
        raise StartError(f"cannot use the database {where}: {reason}") from None
    except FileExistsError as exc:  # the SQLite file's directory is a file (mkdir)
        raise StartError(f"cannot use the database {where}: {exc.filename} is not a directory") from None
    except OSError as exc:  # creating the SQLite file's directory or its lock file
        raise StartError(f"cannot use the database {where}: {exc.strerror or exc}: {exc.filename}") from None
    finally:
        # Joined too: the prefork parent forks next, and should have no other thread when it does.
        notice.cancel()
        notice.join()


def announce(settings: Settings, database: str, pools: int) -> None:
    """The start-up banner: a line on stdout, or in JSON log format a JSON line among the logs (stderr)."""
    url = settings.base_url + (f" and {settings.tls_base_url}" if settings.tls_base_url else "")
    text = f"Cognito emulator {__version__} listening on {url}  database: {database}  pools: {pools}"
    if settings.log_format != "json":
        print(text, flush=True)
        return
    fields = {"version": __version__, "url": settings.base_url, "database": database, "pools": pools}
    if settings.tls_base_url:
        fields["tls_url"] = settings.tls_base_url
    logging.getLogger("emulator").info(text, extra={"fields": fields})


def serve(settings: Settings) -> int:
    """Check the settings, bind the socket, and only then open the database and load the fixtures: a start
    that cannot serve changes nothing (a running emulator on the same database keeps its data)."""
    from emulator import logging_setup
    from emulator.cli import listen, start_checks
    from emulator.cli.start_checks import StartError

    try:
        start_checks.check(settings)
    except StartError as exc:
        return _fail(str(exc))
    logging_setup.configure(settings.log_level, settings.log_format)
    try:
        sock = listen.bind(settings.host, settings.port)
    except StartError as exc:
        return _fail(str(exc))
    if settings.port == 0:  # the port the system chose, for the banner and the tokens' issuer
        settings = replace(settings, port=sock.getsockname()[1])
    tls_sock = None
    try:
        if settings.tls:
            tls_sock = listen.bind(settings.host, settings.tls_port)
            if settings.tls_port == 0:
                settings = replace(settings, tls_port=tls_sock.getsockname()[1])
        return _serve_on(sock, settings, tls_sock)
    except StartError as exc:
        return _fail(str(exc))
    finally:
        sock.close()
        if tls_sock is not None:
            tls_sock.close()


def _serve_on(sock: socket.socket, settings: Settings, tls_sock: socket.socket | None = None) -> int:
    import uvicorn
    from sqlalchemy import func, select

    from emulator import worlds
    from emulator.cli.start_checks import StartError
    from emulator.engine import Emulator
    from emulator.http import prefork, tls
    from emulator.http.app import create_app
    from emulator.http.listeners import Listeners
    from emulator.store.models import UserPool
    from emulator.worlds.fixtures import FixtureError

    try:
        emulator = _open_emulator(settings)
    except FixtureError as exc:
        return _fail(f"{exc.heading}:\n{exc}")
    except StartError as exc:
        return _fail(str(exc))
    with emulator.database.session(write=False) as session:
        pools = session.scalar(select(func.count()).select_from(UserPool)) or 0
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
    listeners: list[dict[str, object]] = [{}]
    if tls_sock is not None:
        try:
            listeners.append(tls.uvicorn_options(tls.certificate(settings)))
        except (OSError, ValueError) as exc:
            emulator.close()
            return _fail(f"cannot make the HTTPS listener's certificate in {tls.directory(settings)}: {exc}")
    # The socket has been listening since before the database was opened: connections made from now on wait
    # in its backlog until uvicorn accepts them.
    announce(settings, emulator.database.describe(), pools)
    sockets = [sock] + ([tls_sock] if tls_sock is not None else [])
    if workers == 1:
        servers = Listeners(create_app(emulator=emulator), common, listeners)
        # After its graceful shutdown uvicorn raises the signal that stopped it again: Ctrl-C ends here.
        with contextlib.suppress(KeyboardInterrupt):
            servers.run(sockets=sockets)
        return 0 if servers.started else 1
    # No connection or lock file may cross into a worker: each opens its own.
    emulator.close()
    if prefork.available():
        return prefork.serve(
            lambda: create_app(
                emulator=worlds.install(Emulator(settings, create_schema=False), load_now=False)
            ),
            workers,
            common,
            sock,
            tls=(tls_sock, listeners[1]) if tls_sock is not None else None,
        )
    if tls_sock is not None:
        return _fail("--tls needs --workers 1 where processes cannot fork (Windows)")
    # Without fork (Windows): uvicorn's spawned workers, which rebuild the settings from the environment and
    # bind the port again themselves (so the checking socket is closed first).
    sock.close()
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

    from emulator.store import Database
    from emulator.store.database import normalise_url, url_problem
    from emulator.worlds import fixtures

    try:
        settings = Settings.from_env(database=args.database)
    except ValueError as exc:
        return _fail(str(exc))
    problem = url_problem(settings.database)
    if problem is not None:
        return _fail(f"--database {problem}")
    url = normalise_url(settings.database)
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
    tls_cli.add_ca_parser(sub)
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is not None:
        return cli_inspect.run(args)
    if args.command == "serve":
        try:
            settings = settings_from_args(args)
        except ValueError as exc:  # a COGNITO_EMULATOR_* variable that is not of its setting's type
            return _fail(str(exc))
        return serve(settings)
    if args.command == "export":
        return export(args)
    if args.command == "ca":
        return tls_cli.run_ca(args)
    parser.error(f"unknown command {args.command}")
    return 2
