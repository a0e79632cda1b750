"""The TLS side of the command line: ``serve``'s ``--tls*`` flags and ``cognito-emulator ca``."""

from __future__ import annotations

import argparse
import sys

from emulator.config import Settings


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--tls",
        action="store_const",
        const=True,
        help="also listen for HTTPS (the JSON API and the pool domains), with a local CA's certificate "
        "unless --tls-cert is given",
    )
    serve.add_argument("--tls-port", type=int, help="port of the HTTPS listener (default 9230)")
    serve.add_argument("--tls-cert", metavar="FILE", help="your own certificate (PEM) for the HTTPS listener")
    serve.add_argument("--tls-key", metavar="FILE", help="the key (PEM) of --tls-cert")
    serve.add_argument(
        "--tls-dir",
        metavar="DIR",
        help="where the local CA is kept (default: the SQLite database's directory, or ./.cognito-emulator)",
    )


def settings_overrides(args: argparse.Namespace) -> dict[str, object]:
    return {
        "tls": args.tls,
        "tls_port": args.tls_port,
        "tls_cert": args.tls_cert,
        "tls_key": args.tls_key,
        "tls_dir": args.tls_dir,
    }


def add_ca_parser(sub: argparse._SubParsersAction) -> None:
    ca = sub.add_parser(
        "ca", help="print the local CA's certificate path and how to trust it (creating the CA if needed)"
    )
    ca.add_argument("--database", help="the database whose directory keeps the CA (as for serve)")
    ca.add_argument("--tls-dir", metavar="DIR", help="where the CA is kept (as for serve)")
    ca.add_argument("--tls-port", type=int, help="the HTTPS port to show (default 9230)")
    ca.add_argument("--tls-cert", metavar="FILE", help="show the hash of your own certificate instead")
    ca.add_argument("--region", help="the region of *.auth.<region>.localhost names (as for serve)")
    ca.add_argument("--path", action="store_true", help="print only the CA certificate's path")


def run_ca(args: argparse.Namespace) -> int:
    from emulator.cli.start_checks import StartError, check_tls_files
    from emulator.http import tls

    try:
        settings = Settings.from_env(
            database=args.database,
            tls_dir=args.tls_dir,
            tls_port=args.tls_port,
            tls_cert=args.tls_cert,
            region=args.region,
        )
        if settings.tls_cert:
            check_tls_files(settings)
        cert = tls.certificate(settings)
    except (ValueError, StartError) as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = tls.directory(settings)
        print(
            f"cognito-emulator: cannot make the local CA in {where}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    if args.path:
        print(cert.ca or cert.cert)
    else:
        print(tls.trust_instructions(settings, cert))
    return 0
