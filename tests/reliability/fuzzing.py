"""Hypothesis strategies built from the service models (cognito-idp, and cognito-identity for the identity
pools on the same port), and the checks every answer must pass.

For any operation of the model a request is drawn member by member from the operation's input shape:
mostly values that fit the shape (types, lengths, enums), mixed with deliberately wrong ones: oversize
strings, odd unicode, wrong JSON types, missing required members, unknown members. Identifiers (pool and
client ids, user names, tokens, sessions) are often real ones, so requests get past the first lookup and
reach the code behind it. Besides requests of the model, raw garbage: random JSON, non-object bodies,
invalid UTF-8, unknown targets.

Used by tests/reliability/test_fuzz.py (bounded) and scripts/fuzz_long.py (long runs).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
from hypothesis import strategies as st

from emulator.identitypools.operations import load_all as load_identity_operations
from emulator.protocol import errors, service_model
from emulator.userpools.operations import load_all

IDENTITY = "cognito-identity"
TARGET_PREFIX = service_model.target_prefix()
IDENTITY_PREFIX = service_model.target_prefix(IDENTITY)
OPERATIONS = sorted(service_model.operation_names())
IDENTITY_OPERATIONS = sorted(service_model.operation_names(IDENTITY))
# The ones the emulator has built (the others answer NotImplementedException at once): drawn far more often.
BUILT = sorted(set(load_all()) & set(OPERATIONS))
IDENTITY_BUILT = sorted(set(load_identity_operations()) & set(IDENTITY_OPERATIONS))
# Every __type the emulator may answer: the classes of emulator.protocol.errors.
COGNITO_ERRORS = frozenset(
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.CognitoError) and value is not errors.CognitoError
)
# An operation the emulator has not built answers 501 NotImplementedException on purpose; nothing else
# may answer with a 5xx.
ALLOWED_5XX = {(501, "NotImplementedException")}
MAX_DEPTH = 5

# Keys of AuthParameters / ChallengeResponses and friends, so maps are not only random strings.
KNOWN_MAP_KEYS = [
    "USERNAME",
    "PASSWORD",
    "NEW_PASSWORD",
    "SRP_A",
    "SECRET_HASH",
    "REFRESH_TOKEN",
    "DEVICE_KEY",
    "PREFERRED_CHALLENGE",
    "ANSWER",
    "SMS_MFA_CODE",
    "EMAIL_OTP_CODE",
    "SOFTWARE_TOKEN_MFA_CODE",
    "PASSWORD_CLAIM_SIGNATURE",
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "TIMESTAMP",
    "CREDENTIAL",
    "userAttributes.email",
    "email",
    "custom:tier",
]

WRONG_TYPES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e\u0301",
            "zoë",
            "\U0001f600" * 3,
            "' OR 1=1 --",
            "%s%s%n",
            "../../etc/passwd",
            "a" * 300,
            "us-east-1_",
            "us-east-1_\U0001f600",
            "eyJhbGciOiJub25lIn0.e30.",
            "null",
        ]
    ),
)


@dataclass
class World:
    """Real identifiers that drawn requests pick from, keyed by member name. The values may be replaced
    while a run goes on (e.g. after a request deleted the pool): strategies read them when they draw."""

    known: dict[str, list[str]] = field(default_factory=dict)
    # The service whose model the requests are drawn from.
    service: str = service_model.SERVICE

    def picks(self, member: str | None) -> st.SearchStrategy[str] | None:
        """One of the current values for ``member``, or None when the world has none for it."""
        if not self.known.get(member or ""):
            return None
        return st.integers(0, 99).map(
            lambda index: (lambda values: values[index % len(values)])(self.known[member])
        )


def _shapes(service: str = service_model.SERVICE) -> dict[str, Any]:
    return service_model.model(service)["shapes"]


# \p{..} classes (which Python's re lacks) as a few characters of each, to draw strings that fit a pattern.
_CLASS_STAND_INS = {
    "L": "a-zA-Z\u00e9\u4e2d",
    "M": "\u0301",
    "S": "+<=>|~$",
    "N": "0-9",
    "P": ".,!?@_#",
    "Z": " ",
}


@cache
def _fitting_strings(pattern: str | None, low: int, high: int) -> st.SearchStrategy[str]:
    """Strings that pass the model's own check of ``pattern`` (the emulator's regex), within the lengths."""
    if pattern is None:
        return st.text(min_size=low, max_size=high)
    check = service_model._pattern(pattern)
    python = re.sub(
        r"\\p\{(\w)\}",
        lambda m: _CLASS_STAND_INS.get(m.group(1), "a"),
        service_model._java_to_python(pattern),
    )
    try:
        strings = st.from_regex(python, fullmatch=True)
    except Exception:
        strings = st.text(min_size=low, max_size=high)
    return strings.filter(lambda text: low <= len(text) <= high and check.fullmatch(text) is not None)


def _oversize(limit: int) -> st.SearchStrategy[str]:
    return st.integers(min_value=limit + 1, max_value=limit + 3).map(lambda size: "x" * size)


def valid_value(
    shape_name: str, world: World, member: str | None = None, depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values of ``shape_name`` that pass the model's checks (and real identifiers where there are some)."""
    spec = _shapes(world.service)[shape_name]
    kind = spec["type"]
    if kind == "string":
        known = world.picks(member)
        if "enum" in spec:
            return st.sampled_from(spec["enum"])
        low, high = spec.get("min", 0), min(spec.get("max", 64), 64)
        fitting = _fitting_strings(spec.get("pattern"), low, max(low, high))
        return st.one_of(known, known, fitting) if known is not None else fitting
    if kind in ("integer", "long"):
        return st.integers(min_value=spec.get("min", 0), max_value=spec.get("max", 2**31))
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.floats(min_value=0, max_value=4e9)
    if kind == "blob":
        return st.binary(max_size=30).map(lambda raw: __import__("base64").b64encode(raw).decode())
    if kind == "list":
        high = min(spec.get("max", 3), 3)
        if depth > MAX_DEPTH:
            return st.just([])
        item = valid_value(spec["member"]["shape"], world, member, depth + 1)
        return st.lists(item, min_size=min(spec.get("min", 0), high), max_size=high)
    if kind == "map":
        if depth > MAX_DEPTH:
            return st.just({})
        values = valid_value(spec["value"]["shape"], world, None, depth + 1)
        return st.dictionaries(st.sampled_from(KNOWN_MAP_KEYS), values, max_size=4)
    if kind == "structure":
        return structure(shape_name, world, depth, valid=True)
    return st.none()


def value(shape_name: str, world: World, member: str | None = None, depth: int = 0) -> st.SearchStrategy[Any]:
    """Mostly well-formed values of ``shape_name``, sometimes deliberately wrong ones."""
    spec = _shapes(world.service)[shape_name]
    kind = spec["type"]
    if depth > MAX_DEPTH:
        return WRONG_TYPES
    wrong = WRONG_TYPES
    if kind == "string":
        options: list[st.SearchStrategy[Any]] = []
        known = world.picks(member)
        if known is not None:
            options.append(known)
        if "enum" in spec:
            options.append(st.sampled_from(spec["enum"]))
        low, high = spec.get("min", 0), min(spec.get("max", 64), 64)
        options.append(st.text(min_size=low, max_size=max(low, high)))
        good = st.one_of(*options)
        bad = st.one_of(ODD_TEXT, _oversize(spec["max"]) if "max" in spec else ODD_TEXT, wrong)
        return st.one_of(good, good, good, bad)
    if kind in ("integer", "long"):
        low, high = spec.get("min", -(2**31)), spec.get("max", 2**31)
        good = st.integers(min_value=low, max_value=high)
        bad = st.one_of(st.integers(), st.sampled_from([low - 1, high + 1, 2**63, -(2**63) - 1]), wrong)
        return st.one_of(good, good, bad)
    if kind == "boolean":
        return st.one_of(st.booleans(), st.booleans(), wrong)
    if kind == "timestamp":
        return st.one_of(st.floats(min_value=0, max_value=4e9), st.text(max_size=30), wrong)
    if kind == "blob":
        return st.one_of(
            st.binary(max_size=30).map(lambda raw: __import__("base64").b64encode(raw).decode()), wrong
        )
    if kind == "list":
        item = value(spec["member"]["shape"], world, member, depth + 1)
        high = min(spec.get("max", 4), 4)
        good = st.lists(item, min_size=min(spec.get("min", 0), high), max_size=high)
        bad = st.one_of(wrong, st.lists(item, min_size=5, max_size=6) if spec.get("max", 99) < 5 else wrong)
        return st.one_of(good, good, bad)
    if kind == "map":
        keys = st.one_of(st.sampled_from(KNOWN_MAP_KEYS), st.text(max_size=20))
        values = value(spec["value"]["shape"], world, None, depth + 1)
        good = st.dictionaries(keys, values, max_size=5)
        return st.one_of(good, good, good, wrong)
    if kind == "structure":
        return st.one_of(structure(shape_name, world, depth), structure(shape_name, world, depth), wrong)
    return wrong


def structure(
    shape_name: str, world: World, depth: int = 0, *, valid: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object for a structure shape. ``valid``: every required member and some optional ones, all
    fitting the model. Otherwise: required members usually present, optional ones sometimes, now and
    then a required one missing or a member the model does not know, and values that may be wrong."""
    spec = _shapes(world.service)[shape_name]
    members = spec.get("members", {})
    required = set(spec.get("required", []))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, member in members.items():
            if valid:
                if name in required or (depth <= MAX_DEPTH and draw(st.booleans())):
                    result[name] = draw(valid_value(member["shape"], world, name, depth + 1))
                continue
            present = draw(st.integers(0, 19)) != 0 if name in required else draw(st.booleans())
            if present:
                result[name] = draw(value(member["shape"], world, name, depth + 1))
        if not valid and draw(st.integers(0, 9)) == 0:
            result[draw(st.text(min_size=1, max_size=12))] = draw(WRONG_TYPES)
        return result

    return build()


def mutated(body: dict[str, Any], shape_name: str, world: World) -> st.SearchStrategy[dict[str, Any]]:
    """``body`` with one or two members spoiled: a wrong type, odd unicode, one character too many, a
    required member missing, or a member the model does not know."""
    spec = _shapes(world.service)[shape_name]
    members = spec.get("members", {})

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        result = dict(body)
        for _ in range(draw(st.integers(1, 2))):
            how = draw(st.sampled_from(["wrong", "odd", "oversize", "missing", "unknown"]))
            name = draw(st.sampled_from(sorted(members))) if members else None
            if how == "unknown" or name is None:
                result[draw(st.text(min_size=1, max_size=12))] = draw(WRONG_TYPES)
            elif how == "missing":
                result.pop(name, None)
            elif how == "wrong":
                result[name] = draw(WRONG_TYPES)
            elif how == "odd":
                result[name] = draw(ODD_TEXT)
            else:
                limit = _shapes(world.service)[members[name]["shape"]].get("max")
                result[name] = draw(
                    _oversize(limit) if isinstance(limit, int) and limit < 10**6 else ODD_TEXT
                )
        return result

    return build()


def request(world: World, operation: str | None = None) -> st.SearchStrategy[tuple[str, Any]]:
    """(operation, JSON body) for ``operation`` or any operation of the model: mostly a request that fits
    the model (so it reaches the operation's own code), or one spoiled in a member or two, or one random
    member by member."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, Any]:
        identity = world.service == IDENTITY
        if operation is not None:
            name = operation
        else:
            every, built = (IDENTITY_OPERATIONS, IDENTITY_BUILT) if identity else (OPERATIONS, BUILT)
            name = draw(st.sampled_from(every) if draw(st.integers(0, 9)) == 0 else st.sampled_from(built))
        shape_name = service_model.input_shape_name(name, world.service)
        if not shape_name:
            return name, {}
        mode = draw(st.sampled_from(["valid", "valid", "mutated", "mutated", "random"]))
        if mode == "random":
            return name, draw(structure(shape_name, world))
        body = draw(structure(shape_name, world, valid=True))
        return name, draw(mutated(body, shape_name, world)) if mode == "mutated" else body

    return build()


RANDOM_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


# Operations after whose success the world's identifiers may no longer work (the test builds a new world).
_SPOILERS = (
    "Delete",
    "AdminDelete",
    "Revoke",
    "GlobalSignOut",
    "AdminUserGlobalSignOut",
    "AdminDisableUser",
    "ChangePassword",
    "AdminSetUserPassword",
    "AdminResetUserPassword",
    "UpdateUserPool",
    "AdminRemoveUserFromGroup",
    "AdminUpdateUserAttributes",
    "UpdateUserAttributes",
)


def spoils_world(operation: str, response: httpx.Response) -> bool:
    return response.status_code == 200 and operation.startswith(_SPOILERS)


def raw_request() -> st.SearchStrategy[tuple[str, bytes, dict[str, str]]]:
    """(target, body bytes, extra headers): garbage at the protocol level."""
    targets = st.one_of(
        st.sampled_from(OPERATIONS).map(lambda name: f"{TARGET_PREFIX}.{name}"),
        st.sampled_from(IDENTITY_OPERATIONS).map(lambda name: f"{IDENTITY_PREFIX}.{name}"),
        st.sampled_from(
            [
                f"{TARGET_PREFIX}.",
                TARGET_PREFIX,
                "",
                "Other.ListUsers",
                f"{TARGET_PREFIX}.Nope",
                f"{IDENTITY_PREFIX}.",
                f"{IDENTITY_PREFIX}.Nope",
                f"{IDENTITY_PREFIX}.ListUsers",
            ]
        ),
        # Header values a client can send at all: visible ASCII (anything else never reaches the server).
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30),
    )
    bodies = st.one_of(
        RANDOM_JSON.map(lambda document: json.dumps(document).encode()),
        st.binary(max_size=64),
        st.sampled_from(
            [b"", b"{", b"[]", b"null", b'{"a":', b"\xff\xfe", b'{"UserPoolId": "\\ud800"}', b"{}" * 3]
        ),
        st.text(max_size=40).map(str.encode),
    )
    content_types = st.sampled_from(
        ["application/x-amz-json-1.1", "application/json", "text/plain", "", "application/x-amz-json-1.0"]
    )
    return st.tuples(
        targets, bodies, content_types.map(lambda value: {"content-type": value} if value else {})
    )


# --- the checks ---------------------------------------------------------------------------------------------
def send(
    http: httpx.Client, target: str, body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    return http.post("/", content=body, headers={"x-amz-target": target, **(headers or {})})


def send_operation(
    http: httpx.Client, operation: str, body: Any, service: str = service_model.SERVICE
) -> httpx.Response:
    prefix = IDENTITY_PREFIX if service == IDENTITY else TARGET_PREFIX
    return send(
        http,
        f"{prefix}.{operation}",
        json.dumps(body).encode(),
        {"content-type": "application/x-amz-json-1.1"},
    )


def check_answer(response: httpx.Response, what: str) -> None:
    """No 5xx (but an honest 501 for an unbuilt operation), and every error a Cognito error type."""
    described = f"{what} -> {response.status_code} {response.text[:300]}"
    if response.status_code == 200:
        assert isinstance(response.json(), dict), described
        return
    document = response.json()
    error_type = document.get("__type")
    assert error_type in COGNITO_ERRORS, described
    assert response.headers.get("x-amzn-errortype") == error_type, described
    assert isinstance(document.get("message"), str), described
    if response.status_code >= 500:
        assert (response.status_code, error_type) in ALLOWED_5XX, described
    else:
        assert 400 <= response.status_code < 500, described


def check_alive(http: httpx.Client) -> None:
    """The server still answers a normal request normally."""
    response = send_operation(http, "ListUserPools", {"MaxResults": 10})
    assert response.status_code == 200, response.text
    assert isinstance(response.json().get("UserPools"), list)
