"""The AWS service models shipped inside this package, and request validation against them.

``emulator/protocol/service_models/<service>.json`` is botocore's ``service-2`` model of that service without its
documentation strings, regenerated from a named botocore release by ``scripts/update_service_model.py``
(the file records which). The installed botocore, if any, is never read: the protocol the emulator speaks
changes only with a commit that updates these files.

Shape checks are generic, driven by the model: required members, JSON types, string and list lengths,
patterns, enums and numeric ranges. Messages follow AWS's wording, e.g.
``1 validation error detected: Value 'x' at 'userPoolId' failed to satisfy constraint: Member must ...``.
A JSON value of the wrong type is a SerializationException, as the real service answers.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import orjson
import regex

from emulator.protocol.errors import InvalidParameterException, SerializationException

SERVICE = "cognito-idp"
MODELS = "service_models"


@cache
def load(service: str) -> dict[str, Any]:
    """The shipped model of ``service`` (e.g. ``cognito-idp``, ``cognito-identity``)."""
    path = resources.files("emulator.protocol").joinpath(MODELS, f"{service}.json")
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise LookupError(f"no service model is shipped for {service!r}") from None


def model(service: str = SERVICE) -> dict[str, Any]:
    return load(service)


def source(service: str = SERVICE) -> str:
    """Where the shipped model came from, e.g. ``botocore 1.44.8``."""
    origin = load(service)["source"]
    return f"{origin['package']} {origin['version']}"


def target_prefix(service: str = SERVICE) -> str:
    return load(service)["metadata"]["targetPrefix"]


def operation_names(service: str = SERVICE) -> list[str]:
    return sorted(load(service)["operations"])


def shape(name: str, service: str = SERVICE) -> dict[str, Any]:
    return load(service)["shapes"][name]


def input_shape_name(operation: str, service: str = SERVICE) -> str | None:
    return load(service)["operations"][operation].get("input", {}).get("shape")


# Java's \w, \d and \s are ASCII-only while its \p{..} classes are Unicode. A regex.ASCII flag would make
# \p{L} ASCII-only too (and refuse a username like "zoë"), so the shorthands are spelled out instead.
_JAVA_SHORTHANDS = {"w": "0-9A-Za-z_", "d": "0-9", "s": " \t\n\x0b\f\r"}


def _java_to_python(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            index += 2
            ranges = _JAVA_SHORTHANDS.get(escaped.lower())
            if ranges is None:
                out.append(char + escaped)
            elif escaped.islower():
                out.append(ranges if in_class else f"[{ranges}]")
            elif not in_class:
                out.append(f"[^{ranges}]")
            elif out and out[-1] == "[" and pattern[index : index + 1] == "]":
                out[-1] = f"[^{ranges}"  # a class of just the negated shorthand, e.g. [\S]
            else:
                out.append(char + escaped)  # a negated shorthand among others: keep (Unicode) semantics
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


@cache
def _pattern(pattern: str) -> regex.Pattern[str]:
    return regex.compile(_java_to_python(pattern))


def _camel(member: str) -> str:
    return member[:1].lower() + member[1:]


def _describe(value: Any) -> str:
    # AWS quotes every value, lists too: Value '[]' at 'customAttributes' ...
    if isinstance(value, list):
        return "'[" + ", ".join(str(v) for v in value) + "]'"
    return f"'{value}'"


# Shapes whose model pattern Cognito itself does not apply: DomainType has no dots, yet custom domains are
# fully qualified names; the domain operations check the names with Cognito's own messages.
_PATTERNS_NOT_APPLIED = frozenset({"DomainType"})


def pattern_of(shape_name: str, service: str = SERVICE) -> str | None:
    """The pattern a value of the shape must match, as Cognito applies it (None: no pattern checked)."""
    return None if shape_name in _PATTERNS_NOT_APPLIED else shape(shape_name, service).get("pattern")


class _Validator:
    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self.shapes: dict[str, Any] = load(service)["shapes"]
        self.errors: list[str] = []

    def fail(self, path: str, value: Any, constraint: str, sensitive: bool) -> None:
        shown = "" if sensitive or value is None else f" {_describe(value)}"
        if value is None:
            shown = " null"
        self.errors.append(f"Value{shown} at '{path}' failed to satisfy constraint: Member must {constraint}")

    def check(self, shape_name: str, value: Any, path: str, sensitive: bool = False) -> Any:
        """Check ``value`` against the shape; return it, with integral floats (``10.0``) made ints."""
        spec = self.shapes[shape_name]
        kind = spec["type"]
        sensitive = sensitive or bool(spec.get("sensitive"))
        if kind == "structure":
            if not isinstance(value, dict):
                raise SerializationException(
                    f"Unexpected value type for '{path or shape_name}': expected an object"
                )
            self.check_structure(shape_name, value, path, sensitive)
        elif kind == "list":
            if not isinstance(value, list):
                raise SerializationException(f"Unexpected value type for '{path}': expected a list")
            self.check_length(spec, len(value), value, path, sensitive, unit="length")
            member = spec["member"]["shape"]
            for index, item in enumerate(value, start=1):
                value[index - 1] = self.check(member, item, f"{path}.{index}.member", sensitive)
        elif kind == "map":
            if not isinstance(value, dict):
                raise SerializationException(f"Unexpected value type for '{path}': expected an object")
            self.check_length(spec, len(value), value, path, sensitive, unit="length")
            for key, item in value.items():
                self.check(spec["key"]["shape"], key, f"{path}.key", sensitive)
                value[key] = self.check(spec["value"]["shape"], item, f"{path}.{key}.value", sensitive)
        elif kind == "string":
            if not isinstance(value, str):
                raise SerializationException(f"{_json_kind(value)} can not be converted to a String")
            self.check_length(spec, len(value), value, path, sensitive, unit="length")
            if "enum" in spec and value not in spec["enum"]:
                self.fail(path, value, f"satisfy enum value set: [{', '.join(spec['enum'])}]", sensitive)
            pattern = pattern_of(shape_name, self.service)
            if pattern and value and not _pattern(pattern).fullmatch(value):
                self.fail(path, value, f"satisfy regular expression pattern: {pattern}", sensitive)
        elif kind in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise SerializationException(f"{_json_kind(value)} can not be converted to an Integer")
            # A Java Integer or Long on AWS's side: a number outside its range does not deserialise.
            bits = 31 if kind == "integer" else 63
            if not -(2**bits) <= value < 2**bits:
                raise SerializationException(
                    f"{_json_kind(value)} can not be converted to an {'Integer' if kind == 'integer' else 'Long'}"
                )
            if "min" in spec and value < spec["min"]:
                self.fail(path, value, f"have value greater than or equal to {spec['min']}", sensitive)
            if "max" in spec and value > spec["max"]:
                self.fail(path, value, f"have value less than or equal to {spec['max']}", sensitive)
        elif kind == "boolean":
            if not isinstance(value, bool):
                raise SerializationException(f"{_json_kind(value)} can not be converted to a Boolean")
        elif kind == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise SerializationException(f"{_json_kind(value)} can not be converted to a Timestamp")
        elif kind == "blob":
            if not isinstance(value, str):
                raise SerializationException(f"{_json_kind(value)} can not be converted to a Blob")
            self.check_length(spec, len(value) * 3 // 4, value, path, sensitive, unit="length")
        return value

    def check_length(self, spec: dict, size: int, value: Any, path: str, sensitive: bool, unit: str) -> None:
        if "min" in spec and size < spec["min"]:
            self.fail(path, value, f"have {unit} greater than or equal to {spec['min']}", sensitive)
        if "max" in spec and size > spec["max"]:
            self.fail(path, value, f"have {unit} less than or equal to {spec['max']}", sensitive)

    def check_structure(self, shape_name: str, value: dict, path: str, sensitive: bool) -> None:
        spec = self.shapes[shape_name]
        members = spec.get("members", {})
        for required in spec.get("required", []):
            if value.get(required) is None:
                self.fail(_join(path, _camel(required)), None, "not be null", sensitive)
        for name, item in value.items():
            member = members.get(name)
            if member is None or item is None:
                continue  # unknown members are ignored, as the AWS JSON protocol does
            value[name] = self.check(member["shape"], item, _join(path, _camel(name)), sensitive)


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, dict):
        return "START_OBJECT"
    return "NULL"


def validate_request(operation: str, body: dict[str, Any], service: str = SERVICE) -> None:
    """Raise InvalidParameterException / SerializationException when ``body`` breaks the model.

    Integral floats (``"MaxResults": 10.0``) are accepted as integers and replaced in ``body`` by ints,
    so operations can rely on the types of the model.
    """
    name = input_shape_name(operation, service)
    if name is None:
        return
    validator = _Validator(service)
    validator.check_structure(name, body, "", False)
    if validator.errors:
        count = len(validator.errors)
        noun = "error" if count == 1 else "errors"
        raise InvalidParameterException(f"{count} validation {noun} detected: " + "; ".join(validator.errors))
