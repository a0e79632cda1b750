"""User pool domains: the names Cognito accepts, one per pool, and the DomainDescription of a stored one.

A prefix domain is served by Cognito at ``https://<prefix>.auth.<region>.amazoncognito.com``; a custom domain
(a fully qualified name with a certificate) through a CloudFront distribution of its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.store.models import UserPool, UserPoolDomain

PREFIX_PATTERN = r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$"
_PREFIX = re.compile(PREFIX_PATTERN)
# Each label of a custom domain: letters, digits and inner hyphens, at most 63 characters.
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$")
RESERVED_WORDS = ("aws", "amazon", "cognito")
# What Cognito reports for every prefix domain (the shared hosted-UI distribution and its version).
PREFIX_CLOUDFRONT = "d3oia8etllorh5.cloudfront.net"
_S3_REGION_CODES = {
    "us-east-1": "iad",
    "us-east-2": "cmh",
    "us-west-1": "sfo",
    "us-west-2": "pdx",
    "eu-west-1": "dub",
    "eu-west-2": "lhr",
    "eu-west-3": "cdg",
    "eu-central-1": "fra",
    "eu-north-1": "arn",
    "ap-northeast-1": "nrt",
    "ap-southeast-1": "sin",
    "ap-southeast-2": "syd",
    "ap-south-1": "bom",
    "ca-central-1": "yul",
    "sa-east-1": "gru",
}


def check_name(domain: str, custom: bool) -> None:
    """A prefix must match Cognito's pattern and avoid its reserved words; a custom domain must be an FQDN."""
    if custom:
        labels = domain.split(".")
        if len(labels) < 2 or len(domain) > 253 or not all(_LABEL.match(label) for label in labels):
            raise InvalidParameterException(f"{domain} is not a valid custom domain name.")
        return
    if not _PREFIX.match(domain):
        raise InvalidParameterException(
            "The domain name contains an invalid character. Domain names can only contain lower-case "
            "letters, numbers, and hyphens. Please enter a different name that follows this format: "
            + PREFIX_PATTERN
        )
    for word in RESERVED_WORDS:
        if word in domain:
            raise InvalidParameterException(f"Domain cannot contain reserved word: {word}")


def of_pool(ctx: Context, pool: UserPool) -> UserPoolDomain | None:
    return ctx.db.scalar(select(UserPoolDomain).where(UserPoolDomain.pool_id == pool.id))


def owned(ctx: Context, pool: UserPool, domain: str) -> UserPoolDomain:
    """The pool's domain named ``domain``, as Update/DeleteUserPoolDomain require it."""
    row = ctx.db.get(UserPoolDomain, domain)
    if row is None or row.pool_id != pool.id:
        raise InvalidParameterException("No such domain or user pool exists.")
    return row


def check_managed_login_version(version: int | None) -> None:
    """1 is the classic hosted UI, 2 managed login; there is no other."""
    if version is not None and version not in (1, 2):
        raise InvalidParameterException("ManagedLoginVersion must be 1 (hosted UI) or 2 (managed login).")


def create(ctx: Context, pool: UserPool, request: dict[str, Any]) -> UserPoolDomain:
    domain = request["Domain"]
    check_managed_login_version(request.get("ManagedLoginVersion"))
    custom_config = request.get("CustomDomainConfig")
    custom = custom_config is not None
    check_name(domain, custom)
    if ctx.db.get(UserPoolDomain, domain) is not None:
        raise InvalidParameterException("Domain already associated with another user pool.")
    if of_pool(ctx, pool) is not None:
        raise InvalidParameterException("User pool already has a domain configured.")
    row = UserPoolDomain(
        domain=domain,
        pool_id=pool.id,
        custom=custom,
        custom_config=dict(custom_config) if custom else None,
        managed_login_version=request.get("ManagedLoginVersion") or 1,
        cloudfront_domain=_custom_cloudfront(domain) if custom else PREFIX_CLOUDFRONT,
        version=ctx.now.strftime("%Y%m%d%H%M%S"),
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    ctx.db.add(row)
    ctx.db.flush()
    return row


def update(ctx: Context, row: UserPoolDomain, request: dict[str, Any]) -> None:
    check_managed_login_version(request.get("ManagedLoginVersion"))
    custom_config = request.get("CustomDomainConfig")
    if custom_config is not None:
        if not row.custom:
            raise InvalidParameterException("CustomDomainConfig can only be set for a custom domain.")
        row.custom_config = dict(custom_config)
    if request.get("ManagedLoginVersion") is not None:
        row.managed_login_version = request["ManagedLoginVersion"]
    row.version = ctx.now.strftime("%Y%m%d%H%M%S")
    row.modified_at = ctx.now


def created_view(row: UserPoolDomain) -> dict[str, Any]:
    """The answer of Create/UpdateUserPoolDomain: CloudFrontDomain only for a custom domain."""
    view: dict[str, Any] = {"ManagedLoginVersion": row.managed_login_version}
    if row.custom:
        view["CloudFrontDomain"] = row.cloudfront_domain
    return view


def describe(ctx: Context, row: UserPoolDomain, region: str) -> dict[str, Any]:
    """DomainDescriptionType, as DescribeUserPoolDomain returns it."""
    return {
        "UserPoolId": row.pool_id,
        "AWSAccountId": ctx.account_id,
        "Domain": row.domain,
        "S3Bucket": f"aws-cognito-prod-{_S3_REGION_CODES.get(region, region)}-assets",
        "CloudFrontDistribution": row.cloudfront_domain,
        "Version": row.version,
        "Status": "ACTIVE",
        "CustomDomainConfig": dict(row.custom_config or {}),
        "ManagedLoginVersion": row.managed_login_version,
    }


def _custom_cloudfront(domain: str) -> str:
    # A distribution name of CloudFront's shape, stable for the domain: d + 13 lower-case base32 characters.
    digest = hashlib.sha256(domain.encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "d" + "".join(alphabet[byte % 32] for byte in digest[:13]) + ".cloudfront.net"


# --- serving a stored domain (emulator.http.domain_site) ------------------------------------------------
# The local stand-in for <prefix>.auth.<region>.amazoncognito.com: browsers map every *.localhost name to
# the loopback address, so <prefix>.auth.<region>.localhost reaches the emulator without any DNS set-up.
LOCAL_PREFIX_HOST = re.compile(
    r"^(?P<prefix>[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)\.auth\.(?P<region>[a-z0-9\-]+)\.localhost$"
)


@dataclass(frozen=True, slots=True)
class ServedDomain:
    """A stored UserPoolDomain as the domain site serves it."""

    domain: str  # the stored Domain: a prefix, or a custom domain's FQDN
    pool_id: str
    region: str  # the pool's region
    custom: bool
    managed_login_version: int


def served(db: Session, name: str) -> ServedDomain | None:
    """The stored domain ``name`` (a prefix or a custom FQDN, any case), or None."""
    name = name.lower()
    if not name or len(name) > 253:
        return None
    row = db.get(UserPoolDomain, name)
    if row is None:
        return None
    pool = db.get(UserPool, row.pool_id)
    if pool is None:
        return None
    return ServedDomain(row.domain, row.pool_id, pool.region, row.custom, row.managed_login_version)


def served_by_host(db: Session, host: str) -> ServedDomain | None:
    """The domain a Host name (no port) stands for: ``<prefix>.auth.<region>.localhost`` for a prefix domain
    of a pool in that region, or a custom domain's own name."""
    host = host.lower().rstrip(".")
    local = LOCAL_PREFIX_HOST.match(host)
    if local is not None:
        found = served(db, local["prefix"])
        return found if found is not None and not found.custom and found.region == local["region"] else None
    found = served(db, host)
    return found if found is not None and found.custom else None


def is_custom_domain(db: Session, host: str) -> bool:
    """A stored custom domain has this name (the Host allow-list serves those)."""
    row = db.get(UserPoolDomain, host.lower().rstrip("."))
    return row is not None and row.custom
