"""What ``serve`` checks before it binds a socket or opens the database: every setting that can be wrong on
its own, so that a mistake is one line and exit status 2, never a traceback or a half-done start.

Flags are checked by argparse already; the same settings can also come from ``COGNITO_EMULATOR_*``
variables, which argparse never sees, so each one is checked here whatever its source.
"""

from __future__ import annotations

import os
import re
import ssl

from emulator.config import Settings
from emulator.http import sigv4
from emulator.store.database import url_problem
from emulator.userpools.triggers import targets

# The values a setting may take, where it has a fixed set (the same as the flags' choices in emulator.cli).
CHOICES = {
    "log_level": ("debug", "info", "warning", "error"),
    "log_format": ("text", "json"),
    "issuer": ("local", "aws"),
    "password_hashing": ("fast", "strong"),
}
MAX_PORT = 65535
# An origin is scheme://host[:port] and nothing more; '*' may stand for labels or the port.
_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9*.\-]+(\:([0-9]+|\*))?$|^https?://\[[0-9A-Fa-f:]+\](\:([0-9]+|\*))?$"
)
# A Host name (or address), without scheme, port or path; '*' may stand for labels.
_HOST = re.compile(r"^[A-Za-z0-9*.\-]+$|^\[?[0-9A-Fa-f:]+\]?$")


class StartError(Exception):
    """Why the server cannot start, in one line for a person."""


def check(settings: Settings) -> None:
    """Raise StartError for the first setting that cannot work; touch nothing (no socket, no database)."""
    if not 0 <= settings.port <= MAX_PORT:
        raise StartError(f"port {settings.port} is out of range: a port is a number from 0 to {MAX_PORT}")
    if settings.workers < 0:
        raise StartError(f"workers {settings.workers}: give a number of worker processes, or 0 to choose")
    if settings.max_body_size < 1:
        raise StartError(f"max-body-size {settings.max_body_size}: give the largest request body in bytes")
    for name, allowed in CHOICES.items():
        value = getattr(settings, name)
        if value not in allowed:
            raise StartError(f"{name.replace('_', '-')} {value!r}: choose one of {', '.join(allowed)}")
    for mapping in settings.triggers:
        try:
            targets.parse_mapping(mapping)
        except ValueError as exc:
            raise StartError(f"--trigger: {exc}") from None
    if settings.lambda_endpoint and not settings.lambda_endpoint.startswith(("http://", "https://")):
        raise StartError(f"--lambda-endpoint {settings.lambda_endpoint!r}: give an http(s)://host:port URL")
    try:
        sigv4.parse_credentials(settings.iam_credentials)
    except ValueError as exc:
        raise StartError(str(exc)) from None
    for origin in settings.cors_origins:
        if origin != "*" and not _ORIGIN.match(origin.strip().rstrip("/")):
            raise StartError(
                f"--cors-origin {origin!r}: give an origin as scheme://host[:port], e.g. https://app.example.com "
                "or http://localhost:*, or '*'"
            )
    for host in settings.allowed_hosts:
        if host != "*" and not _HOST.match(host.strip()):
            raise StartError(
                f"--allowed-host {host!r}: give a host name without scheme, port or path, e.g. emulator or "
                "*.example.com, or '*'"
            )
    problem = url_problem(settings.database)
    if problem is not None:
        raise StartError(f"--database {problem}")
    check_tls(settings)


def check_tls(settings: Settings) -> None:
    """The HTTPS listener's settings (emulator.http.tls)."""
    if not settings.tls:
        if settings.tls_cert or settings.tls_key:
            raise StartError("--tls-cert and --tls-key are for the HTTPS listener: add --tls")
        return
    if not 0 <= settings.tls_port <= MAX_PORT:
        raise StartError(
            f"tls-port {settings.tls_port} is out of range: a port is a number from 0 to {MAX_PORT}"
        )
    if settings.tls_port != 0 and settings.tls_port == settings.port:
        raise StartError(
            f"tls-port {settings.tls_port} is also --port: give the HTTPS listener a port of its own"
        )
    if settings.tls_key and not settings.tls_cert:
        raise StartError("--tls-key needs --tls-cert (the certificate it is the key of)")
    if settings.tls_cert:
        check_tls_files(settings)


def check_tls_files(settings: Settings) -> None:
    """``--tls-cert``/``--tls-key`` are a certificate and its key that a TLS server can load."""
    cert, key = settings.tls_cert or "", settings.tls_key or settings.tls_cert or ""
    for name, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not os.path.isfile(path):
            raise StartError(f"{name} {path!r}: no such file")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        raise StartError(
            f"--tls-cert {cert!r} / --tls-key {key!r}: not a PEM certificate and its private key ({reason})"
        ) from None
