"""The Host header values the emulator serves, against DNS rebinding: a page on ``evil.example`` whose name
is made to resolve to 127.0.0.1 is same-origin with the emulator as far as the browser knows, but its
requests still say ``Host: evil.example``.

Served: loopback names and addresses, any IP address (a browser sends one only when the user typed it:
rebinding needs a name), the host of ``--public-url``, the bind address, and ``--allowed-host`` additions
(``cognito``, ``*.example.com``; ``'*'`` serves every host). As Vite and webpack-dev-server do.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from urllib.parse import urlsplit

from emulator.guard.origins import ANY, is_loopback_host


def split_host(value: str) -> str:
    """The host of a Host header value: no port, no brackets, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class HostPolicy:
    """``allows(host_header)`` for the raw Host header value (with its port)."""

    def __init__(
        self, extra: list[str], *, public_url: str | None = None, bind_host: str | None = None
    ) -> None:
        names = [item.strip().lower().rstrip(".") for item in extra if item.strip()]
        self.any = ANY in names
        self.named = names
        if public_url:
            host = urlsplit(public_url).hostname
            if host:
                names.append(host.lower())
        if bind_host and bind_host not in ("0.0.0.0", "::", ""):
            names.append(bind_host.lower())
        self.exact = frozenset(name for name in names if "*" not in name)
        self.patterns = [name for name in names if "*" in name and name != ANY]
        self._seen: dict[str, bool] = {}

    def allows(self, header: str) -> bool:
        if self.any:
            return True
        known = self._seen.get(header)
        if known is None:
            known = self._decide(header)
            if len(self._seen) < 1024:
                self._seen[header] = known
        return known

    def _decide(self, header: str) -> bool:
        host = split_host(header).rstrip(".")
        if not host:
            return False
        if host in self.exact or is_loopback_host(host) or _is_ip(host):
            return True
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.patterns)

    def describe(self) -> str:
        if self.any:
            return "any host (--allowed-host '*')"
        base = "localhost, *.localhost, IP addresses"
        return base + (", " + ", ".join(sorted(self.exact)) if self.exact else "")
