"""Where each Lambda function runs: mappings from a function ARN or name to a target, kept in the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.store.models import EmulatorState

_PREFIX = "lambda:"
DEFAULT_KEY = _PREFIX + "*"


def function_name(arn_or_name: str) -> str:
    """``my-fn`` of ``arn:aws:lambda:us-east-1:123456789012:function:my-fn[:alias]`` (or the name itself)."""
    if arn_or_name.startswith("arn:"):
        parts = arn_or_name.split(":")
        if len(parts) >= 7 and parts[5] == "function":
            return parts[6]
    return arn_or_name


def set_target(session: Session, function: str, target: str) -> None:
    """Map a function (ARN or name; ``*`` for the default Invoke endpoint) to a target."""
    key = DEFAULT_KEY if function == "*" else _PREFIX + function
    row = session.get(EmulatorState, key)
    if row is None:
        session.add(EmulatorState(key=key, value=target))
    else:
        row.value = target


def parse_mapping(text: str) -> tuple[str, str]:
    """``NAME=TARGET`` from the command line or environment."""
    name, sep, target = text.partition("=")
    if not sep or not name.strip() or not target.strip():
        raise ValueError(f"a trigger mapping is NAME=TARGET, got {text!r}")
    target = target.strip()
    if target == "python:" or not target.startswith(("python:", "http://", "https://")):
        raise ValueError(f"a trigger target is python:module:function or http(s)://host:port, got {target!r}")
    return name.strip(), target


def resolve(session: Session, arn: str) -> str | None:
    """The target for this function: its ARN, its name, then the default endpoint."""
    keys = [_PREFIX + arn, _PREFIX + function_name(arn), DEFAULT_KEY]
    rows = dict(
        session.execute(
            select(EmulatorState.key, EmulatorState.value).where(EmulatorState.key.in_(keys))
        ).all()
    )
    for key in keys:
        if key in rows:
            return rows[key]
    return None
