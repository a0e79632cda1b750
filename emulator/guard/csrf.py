"""State-changing ``/_emulator`` requests (reset, the clock, the outbox, console actions, fixture loading)
must be ones no foreign page can make: a JSON body with its content type, or a custom header
(``X-Emulator-Token``, ``Authorization``), both of which a browser sends cross-origin only after a CORS
preflight; or, for the console's HTML forms, the console's CSRF token in a ``csrf_token`` field.

A plain form post or ``fetch(url, {mode: 'no-cors', body})`` carries neither. The token is one random value
per database (``EmulatorState``), so every worker and every host on one database agrees on it, and a reset
keeps it (an open console page still works).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from sqlalchemy.exc import IntegrityError

from emulator.core import Emulator
from emulator.store.models import EmulatorState

TOKEN_KEY = "console_csrf_token"
FIELD = "csrf_token"
FORM = "application/x-www-form-urlencoded"
# Methods an HTML form or a no-cors fetch can send; DELETE, PUT and PATCH always need a CORS preflight.
SIMPLE_METHODS = frozenset({"POST"})
CUSTOM_HEADERS = frozenset({b"x-emulator-token", b"authorization"})


def console_token(emulator: Emulator) -> str:
    """The CSRF token of the console's forms (made on first use)."""
    with emulator.database.session(write=False) as session:
        token = emulator.database.get_state(session, TOKEN_KEY)
    if token is not None:
        return token
    try:
        with emulator.database.session() as session, session.begin():
            session.add(EmulatorState(key=TOKEN_KEY, value=secrets.token_urlsafe(32)))
    except IntegrityError:
        pass  # another worker made it first
    with emulator.database.session(write=False) as session:
        token = emulator.database.get_state(session, TOKEN_KEY)
    if token is None:  # written a moment ago: only a database that drops writes gets here
        raise RuntimeError("the console's CSRF token could not be stored")
    return token


def media_type(content_type: bytes | None) -> str:
    return (content_type or b"").split(b";", 1)[0].strip().lower().decode("latin-1")


def is_json(kind: str) -> bool:
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def form_token_matches(emulator: Emulator, body: bytes) -> bool:
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    given = fields.get(FIELD, [""])[0]
    return bool(given) and hmac.compare_digest(given.encode(), console_token(emulator).encode())
