"""The browser origins the emulator serves: loopback ones always, others only when ``--cors-origin`` names
them (wildcards allowed: ``https://*.example.com``, ``http://localhost:*``), everything with ``'*'``.

An attacker's page runs in the developer's own browser, so listening on 127.0.0.1 alone protects nothing:
the origin a browser declares is what tells the developer's app from any other site.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

ANY = "*"
# What a wildcard may stand for: host labels or a port, never a path, a user or another scheme.
_WILDCARD = "[a-z0-9.-]*"


def is_loopback_host(host: str) -> bool:
    """``localhost``, ``*.localhost``, 127.0.0.0/8 and ::1 (``host`` without port or brackets)."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise(origin: str) -> str:
    """``scheme://host[:port]`` in lower case, without a trailing slash."""
    return origin.strip().rstrip("/").lower()


def _pattern(origin: str) -> re.Pattern[str]:
    return re.compile(
        "".join(_WILDCARD if part == "*" else re.escape(part) for part in re.split(r"(\*)", origin))
    )


class OriginPolicy:
    """``allows(origin)`` for the ``Origin`` header of a request (or the origin of its ``Referer``)."""

    def __init__(self, extra: list[str], *, public_url: str | None = None) -> None:
        items = [normalise(item) for item in extra if item.strip()]
        self.any = ANY in items
        self.named = items
        if public_url:
            items.append(origin_of(public_url) or "")
        self.exact = frozenset(item for item in items if item and "*" not in item)
        self.patterns = [_pattern(item) for item in items if "*" in item and item != ANY]
        self._seen: dict[str, bool] = {}

    def allows(self, origin: str) -> bool:
        if self.any:
            return True
        known = self._seen.get(origin)
        if known is None:
            known = self._decide(origin)
            if len(self._seen) < 1024:  # a cache, not a record of every origin a page can invent
                self._seen[origin] = known
        return known

    def _decide(self, origin: str) -> bool:
        value = normalise(origin)
        if value in self.exact:
            return True
        try:
            parts = urlsplit(value)
        except ValueError:
            return False
        if parts.scheme in ("http", "https") and parts.hostname and is_loopback_host(parts.hostname):
            return True
        return any(pattern.fullmatch(value) for pattern in self.patterns)

    def describe(self) -> str:
        """For the refusal message and the README: what is allowed now."""
        if self.any:
            return "any origin (--cors-origin '*')"
        loopback = "loopback origins (localhost, *.localhost, 127.0.0.1, [::1])"
        return loopback + (" and " + ", ".join(self.named) if self.named else "")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL (a Referer), or None when it has none."""
    try:
        parts = urlsplit(url.strip())
        if not parts.scheme or not parts.netloc:
            return None
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}".lower()
    except ValueError:
        return None
