"""``PoolDomain``: what every route of a pool domain finds in ``request.state.pool_domain``
(set by emulator.http.domain_site, which imports the routes; they import this module, not that one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PoolDomain:
    """The stored domain a request came for.

    ``domain``: the stored Domain (a prefix, or a custom domain's FQDN); ``pool_id``; ``region``: the pool's;
    ``custom``: a custom domain; ``managed_login_version``: 1 the classic hosted UI, 2 managed login;
    ``base_url``: the domain's root as this client reached it, without a trailing slash
    (``https://localhost:9230/my-app`` or ``http://my-app.auth.us-east-1.localhost:9229``).
    """

    domain: str
    pool_id: str
    region: str
    custom: bool
    managed_login_version: int
    base_url: str
