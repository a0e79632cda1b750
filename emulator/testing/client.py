"""Helpers for tests and scripts that talk to a running emulator over HTTP.

``EmulatorClient(endpoint)`` reads the outbox, computes TOTP codes, moves the clock and resets the world
through the emulator's own ``/_emulator`` API, so it works the same against a server in this process
(``LocalEmulator``), a ``cognito-emulator serve`` in another terminal or a Docker container. It uses only
the standard library; the Cognito client it hands out is boto3's (or botocore's), which the emulator itself does
not depend on, so it is imported only when asked for.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from emulator.crypto import totp

DEFAULT_ENDPOINT = "http://127.0.0.1:9229"


class EmulatorError(RuntimeError):
    """The emulator answered an ``/_emulator`` request with an error (``status`` is the HTTP status)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{message} (HTTP {status})")
        self.status = status
        self.message = message


class NoCodeError(LookupError):
    """No message with a code matched (the user was sent none, or it went to another pool)."""


def _is_secret(value: str) -> bool:
    """A base32 TOTP secret (as AssociateSoftwareToken's SecretCode), not a username."""
    cleaned = value.replace(" ", "").upper().rstrip("=")
    return len(cleaned) >= 16 and all(char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for char in cleaned)


class EmulatorClient:
    """The test helpers, against an emulator at ``endpoint``."""

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        region: str = "us-east-1",
        timeout: float = 10,
        admin_token: str | None = None,
        credentials: tuple[str, str] = ("test", "test"),
    ) -> None:
        """``admin_token``: the server's ``--admin-token``, sent with every ``/_emulator`` request.
        ``credentials``: (access key, secret) of the Cognito client; one of the server's
        ``--iam-credentials`` when it verifies signatures (any pair will do otherwise)."""
        self.endpoint = endpoint.rstrip("/")
        self.region = region
        self.timeout = timeout
        self.admin_token = admin_token
        self.credentials = credentials

    # --- HTTP ----------------------------------------------------------------------------------------
    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> Any:
        """One JSON request to the emulator's own API; EmulatorError for an error status."""
        query = {key: value for key, value in (params or {}).items() if value is not None}
        url = self.endpoint + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None or method not in ("GET", "HEAD"):
            # JSON (even without a body): the emulator refuses state changes a web page could make.
            request.add_header("content-type", "application/json")
        if self.admin_token:
            request.add_header("x-emulator-token", self.admin_token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                message = json.loads(raw).get("error") or raw.decode(errors="replace")
            except ValueError:
                message = raw.decode(errors="replace")
            raise EmulatorError(exc.code, message) from None
        return json.loads(raw) if raw else {}

    def health(self) -> dict[str, Any]:
        return self.request("GET", "/_emulator/health")

    # --- clients -------------------------------------------------------------------------------------
    @cached_property
    def client(self) -> Any:
        """A ready ``cognito-idp`` client (boto3's, when boto3 is installed) pointed at the emulator."""
        return self.cognito_client()

    @cached_property
    def identity_client(self) -> Any:
        """A ready ``cognito-identity`` client (identity pools, on the same port) pointed at the emulator."""
        return self.cognito_client(service="cognito-identity")

    def cognito_client(
        self, region: str | None = None, *, service: str = "cognito-idp", **config: Any
    ) -> Any:
        """A new ``cognito-idp`` (or, with ``service``, ``cognito-identity``) client for ``region``; ``config``
        goes to botocore's Config."""
        try:
            from botocore.config import Config
        except ImportError:
            raise RuntimeError(
                "a cognito-idp client needs boto3: pip install boto3 (the emulator itself does not need it)"
            ) from None

        options = {
            "endpoint_url": self.endpoint,
            "region_name": region or self.region,
            "aws_access_key_id": self.credentials[0],
            "aws_secret_access_key": self.credentials[1],
            "config": Config(retries={"max_attempts": 1}, **config),
        }
        try:
            import boto3
        except ImportError:
            import botocore.session

            return botocore.session.get_session().create_client(service, **options)
        return boto3.session.Session().client(service, **options)

    # --- the outbox ----------------------------------------------------------------------------------
    def messages(
        self,
        username: str | None = None,
        *,
        pool_id: str | None = None,
        channel: str | None = None,
        destination: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Messages (SMS and email) the emulator sent, newest first, filtered by whatever is given.

        ``username`` also matches the destination, so in pools whose users sign in with their email the
        email address finds them (their username is a UUID)."""
        params = {"pool_id": pool_id, "channel": channel, "destination": destination, "limit": limit}
        found = self.request("GET", "/_emulator/messages", params={**params, "username": username})[
            "messages"
        ]
        if not found and username is not None and destination is None:
            found = self.request("GET", "/_emulator/messages", params={**params, "destination": username})[
                "messages"
            ]
        return found

    def last_message(self, username: str | None = None, **filters: Any) -> dict[str, Any]:
        found = self.messages(username, limit=1, **filters)
        if not found:
            raise NoCodeError(f"no message in the outbox for {_describe(username, filters)}")
        return found[0]

    def last_code(self, username: str | None = None, *, purpose: str | None = None, **filters: Any) -> str:
        """The code of the newest message carrying one (of ``purpose`` when given, e.g. "SIGN_UP")."""
        for message in self.messages(username, **filters):
            if message.get("code") and (purpose is None or message.get("purpose") == purpose):
                return message["code"]
        raise NoCodeError(f"no code in the outbox for {_describe(username, {**filters, 'purpose': purpose})}")

    def clear_messages(self, pool_id: str | None = None) -> int:
        return self.request("DELETE", "/_emulator/messages", params={"pool_id": pool_id})["deleted"]

    # --- TOTP ----------------------------------------------------------------------------------------
    def totp_code(self, username_or_secret: str, *, pool_id: str | None = None) -> str:
        """The code an authenticator app shows now (by the emulator's clock) for a user's TOTP secret, or
        for a secret given directly (e.g. the SecretCode of AssociateSoftwareToken).

        A code is accepted once: for a second sign-in within the same 30 seconds, ``advance_clock(30)``."""
        if _is_secret(username_or_secret):
            try:
                return self.request(
                    "GET", "/_emulator/totp", params={"username": username_or_secret, "pool_id": pool_id}
                )["code"]
            except EmulatorError as exc:
                if exc.status != 404:
                    raise
            return totp.code_at(username_or_secret.replace(" ", "").upper(), self.now())
        return self.request(
            "GET", "/_emulator/totp", params={"username": username_or_secret, "pool_id": pool_id}
        )["code"]

    # --- the clock -----------------------------------------------------------------------------------
    def clock(self) -> dict[str, Any]:
        """``{"now": ISO, "offset_seconds": N}``."""
        return self.request("GET", "/_emulator/clock")

    def now(self) -> datetime:
        """The emulator's current time (real time plus the time-travel offset), UTC."""
        return _parse(self.clock()["now"])

    def advance_clock(self, seconds: float) -> datetime:
        """Move the emulator's clock forward (codes, sessions, tokens and lockouts expire); returns its time."""
        return _parse(self.request("POST", "/_emulator/clock", body={"advance_seconds": seconds})["now"])

    def set_clock(self, when: datetime | str) -> datetime:
        """Make the emulator's clock read ``when`` (an aware datetime, or ISO 8601; naive means UTC)."""
        value = when if isinstance(when, str) else _aware(when).isoformat()
        return _parse(self.request("POST", "/_emulator/clock", body={"set": value})["now"])

    def reset_clock(self) -> datetime:
        return _parse(self.request("POST", "/_emulator/clock", body={"reset": True})["now"])

    # --- the world -----------------------------------------------------------------------------------
    def reset(self) -> None:
        """Wipe every pool, user, code and message and put the start-up fixtures back; the clock returns
        to real time."""
        self.request("POST", "/_emulator/reset")

    def users(self, pool_id: str | None = None, *, search: str | None = None) -> list[dict[str, Any]]:
        return self.request("GET", "/_emulator/users", params={"pool_id": pool_id, "search": search})["users"]


def _describe(username: str | None, filters: dict[str, Any]) -> str:
    parts = [f"user {username!r}"] if username else []
    parts += [f"{key}={value!r}" for key, value in filters.items() if value is not None]
    return ", ".join(parts) or "any user"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _parse(value: str) -> datetime:
    return _aware(datetime.fromisoformat(value))
