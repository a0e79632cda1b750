"""Settings of one emulator instance, from command-line flags and ``COGNITO_EMULATOR_*`` variables.

Precedence: an explicit flag, then the environment variable, then the default below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "COGNITO_EMULATOR_"
DEFAULT_DATABASE = f"sqlite:///{Path('.cognito-emulator') / 'emulator.db'}"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 9229
    database: str = DEFAULT_DATABASE
    fixtures: list[str] = field(default_factory=list)
    region: str = "us-east-1"
    account_id: str = "123456789012"
    # Server processes; 0 chooses (cli.worker_count): one per CPU, at most 4, and 1 for an in-memory database.
    workers: int = 0
    log_level: str = "info"
    log_format: str = "text"
    # Browser origins allowed besides the loopback ones (http(s)://localhost:*, 127.0.0.1:*, [::1]:*,
    # *.localhost:*); wildcards such as https://*.example.com; "*" allows any (emulator.http.guard.origins).
    cors_origins: list[str] = field(default_factory=list)
    # Host header values served besides loopback names, IP addresses and the --public-url host (against
    # DNS rebinding); "*" serves any (emulator.http.guard.hosts).
    allowed_hosts: list[str] = field(default_factory=list)
    # Largest request body in bytes, on every route (emulator.http.guard.body_limit).
    max_body_size: int = 1024 * 1024
    # The URL clients reach this server at; tokens' issuer is derived from it. Default: http://host:port
    public_url: str | None = None
    # "local" (issuer = public URL + pool id) or "aws" (https://cognito-idp.<region>.amazonaws.com/<pool id>)
    issuer: str = "local"
    # argon2id parameters: "fast" suits a local tool; "strong" is argon2-cffi's recommended profile.
    password_hashing: str = "fast"
    # When set, every code the emulator sends is this value (for quick manual trials only).
    fixed_code: str | None = None
    # Lock users out after repeated failed passwords, as Cognito does.
    lockout: bool = True
    # Where Lambda triggers run: "NAME=TARGET" with NAME a function ARN or name and TARGET
    # python:module:function or http://host:port (the Lambda Invoke API).
    triggers: list[str] = field(default_factory=list)
    # The Lambda Invoke API for functions that no mapping names.
    lambda_endpoint: str | None = None
    # An Amplify Gen 2 amplify_outputs.json whose pool and app client are created at start (and after a reset).
    amplify_outputs: str | None = None
    # "ACCESS_KEY:SECRET" items: when any is given, IAM-authorised operations need a valid SigV4 signature.
    iam_credentials: list[str] = field(default_factory=list)
    # When set, /_emulator (API and console) wants it: "Authorization: Bearer TOKEN" or "X-Emulator-Token".
    admin_token: str | None = None
    # An HTTPS listener besides the plain one (emulator.http.tls): the JSON API and the pool domains on it.
    tls: bool = False
    tls_port: int = 9230
    # The user's own certificate and key (PEM); by default a local CA's, made in tls_dir.
    tls_cert: str | None = None
    tls_key: str | None = None
    # Where the local CA and its server certificate are kept; default: the SQLite database's directory, or
    # ./.cognito-emulator for other databases.
    tls_dir: str | None = None

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def tls_base_url(self) -> str | None:
        """The HTTPS listener's URL, when there is one."""
        if not self.tls:
            return None
        host = "localhost" if self.host in ("0.0.0.0", "::", "", "127.0.0.1", "::1") else self.host
        return f"https://{host}:{self.tls_port}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, overridden by the environment, overridden by explicit (non-None) values."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                try:
                    values[f.name] = _parse(f.name, raw)
                except ValueError:
                    raise ValueError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a whole number") from None
        for name, value in overrides.items():
            if value is not None and value != []:
                values[name] = value
        return cls(**values)  # type: ignore[arg-type]


def _parse(name: str, raw: str) -> object:
    if name in ("port", "workers", "max_body_size", "tls_port"):
        return int(raw)
    if name in ("lockout", "tls"):
        return raw.strip().lower() not in ("0", "false", "no", "off")
    if name in ("fixtures", "cors_origins", "allowed_hosts", "triggers", "iam_credentials"):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw
