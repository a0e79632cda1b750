"""AWS Signature Version 4 verification for the IAM-authorised operations (``--iam-credentials``).

In AWS every cognito-idp (and cognito-identity) operation is signed with IAM credentials except those whose service-model
``authtype`` is ``none``: the user operations (SignUp, InitiateAuth, GetUser, ...) that SDKs send
unsigned. With ``--iam-credentials ACCESS_KEY:SECRET`` the emulator checks the signature of the others
(Admin*, pool, client and group management, ...) as AWS does, and answers with AWS's errors:

- no Authorization header:             MissingAuthenticationTokenException
- an access key it does not know:      UnrecognizedClientException
- a signature that does not match, a credential scoped to another service, a date too far off:
                                       InvalidSignatureException

The signature is recomputed from the request as received (method, path, query, the signed headers, the
SHA-256 of the body), the way botocore's SigV4Auth builds it, and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import parse_qsl, quote, unquote

from emulator.protocol import service_model
from emulator.protocol.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "cognito-idp"
# AWS refuses a request whose X-Amz-Date is more than 15 minutes from its own clock.
MAX_SKEW = timedelta(minutes=15)

MISSING_TOKEN = "Request is missing Authentication Token"
UNRECOGNIZED = "The security token included in the request is invalid."
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+"
    r"Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*"
    r"Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)


def iam_operations(service: str = SERVICE) -> frozenset[str]:
    """The operations AWS authorises with IAM: every one whose authtype is not "none"."""
    operations = service_model.model(service)["operations"]
    return frozenset(name for name, spec in operations.items() if spec.get("authtype") != "none")


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret: str
    # Temporary credentials (an identity pool's, GetCredentialsForIdentity): the SHA-256 of the session
    # token that must come with them (X-Amz-Security-Token).
    session_token_hash: str | None = None


class CredentialLookup(Protocol):
    def get(self, access_key: str, /) -> Credentials | None: ...


def parse_credentials(values: Sequence[str]) -> dict[str, Credentials]:
    """``ACCESS_KEY:SECRET`` items (the secret may contain ':') -> credentials by access key."""
    found: dict[str, Credentials] = {}
    for item in values:
        access_key, separator, secret = item.partition(":")
        if not separator or not access_key or not secret:
            raise ValueError(f"--iam-credentials wants ACCESS_KEY:SECRET, got {item!r}")
        found[access_key] = Credentials(access_key, secret)
    return found


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret).encode("utf-8"), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def _canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    encoded = sorted((quote(key, safe="-_.~"), quote(value, safe="-_.~")) for key, value in pairs)
    return "&".join(f"{key}={value}" for key, value in encoded)


def _canonical_path(path: str) -> str:
    # botocore quotes the (already normalised) path keeping '/' and '~'.
    return quote(unquote(path) or "/", safe="/~")


def canonical_request(
    method: str, path: str, query: str, headers: Mapping[str, str], signed: Sequence[str], body: bytes
) -> str:
    lines = [f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed]
    payload = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    return "\n".join(
        [
            method.upper(),
            _canonical_path(path),
            _canonical_query(query),
            "".join(lines),
            ";".join(signed),
            payload,
        ]
    )


def verify(
    credentials: CredentialLookup,
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime | None = None,
    service: str = SERVICE,
) -> Credentials:
    """Check the request's SigV4 signature; the matching credentials, or the AWS error.

    ``headers`` must be looked up by lower-case name (Starlette's Headers are)."""
    authorization = headers.get("authorization")
    if not authorization:
        raise MissingAuthenticationTokenException(MISSING_TOKEN)
    match = _AUTHORIZATION.match(authorization.strip())
    if match is None:
        if authorization.startswith(ALGORITHM):
            raise InvalidSignatureException(MISMATCH)
        raise MissingAuthenticationTokenException(MISSING_TOKEN)
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise InvalidSignatureException(MISMATCH)
    access_key, date, region, scope_service, _ = parts
    known = credentials.get(access_key)
    if known is None:
        raise UnrecognizedClientException(UNRECOGNIZED)
    if known.session_token_hash is not None:
        token = headers.get("x-amz-security-token", "")
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        if not token or not hmac.compare_digest(digest, known.session_token_hash):
            raise UnrecognizedClientException(UNRECOGNIZED)
    if scope_service != service:
        raise InvalidSignatureException(f"Credential should be scoped to correct service: '{service}'. ")
    signed = match["signed"].lower().split(";")
    if "host" not in signed or signed != sorted(signed):
        raise InvalidSignatureException(MISMATCH)
    amz_date = headers.get("x-amz-date", "")
    try:
        when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidSignatureException(MISMATCH) from None
    if not amz_date.startswith(date):
        raise InvalidSignatureException(MISMATCH)
    # Wall-clock time, not the emulator's (time travel must not break the SDK's signatures).
    current = now or datetime.now(UTC)
    if abs(current - when) > MAX_SKEW:
        raise InvalidSignatureException(
            f"Signature expired: {amz_date} is now earlier than "
            f"{(current - MAX_SKEW).strftime('%Y%m%dT%H%M%SZ')} "
            f"({current.strftime('%Y%m%dT%H%M%SZ')} - 15 min.)"
            if when < current
            else f"Signature not yet current: {amz_date} is still later than "
            f"{(current + MAX_SKEW).strftime('%Y%m%dT%H%M%SZ')} "
            f"({current.strftime('%Y%m%dT%H%M%SZ')} + 15 min.)"
        )
    request = canonical_request(method, path, query, headers, signed, body)
    scope = f"{date}/{region}/{scope_service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(request.encode("utf-8")).hexdigest()])
    expected = hmac.new(
        signing_key(known.secret, date, region, scope_service), to_sign.encode(), hashlib.sha256
    )
    if not hmac.compare_digest(expected.hexdigest(), match["signature"].lower()):
        raise InvalidSignatureException(MISMATCH)
    return known
