"""Log lines a person can read (``--log-format text``) or a machine can parse (``--log-format json``).

Every request is one line (operation, pool, user, HTTP status, outcome, milliseconds; see emulator.http.wire) and
every message the outbox "sends" is one line with its code. In text format the code stands out: bold and
inverted on a terminal, ``[[ 123456 ]]`` elsewhere. In JSON format each line is one object with ``time``,
``level``, ``logger``, ``message`` and the line's fields (``operation``, ``pool``, ``user``, ``status``,
``outcome``, ``ms`` for a request; ``channel``, ``destination``, ``code``, ``purpose``, ``pool``, ``user`` for
a message), so ``jq 'select(.code)'`` finds every code.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)-5s %(name)s: %(message)s"

# The outbox's line (emulator.userpools.outbox.send_message): channel, destination, code, purpose, pool, user.
_OUTBOX_LOGGER = "emulator.outbox"
_OUTBOX_MESSAGE = "%s to %s code=%s purpose=%s pool=%s user=%s"
_OUTBOX_FIELDS = ("channel", "destination", "code", "purpose", "pool", "user")
# Fields emulator.http.wire attaches to its request line (``extra={"request": {...}}``).
_REQUEST_ATTRIBUTE = "request"
# Fields any other line may carry in JSON format (``extra={"fields": {...}}``), e.g. the start-up banner's.
_FIELDS_ATTRIBUTE = "fields"

_BOLD_INVERSE = "\033[1;7m"
_GREEN = "\033[32m"
_RED = "\033[31m"
_DIM = "\033[2m"
_RESET = "\033[0m"


def use_color(stream: TextIO) -> bool:
    """Colors on a terminal, unless NO_COLOR is set; FORCE_COLOR forces them (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def outbox_fields(record: logging.LogRecord) -> dict[str, Any] | None:
    """The fields of an outbox line, or None for any other record."""
    if record.name != _OUTBOX_LOGGER or record.msg != _OUTBOX_MESSAGE:
        return None
    args = record.args if isinstance(record.args, tuple) else ()
    if len(args) != len(_OUTBOX_FIELDS):
        return None
    fields = dict(zip(_OUTBOX_FIELDS, args, strict=True))
    if fields["code"] in ("-", None):
        fields["code"] = None
    return fields


def highlight_code(code: str, color: bool) -> str:
    return f"{_BOLD_INVERSE} {code} {_RESET}" if color else f"[[ {code} ]]"


class TextFormatter(logging.Formatter):
    """The classic one-line format, with the outbox's codes made hard to miss."""

    def __init__(self, color: bool = False) -> None:
        super().__init__(TEXT_FORMAT)
        self.color = color

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's API
        fields = outbox_fields(record)
        if fields is not None:
            code = f"code {highlight_code(fields['code'], self.color)}" if fields["code"] else "no code"
            record.message = (
                f"{fields['channel']} to {fields['destination']}  {code}  "
                f"purpose={fields['purpose']} pool={fields['pool']} user={fields['user']}"
            )
        elif self.color and isinstance(getattr(record, _REQUEST_ATTRIBUTE, None), dict):
            request = getattr(record, _REQUEST_ATTRIBUTE)
            outcome = str(request.get("outcome"))
            paint = _GREEN if outcome == "OK" else _RED
            record.message = record.message.replace(f" {outcome} ", f" {paint}{outcome}{_RESET} ", 1)
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = outbox_fields(record)
        if fields is not None:
            entry.update(fields)
        for attribute in (_REQUEST_ATTRIBUTE, _FIELDS_ATTRIBUTE):
            extra = getattr(record, attribute, None)
            if isinstance(extra, dict):
                entry.update({key: value for key, value in extra.items() if value is not None})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def make_handler(fmt: str = "text", stream: TextIO | None = None) -> logging.Handler:
    stream = stream or sys.stderr
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(color=use_color(stream)))
    return handler


def configure(level: str = "info", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Send every log record (the emulator's and uvicorn's) to one handler in the chosen format."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(make_handler(fmt, stream))
    root.setLevel(getattr(logging, level.upper()))
    # uvicorn's loggers propagate to the root handler (uvicorn is started with log_config=None).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
