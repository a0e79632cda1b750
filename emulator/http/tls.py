"""``serve --tls``: the HTTPS listener's certificate, and how to trust it.

Amplify JS builds every OAuth URL as ``https://`` + ``oauth.domain``, so a pool domain has to be reachable over
HTTPS. The listener uses the user's own certificate (``--tls-cert``/``--tls-key``, e.g. from mkcert) or one
issued by a local CA that the emulator creates once (``emulator.crypto.local_ca``) and keeps in ``--tls-dir``
(default: the SQLite database's directory, else ``./.cognito-emulator``), under ``tls/``. The CA's server
certificate names ``localhost``, ``127.0.0.1``, ``::1``, ``*.auth.<region>.localhost`` for every region
(the local stand-ins of ``<prefix>.auth.<region>.amazoncognito.com``), the bind address and the
``--public-url`` host; custom domains need ``--tls-cert``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from emulator.config import Settings
from emulator.crypto import local_ca
from emulator.store.database import normalise_url

# Regions of Amazon Cognito user pools (and the emulator's --region, whatever it is).
REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "ca-west-1",
    "sa-east-1",
    "mx-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "us-gov-west-1",
    "us-gov-east-1",
)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    # The local CA's certificate; None for the user's own certificate.
    ca: Path | None


def directory(settings: Settings) -> Path:
    """Where the local CA lives: ``--tls-dir``, the SQLite database's directory, or ./.cognito-emulator."""
    if settings.tls_dir:
        return Path(settings.tls_dir).expanduser() / "tls"
    url = normalise_url(settings.database)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).expanduser().resolve().parent / "tls"
    return Path(".cognito-emulator").resolve() / "tls"


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def server_names(settings: Settings) -> list[str]:
    """What the local CA's server certificate names."""
    names = ["localhost", "127.0.0.1", "::1"]
    regions = dict.fromkeys([settings.region, *REGIONS])
    names += [f"*.auth.{region}.localhost" for region in regions]
    extra = [settings.host]
    if settings.public_url:
        extra.append(urlsplit(settings.public_url).hostname or "")
    for name in extra:
        name = (name or "").strip("[]").lower()
        if not name or name in ("0.0.0.0", "::"):
            continue
        if _is_address(name) or re.fullmatch(r"[a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?", name):
            names.append(name)
    return list(dict.fromkeys(names))


def certificate(settings: Settings) -> Certificate:
    """The listener's certificate: the user's own, or the local CA's (created or renewed as needed)."""
    if settings.tls_cert:
        return Certificate(Path(settings.tls_cert), Path(settings.tls_key or settings.tls_cert), None)
    files = local_ca.ensure_leaf(directory(settings), server_names(settings))
    return Certificate(files.cert, files.key, files.ca_cert)


def uvicorn_options(cert: Certificate) -> dict[str, str]:
    return {"ssl_certfile": str(cert.cert), "ssl_keyfile": str(cert.key)}


def trust_instructions(settings: Settings, cert: Certificate) -> str:
    """What ``cognito-emulator ca`` prints: the CA's path and the ways to trust it."""
    spki = local_ca.spki_hash(cert.cert.read_bytes())
    ca = cert.ca or cert.cert
    lines = [
        f"CA certificate: {ca}",
        f"Server certificate: {cert.cert}",
        f"HTTPS listener: https://localhost:{settings.tls_port} (serve --tls)",
        "",
        "Trust it in one of these ways:",
        f"  Node (Amplify JS in Node, npm scripts):  export NODE_EXTRA_CA_CERTS={ca}",
        f"  Python (httpx, requests):                verify={str(ca)!r}  (or SSL_CERT_FILE / REQUESTS_CA_BUNDLE={ca})",
        f"  curl:                                    curl --cacert {ca} https://localhost:{settings.tls_port}/",
        f"  Chromium / Chrome (Playwright too):      --ignore-certificate-errors-spki-list={spki}",
        "  The OS store (every browser of this machine):",
        f"    Debian/Ubuntu: sudo cp {ca} /usr/local/share/ca-certificates/cognito-emulator.crt && "
        "sudo update-ca-certificates",
        f"    macOS:         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {ca}",
        f"    Windows:       certutil -addstore -f ROOT {ca}",
        f"    Firefox, and Chromium on Linux (NSS): certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n cognito-emulator -i {ca}",
    ]
    if cert.ca is None:
        lines.insert(0, "Using your own certificate (--tls-cert): trust the CA that issued it.")
    return "\n".join(lines)
