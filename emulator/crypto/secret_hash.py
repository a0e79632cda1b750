"""SECRET_HASH: what a client that has a client secret must send with USERNAME.

SECRET_HASH = base64(HMAC-SHA256(key=client_secret, msg=username || client_id)), all UTF-8. Which
user name goes in (the one typed, an alias, or the internal user name/sub) depends on the operation;
that is the caller's business, this module only does the arithmetic.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def compute_secret_hash(client_id: str, client_secret: str, username: str) -> str:
    """base64(HMAC-SHA256(key=client_secret, msg=username + client_id)).

    Raises ValueError (UnicodeEncodeError) for strings that cannot be UTF-8 encoded.
    """
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_secret_hash(client_id: str, client_secret: str, username: str, provided: str) -> bool:
    """True if ``provided`` is exactly the expected SECRET_HASH (constant-time comparison).

    Never raises: a missing, non-string, non-ASCII or otherwise wrong value gives False, and so does a
    username that cannot be encoded. The comparison is on the base64 text, so a variant spelling of
    the same bytes (e.g. without "=" padding) is rejected.
    """
    if not isinstance(provided, str) or not provided.isascii():
        return False  # compare_digest raises TypeError on non-ASCII str
    try:
        expected = compute_secret_hash(client_id, client_secret, username)
    except (UnicodeError, TypeError):
        return False
    return hmac.compare_digest(expected, provided)
