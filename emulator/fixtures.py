"""Fixture files: a declared world of pools, app clients, groups and users, loaded into the store and exported
from it.

A fixture file is YAML (or JSON, by its ``.json`` name)::

    version: 1                         # optional; 1 is the only version
    triggers:                          # optional: where the Lambda functions of LambdaConfig run
      my-function: python:triggers/handlers.py:handler   # a .py path is relative to the fixture file
      other-function: http://127.0.0.1:3001              # the Lambda Invoke API (SAM CLI, LocalStack)
    pools:
      - id: us-east-1_Demo00001        # required, explicit: <region>_<[0-9A-Za-z]+>
        name: demo                     # required to create the pool; without it (and without settings and
                                       # mfa) the entry adds clients, groups and users to an existing pool
        settings: {...}                # any CreateUserPool request member except PoolName, in the API's shape
        mfa: {...}                     # any SetUserPoolMfaConfig request member except UserPoolId
        clients:
          - id: demo00001client00000000001   # required, explicit ([\\w+]+; Cognito's own are 26 chars [a-z0-9])
            name: web                         # required
            secret: ...                       # optional: the client secret (24-64 chars [\\w+])
            settings: {...}                   # any CreateUserPoolClient member except UserPoolId, ClientName,
                                              # GenerateSecret and ClientSecret
        groups:
          - {name: admins, description: ..., precedence: 1, role_arn: ...}
        users:
          - username: alice            # required; in a pool with UsernameAttributes, the email or phone number
            sub: <uuid>                # optional: a fixed sub (else a new one, kept by later loads)
            password: Passw0rd!        # optional; checked against the pool's password policy. With status
                                       # FORCE_CHANGE_PASSWORD it is the temporary password
            status: CONFIRMED          # CONFIRMED (default), UNCONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED
            enabled: true              # default true
            attributes: {email: a@example.com, email_verified: true}
            groups: [admins]           # groups declared in the same pool
            mfa: {sms: false, totp: true, email: false, preferred: TOTP}   # preferred: SMS, TOTP or EMAIL
            totp_secret: JBSWY3DPEHPK3PXP...   # base32; required when mfa.totp is true
            # Instead of `password` (written by `cognito-emulator export --with-password-hashes`):
            password_hash: $argon2id$...       # with srp_salt and srp_verifier, all three or none
            srp_salt: ...
            srp_verifier: ...

Loading is idempotent: what the file declares is created or, when it exists (same pool id, client id, group
name, user sub or username), put back exactly as declared (settings, attributes, password, status, MFA,
group memberships). Pools, clients, groups and users that the file does not mention are left alone. One
file loads in one transaction: a file with a problem changes nothing.

Problems are reported as ``<file>: <path>: <what is wrong>``, e.g.
``fixtures/x.yaml: pools[0].users[2].status: must be one of CONFIRMED, UNCONFIRMED, ...``, every problem of
the file at once. API-shaped sections are checked against the official service model (unknown members,
types, enums, patterns, lengths), then the pool, client and user rules of the emulator itself run on them.

Passwords are never stored, so an export holds none; ``with_password_hashes`` exports the argon2id hash and
the SRP salt and verifier instead, which load back as they are (the SRP verifier depends on the pool id and
the username, which an export keeps).
"""

from __future__ import annotations

import base64
import binascii
import copy
import difflib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from emulator import ids, pools, service_model, users
from emulator.context import Context
from emulator.errors import CognitoError
from emulator.store.models import (
    EmulatorState,
    Group,
    GroupMembership,
    User,
    UserPool,
    UserPoolClient,
)

if TYPE_CHECKING:
    from emulator.core import Emulator

FORMAT_VERSION = 1
USER_STATUSES = ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED")
# MFA factor names a fixture may use for `preferred`: Amplify's short names and Cognito's own.
PREFERRED_MFA = {
    "SMS": "SMS_MFA",
    "TOTP": "SOFTWARE_TOKEN_MFA",
    "EMAIL": "EMAIL_OTP",
    "SMS_MFA": "SMS_MFA",
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA",
    "EMAIL_OTP": "EMAIL_OTP",
}
SHORT_MFA = {"SMS_MFA": "SMS", "SOFTWARE_TOKEN_MFA": "TOTP", "EMAIL_OTP": "EMAIL"}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TRIGGER_PREFIX = "lambda:"

_TOP_KEYS = ("version", "triggers", "pools")
_POOL_KEYS = ("id", "name", "settings", "mfa", "clients", "groups", "users")
_CLIENT_KEYS = ("id", "name", "secret", "settings")
_GROUP_KEYS = ("name", "description", "precedence", "role_arn")
_USER_KEYS = (
    "username",
    "sub",
    "password",
    "status",
    "enabled",
    "attributes",
    "groups",
    "mfa",
    "totp_secret",
    "password_hash",
    "srp_salt",
    "srp_verifier",
)
_USER_MFA_KEYS = ("sms", "totp", "email", "preferred")
# Request members a section may not use, and where the fixture takes them instead.
_POOL_EXCLUDED = {"PoolName": "the pool's `name`"}
_MFA_EXCLUDED = {"UserPoolId": "the pool's `id`"}
_CLIENT_EXCLUDED = {
    "UserPoolId": "the pool the client is listed under",
    "ClientName": "the client's `name`",
    "ClientSecret": "the client's `secret`",
    "GenerateSecret": "the client's `secret` (fixtures need a fixed secret)",
}


class FixtureError(Exception):
    """A fixture file that cannot be loaded; ``problems`` are ``<path>: <what is wrong>`` lines."""

    # How a start that fails on this file says so (an Amplify outputs file says that instead).
    heading = "cannot load the fixtures"

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {problem}" for problem in problems))


# --- the declared world ------------------------------------------------------------------------------------
@dataclass
class UserSpec:
    path: str
    username: str
    sub: str | None = None
    password: str | None = None
    status: str = "CONFIRMED"
    enabled: bool = True
    attributes: dict[str, str] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    mfa_sms: bool = False
    mfa_totp: bool = False
    mfa_email: bool = False
    mfa_preferred: str | None = None  # Cognito's name: SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP
    totp_secret: str | None = None
    password_hash: str | None = None
    srp_salt: str | None = None
    srp_verifier: str | None = None


@dataclass
class GroupSpec:
    path: str
    name: str
    description: str | None = None
    precedence: int | None = None
    role_arn: str | None = None


@dataclass
class ClientSpec:
    path: str
    id: str
    name: str
    secret: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class PoolSpec:
    path: str
    id: str
    # None: the entry adds clients, groups or users to a pool declared before (another file, or the API).
    name: str | None
    settings: dict[str, Any] = field(default_factory=dict)
    mfa: dict[str, Any] | None = None
    clients: list[ClientSpec] = field(default_factory=list)
    groups: list[GroupSpec] = field(default_factory=list)
    users: list[UserSpec] = field(default_factory=list)


@dataclass
class Fixture:
    source: str
    triggers: dict[str, str] = field(default_factory=dict)
    pools: list[PoolSpec] = field(default_factory=list)


# --- reading files -----------------------------------------------------------------------------------------
class _DuplicateKey(Exception):
    pass


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2's booleans (only true/false: ``OFF`` and ``ON`` stay strings, as MfaConfiguration
    needs), no implicit dates (a birthdate stays a string), and duplicate keys reported instead of overwritten."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node)
        if key in seen:
            raise _DuplicateKey(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
        seen.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node, deep=True))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse(text: str, source: str) -> Any:
    """The document in ``text`` (JSON when ``source`` ends in .json, else YAML)."""
    if source.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise FixtureError(source, [f"not valid JSON: {exc}"]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except _DuplicateKey as exc:
        raise FixtureError(source, [str(exc)]) from None
    except yaml.YAMLError as exc:
        raise FixtureError(source, [_yaml_problem(exc)]) from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """``line 4, column 11: not valid YAML: expected ',' or ']', but got '<stream end>' (in the flow sequence
    that starts at line 3, column 9)``: PyYAML's own text names a ``<unicode string>`` instead of the file."""
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return f"not valid YAML: {exc}".replace("\n", " ")
    mark = exc.problem_mark
    text = f"line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {exc.problem}"
    if exc.context and exc.context_mark is not None:
        context = exc.context.removeprefix("while ").replace("parsing ", "in ").replace("scanning ", "in ")
        text += f" ({context} that starts at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
    return text


def read(path: str | Path) -> Fixture:
    """Read and check a fixture file; FixtureError names every problem."""
    fixture, checked = _read_checked(path)
    if checked.problems:
        raise FixtureError(fixture.source, checked.problems)
    return fixture


def _read_checked(path: str | Path, source: str | None = None) -> tuple[Fixture, _Checker]:
    """The declared world, less the items with schema problems, and the checker that names those;
    ``source``: how problems name the file (the path as given)."""
    source = source or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(source, [f"cannot read the file: {exc.strerror or exc}"]) from None
    document = parse(text, source)
    checker = _Checker(Path(path).resolve().parent)
    return checker.fixture(document, source), checker


# --- checking ----------------------------------------------------------------------------------------------
def check(document: Any, source: str, *, base_dir: Path | None = None) -> Fixture:
    """Check a parsed document against the fixture schema; return the declared world or raise FixtureError."""
    checker = _Checker(base_dir or Path.cwd())
    fixture = checker.fixture(document, source)
    if checker.problems:
        raise FixtureError(source, checker.problems)
    return fixture


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _suggest(key: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.problems: list[str] = []
        self.paths: list[str] = []  # where each problem is, so loading can leave those items out

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)
        self.paths.append(path)

    # generic helpers
    def mapping(self, value: Any, path: str, allowed: Iterable[str], required: Iterable[str] = ()) -> bool:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping (got {_kind(value)})")
            return False
        allowed = list(allowed)
        for key in value:
            if key not in allowed:
                self.problem(
                    f"{path}.{key}" if path else str(key),
                    f"unknown key{_suggest(key, allowed)}; expected one of {', '.join(allowed)}",
                )
        for key in required:
            if value.get(key) is None:
                self.problem(f"{path}.{key}" if path else key, "is required")
        return True

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"must be a list (got {_kind(value)})")
            return []
        return [(f"{path}[{index}]", item) for index, item in enumerate(value)]

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(path, f"must be true or false (got {_kind(value)})")
            return default
        return value

    def model_value(self, shape_name: str, value: Any, path: str) -> bool:
        """Check ``value`` against a shape of the service model; False when something was wrong."""
        before = len(self.problems)
        self._shape(shape_name, value, path)
        return len(self.problems) == before

    def request_members(
        self, request_shape: str, value: Any, path: str, excluded: dict[str, str]
    ) -> dict[str, Any]:
        """A section holding members of an API request (CreateUserPool, ...), checked against the model."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of {request_shape[:-7]} settings (got {_kind(value)})")
            return {}
        members = service_model.shape(request_shape)["members"]
        allowed = [name for name in members if name not in excluded]
        for key, item in value.items():
            if key in excluded:
                self.problem(f"{path}.{key}", f"not allowed here: give it as {excluded[key]}")
            elif key not in members:
                self.problem(
                    f"{path}.{key}",
                    f"{request_shape[:-7]} has no setting {key!r}{_suggest(key, allowed)}",
                )
            elif item is not None:
                self._shape(members[key]["shape"], item, f"{path}.{key}")
        return {key: item for key, item in value.items() if key in allowed and item is not None}

    def _shape(self, shape_name: str, value: Any, path: str) -> None:
        spec = service_model.shape(shape_name)
        kind = spec["type"]
        if kind == "structure":
            if not isinstance(value, dict):
                self.problem(path, f"must be a mapping (got {_kind(value)})")
                return
            members = spec.get("members", {})
            for key, item in value.items():
                if key not in members:
                    self.problem(
                        f"{path}.{key}",
                        f"unknown member{_suggest(key, members)}; expected one of {', '.join(members)}",
                    )
                elif item is not None:
                    self._shape(members[key]["shape"], item, f"{path}.{key}")
            for required in spec.get("required", []):
                if value.get(required) is None:
                    self.problem(f"{path}.{required}", "is required")
        elif kind == "list":
            if not isinstance(value, list):
                self.problem(path, f"must be a list (got {_kind(value)})")
                return
            self._length(spec, len(value), path, "items")
            for index, item in enumerate(value):
                self._shape(spec["member"]["shape"], item, f"{path}[{index}]")
        elif kind == "map":
            if not isinstance(value, dict):
                self.problem(path, f"must be a mapping (got {_kind(value)})")
                return
            self._length(spec, len(value), path, "entries")
            for key, item in value.items():
                self._shape(spec["key"]["shape"], key, f"{path} key {key!r}")
                self._shape(spec["value"]["shape"], item, f"{path}.{key}")
        elif kind == "string":
            if not isinstance(value, str):
                hint = " (quote it)" if isinstance(value, (bool, int, float)) else ""
                self.problem(path, f"must be a string (got {_kind(value)}){hint}")
                return
            if "enum" in spec and value not in spec["enum"]:
                self.problem(path, f"must be one of {', '.join(spec['enum'])} (got {value!r})")
                return
            self._length(spec, len(value), path, "characters")
            pattern = spec.get("pattern")
            if pattern and value and not service_model._pattern(pattern).fullmatch(value):
                self.problem(path, f"{value!r} does not match the pattern {pattern}")
        elif kind in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(path, f"must be a whole number (got {_kind(value)})")
                return
            if "min" in spec and value < spec["min"]:
                self.problem(path, f"must be at least {spec['min']} (got {value})")
            if "max" in spec and value > spec["max"]:
                self.problem(path, f"must be at most {spec['max']} (got {value})")
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.problem(path, f"must be true or false (got {_kind(value)})")
        elif kind == "double" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            self.problem(path, f"must be a number (got {_kind(value)})")

    def _length(self, spec: dict[str, Any], size: int, path: str, unit: str) -> None:
        if "min" in spec and size < spec["min"]:
            self.problem(path, f"must have at least {spec['min']} {unit} (has {size})")
        if "max" in spec and size > spec["max"]:
            self.problem(path, f"must have at most {spec['max']} {unit} (has {size})")

    # the fixture's own sections
    def fixture(self, document: Any, source: str) -> Fixture:
        fixture = Fixture(source=source)
        if document is None:
            self.problem("", "the file is empty; expected a mapping with `pools`")
            return fixture
        if not self.mapping(document, "", _TOP_KEYS):
            return fixture
        version = document.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            self.problem("version", f"must be {FORMAT_VERSION} (got {_kind(version)})")
        fixture.triggers = self.triggers(document.get("triggers"))
        seen_pools: set[str] = set()
        seen_clients: dict[str, str] = {}
        for path, item in self.items(document.get("pools"), "pools"):
            pool = self.pool(item, path)
            if pool is None:
                continue
            if pool.id in seen_pools:
                self.problem(f"{path}.id", f"pool {pool.id} is declared twice")
            seen_pools.add(pool.id)
            for client in pool.clients:
                if client.id in seen_clients:
                    self.problem(
                        f"{client.path}.id",
                        f"client id {client.id} is already used at {seen_clients[client.id]}",
                    )
                seen_clients[client.id] = client.path
            fixture.pools.append(pool)
        return fixture

    def triggers(self, value: Any) -> dict[str, str]:
        from emulator.triggers import targets

        result: dict[str, str] = {}
        if value is None:
            return result
        if not isinstance(value, dict):
            self.problem(
                "triggers", f"must be a mapping of function name or ARN to target (got {_kind(value)})"
            )
            return result
        for name, target in value.items():
            path = f"triggers.{name}"
            if not isinstance(target, str):
                self.problem(
                    path,
                    f"must be a string: python:module:function or http(s)://host:port (got {_kind(target)})",
                )
                continue
            try:
                function, target = targets.parse_mapping(f"{name}={target}")
            except ValueError as exc:
                self.problem(path, str(exc))
                continue
            result[function] = self._resolve_target(target)
        return result

    def _resolve_target(self, target: str) -> str:
        """A ``python:`` target naming a .py file relative to the fixture file gets an absolute path."""
        if not target.startswith("python:"):
            return target
        spec = target[len("python:") :]
        module, sep, function = spec.rpartition(":") if ":" in spec else (spec, "", "")
        if module.endswith(".py") and not Path(module).is_absolute():
            module = str((self.base_dir / module).resolve())
        return f"python:{module}{sep}{function}"

    def pool(self, value: Any, path: str) -> PoolSpec | None:
        if not self.mapping(value, path, _POOL_KEYS, required=("id",)):
            return None
        pool_id, name = value.get("id"), value.get("name")
        ok = pool_id is not None and self.model_value("UserPoolIdType", pool_id, f"{path}.id")
        if name is not None:
            ok = self.model_value("UserPoolNameType", name, f"{path}.name") and ok
        elif value.get("settings") is not None or value.get("mfa") is not None:
            # Without a name the entry only adds to a pool declared elsewhere, so it cannot set anything on it.
            self.problem(f"{path}.name", "is required to declare the pool's settings or mfa")
        settings = self.request_members(
            "CreateUserPoolRequest", value.get("settings"), f"{path}.settings", _POOL_EXCLUDED
        )
        mfa = None
        if value.get("mfa") is not None:
            mfa = self.request_members(
                "SetUserPoolMfaConfigRequest", value["mfa"], f"{path}.mfa", _MFA_EXCLUDED
            )
            declared = settings.get("MfaConfiguration")
            if declared and mfa.get("MfaConfiguration") and declared != mfa["MfaConfiguration"]:
                self.problem(
                    f"{path}.mfa.MfaConfiguration",
                    f"{mfa['MfaConfiguration']} contradicts settings.MfaConfiguration {declared}; set it in one place",
                )
        pool = PoolSpec(path=path, id=str(pool_id), name=name, settings=settings, mfa=mfa)
        for client_path, item in self.items(value.get("clients"), f"{path}.clients"):
            client = self.client(item, client_path)
            if client is not None:
                pool.clients.append(client)
        names: set[str] = set()
        for group_path, item in self.items(value.get("groups"), f"{path}.groups"):
            group = self.group(item, group_path)
            if group is None:
                continue
            if group.name in names:
                self.problem(f"{group_path}.name", f"group {group.name!r} is declared twice in this pool")
            names.add(group.name)
            pool.groups.append(group)
        case_sensitive = bool((settings.get("UsernameConfiguration") or {}).get("CaseSensitive", True))
        seen_users: dict[str, str] = {}
        for user_path, item in self.items(value.get("users"), f"{path}.users"):
            user = self.user(item, user_path, pool, names)
            if user is None:
                continue
            key = user.username if case_sensitive else user.username.lower()
            if key in seen_users:
                self.problem(
                    f"{user_path}.username", f"{user.username!r} is already declared at {seen_users[key]}"
                )
            seen_users[key] = user_path
            pool.users.append(user)
        return pool if ok else None

    def client(self, value: Any, path: str) -> ClientSpec | None:
        if not self.mapping(value, path, _CLIENT_KEYS, required=("id", "name")):
            return None
        client_id, name, secret = value.get("id"), value.get("name"), value.get("secret")
        ok = client_id is not None and self.model_value("ClientIdType", client_id, f"{path}.id")
        ok = name is not None and self.model_value("ClientNameType", name, f"{path}.name") and ok
        if secret is not None:
            ok = self.model_value("ClientSecretType", secret, f"{path}.secret") and ok
        settings = self.request_members(
            "CreateUserPoolClientRequest", value.get("settings"), f"{path}.settings", _CLIENT_EXCLUDED
        )
        if not ok:
            return None
        return ClientSpec(path=path, id=client_id, name=name, secret=secret, settings=settings)

    def group(self, value: Any, path: str) -> GroupSpec | None:
        if not self.mapping(value, path, _GROUP_KEYS, required=("name",)):
            return None
        ok = value.get("name") is not None and self.model_value(
            "GroupNameType", value["name"], f"{path}.name"
        )
        for key, shape in (
            ("description", "DescriptionType"),
            ("precedence", "PrecedenceType"),
            ("role_arn", "ArnType"),
        ):
            if value.get(key) is not None:
                ok = self.model_value(shape, value[key], f"{path}.{key}") and ok
        if not ok:
            return None
        return GroupSpec(
            path=path,
            name=value["name"],
            description=value.get("description"),
            precedence=value.get("precedence"),
            role_arn=value.get("role_arn"),
        )

    def user(self, value: Any, path: str, pool: PoolSpec, groups: set[str]) -> UserSpec | None:
        if not self.mapping(value, path, _USER_KEYS, required=("username",)):
            return None
        username = value.get("username")
        if username is None or not self.model_value("UsernameType", username, f"{path}.username"):
            return None
        user = UserSpec(path=path, username=username)
        sub = value.get("sub")
        if sub is not None:
            if not isinstance(sub, str) or not _UUID.match(sub):
                self.problem(
                    f"{path}.sub",
                    f"must be a lower-case UUID like 7d8a6f0e-1c2b-4e3f-9a8b-0c1d2e3f4a5b (got {_kind(sub)})",
                )
            else:
                user.sub = sub
        status = value.get("status", "CONFIRMED")
        if status not in USER_STATUSES:
            self.problem(f"{path}.status", f"must be one of {', '.join(USER_STATUSES)} (got {_kind(status)})")
        else:
            user.status = status
        user.enabled = self.boolean(value.get("enabled"), f"{path}.enabled", True)
        self._user_password(value, path, user)
        self._user_attributes(value.get("attributes"), f"{path}.attributes", user)
        for group_path, name in self.items(value.get("groups"), f"{path}.groups"):
            if not isinstance(name, str):
                self.problem(group_path, f"must be a group name (got {_kind(name)})")
            elif name not in groups:
                self.problem(group_path, f"group {name!r} is not declared in this pool's groups")
            else:
                user.groups.append(name)
        self._user_mfa(value, path, user, pool)
        return user

    def _user_password(self, value: dict[str, Any], path: str, user: UserSpec) -> None:
        password = value.get("password")
        if password is not None:
            if not isinstance(password, str):
                self.problem(f"{path}.password", f"must be a string (got {_kind(password)}; quote it)")
            elif self.model_value("PasswordType", password, f"{path}.password"):
                user.password = password
        hashes = {key: value.get(key) for key in ("password_hash", "srp_salt", "srp_verifier")}
        given = [key for key, item in hashes.items() if item is not None]
        if given and password is not None:
            self.problem(f"{path}.{given[0]}", "give either `password` or the exported hashes, not both")
        elif given and len(given) != 3:
            missing = [key for key in hashes if key not in given]
            self.problem(f"{path}.{missing[0]}", "is required with " + " and ".join(given))
        elif given:
            for key, item in hashes.items():
                if not isinstance(item, str) or not item:
                    self.problem(f"{path}.{key}", f"must be a string (got {_kind(item)})")
            if isinstance(hashes["password_hash"], str) and not hashes["password_hash"].startswith("$argon2"):
                self.problem(
                    f"{path}.password_hash", "must be an argon2 hash as `cognito-emulator export` writes it"
                )
            for key in ("srp_salt", "srp_verifier"):
                if isinstance(hashes[key], str) and not re.fullmatch(r"[0-9a-fA-F]+", hashes[key]):
                    self.problem(f"{path}.{key}", "must be hexadecimal")
            user.password_hash = hashes["password_hash"]
            user.srp_salt = hashes["srp_salt"]
            user.srp_verifier = hashes["srp_verifier"]

    def _user_attributes(self, value: Any, path: str, user: UserSpec) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of attribute name to value (got {_kind(value)})")
            return
        for name, item in value.items():
            if name == "sub":
                self.problem(f"{path}.sub", "give the sub as the user's `sub`, not as an attribute")
            elif isinstance(item, bool):
                user.attributes[name] = "true" if item else "false"
            elif isinstance(item, (int, float)):
                user.attributes[name] = str(item)
            elif isinstance(item, str):
                user.attributes[name] = item
            else:
                self.problem(f"{path}.{name}", f"must be a string, number or boolean (got {_kind(item)})")

    def _user_mfa(self, value: dict[str, Any], path: str, user: UserSpec, pool: PoolSpec) -> None:
        secret = value.get("totp_secret")
        if secret is not None:
            if not isinstance(secret, str) or not _is_base32(secret):
                self.problem(
                    f"{path}.totp_secret", "must be a base32 secret of at least 16 characters (A-Z, 2-7)"
                )
            else:
                user.totp_secret = secret.replace(" ", "").upper()
        mfa = value.get("mfa")
        if mfa is None:
            return
        if not self.mapping(mfa, f"{path}.mfa", _USER_MFA_KEYS):
            return
        user.mfa_sms = self.boolean(mfa.get("sms"), f"{path}.mfa.sms", False)
        user.mfa_totp = self.boolean(mfa.get("totp"), f"{path}.mfa.totp", False)
        user.mfa_email = self.boolean(mfa.get("email"), f"{path}.mfa.email", False)
        preferred = mfa.get("preferred")
        if preferred is not None:
            if preferred not in PREFERRED_MFA:
                self.problem(
                    f"{path}.mfa.preferred", f"must be one of SMS, TOTP, EMAIL (got {_kind(preferred)})"
                )
            else:
                user.mfa_preferred = PREFERRED_MFA[preferred]
                enabled = {
                    "SMS_MFA": user.mfa_sms,
                    "SOFTWARE_TOKEN_MFA": user.mfa_totp,
                    "EMAIL_OTP": user.mfa_email,
                }
                if not enabled[user.mfa_preferred]:
                    flag = {"SMS_MFA": "sms", "SOFTWARE_TOKEN_MFA": "totp", "EMAIL_OTP": "email"}[
                        user.mfa_preferred
                    ]
                    self.problem(
                        f"{path}.mfa.preferred", f"{preferred} is preferred but mfa.{flag} is not true"
                    )
        if user.mfa_totp and secret is None:
            self.problem(f"{path}.mfa.totp", "TOTP MFA needs the user's `totp_secret`")
        if user.mfa_sms and not user.attributes.get("phone_number"):
            self.problem(f"{path}.mfa.sms", "SMS MFA needs a phone_number attribute")
        if user.mfa_email and not user.attributes.get("email") and not _is_email_username(pool, user):
            self.problem(f"{path}.mfa.email", "email MFA needs an email attribute")


def _is_base32(secret: str) -> bool:
    cleaned = secret.replace(" ", "").upper()
    if len(cleaned) < 16:
        return False
    try:
        base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        return False
    return True


def _is_email_username(pool: PoolSpec, user: UserSpec) -> bool:
    return "email" in (pool.settings.get("UsernameAttributes") or []) and users.is_email(user.username)


# --- loading -----------------------------------------------------------------------------------------------
def load_file(emulator: Emulator, path: str | Path, *, shown_as: str | None = None) -> Fixture:
    """Read, check and load one fixture file in one transaction.

    The items the schema check found fine are still loaded (and rolled back) when it found problems, so that
    one start names every problem of the file: the schema's and the pool rules' (email format, unknown
    attribute, password policy...) together."""
    fixture, checked = _read_checked(path, shown_as)
    apply(emulator, fixture, schema_problems=checked.problems, skip=checked.paths)
    return fixture


def load_files(emulator: Emulator, paths: Iterable[str | Path]) -> list[Fixture]:
    return [load_file(emulator, path) for path in paths]


def install(emulator: Emulator, paths: Iterable[str | Path], *, load_now: bool = True) -> None:
    """Load ``paths`` now (unless ``load_now`` is false: a worker process whose parent loaded them) and
    again after every reset."""
    paths = [Path(path).resolve() for path in paths]
    shown = {path: original for path, original in zip(paths, _originals(paths), strict=True)}

    def reload(target: Emulator) -> None:
        for path in paths:
            load_file(target, path, shown_as=shown[path])

    if load_now:
        reload(emulator)
    emulator.after_reset.append(reload)


def _originals(paths: list[Path]) -> list[str]:
    cwd = Path.cwd()
    result = []
    for path in paths:
        try:
            result.append(str(path.relative_to(cwd)))
        except ValueError:
            result.append(str(path))
    return result


def apply(
    emulator: Emulator,
    fixture: Fixture,
    *,
    schema_problems: Iterable[str] = (),
    skip: Iterable[str] = (),
) -> None:
    """Put the declared world into the store, in one transaction (nothing changes when a problem is found).

    ``schema_problems`` (found by the schema check, reported first) make the load a trial that is rolled
    back; the items at or under a path in ``skip`` (those problems' paths) are left out of it."""
    schema_problems = list(schema_problems)
    session = emulator.database.session(write=True)
    try:
        ctx = Context(
            db=session,
            emulator=emulator,
            now=emulator.now(session),
            region=emulator.settings.region,
            operation="LoadFixtures",
            request_id=ids.request_id(),
        )
        loader = _Apply(ctx, fixture.source, skip)
        loader.run(fixture)
        if schema_problems or loader.problems:
            session.rollback()
            raise FixtureError(fixture.source, [*schema_problems, *loader.problems])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class _Apply:
    def __init__(self, ctx: Context, source: str, skip: Iterable[str] = ()) -> None:
        self.ctx = ctx
        self.source = source
        self.problems: list[str] = []
        self.skip = [path for path in skip if path]

    def _flawed(self, path: str, *, own_items: bool = True) -> bool:
        """Whether the schema check found a problem at or under ``path`` (with ``own_items`` false, problems
        of a pool's clients, groups and users do not count against the pool itself)."""
        for problem in self.skip:
            if problem != path and not problem.startswith((path + ".", path + " ")):
                continue
            if not own_items and problem.startswith(
                tuple(f"{path}.{key}[" for key in ("clients", "groups", "users"))
            ):
                continue
            return True
        return False

    def run(self, fixture: Fixture) -> None:
        from emulator.triggers import targets

        for function, target in fixture.triggers.items():
            targets.set_target(self.ctx.db, function, target)
        for spec in fixture.pools:
            if self._flawed(spec.path, own_items=False):
                continue
            pool = self._guard(spec.path, self.pool, spec)
            if pool is None:
                continue
            for client in spec.clients:
                if not self._flawed(client.path):
                    self._guard(client.path, self.client, pool, client)
            for group in spec.groups:
                if not self._flawed(group.path):
                    self._guard(group.path, self.group, pool, group)
            self.ctx.db.flush()
            for user in spec.users:
                if not self._flawed(user.path):
                    self._guard(user.path, self.user, pool, user)

    def _guard(self, path: str, action: Callable[..., Any], *args: Any) -> Any:
        """Run one item's load in a savepoint, so a problem is recorded and the next item still gets checked."""
        try:
            with self.ctx.db.begin_nested():
                return action(*args)
        except CognitoError as exc:
            self.problems.append(f"{path}: {exc.message}")
        except _Problem as exc:
            self.problems.append(f"{exc.path or path}: {exc}")
        except _Problems as exc:
            self.problems.extend(f"{problem.path or path}: {problem}" for problem in exc.problems)
        except IntegrityError as exc:
            self.problems.append(f"{path}: conflicts with what the database holds ({exc.orig})")

    def pool(self, spec: PoolSpec) -> UserPool:
        pool = self.ctx.db.get(UserPool, spec.id)
        if spec.name is None:
            if pool is None:
                raise _Problem(
                    f"{spec.path}.id", f"pool {spec.id} does not exist; give it a `name` to create it"
                )
            return pool
        request = {**copy.deepcopy(spec.settings), "PoolName": spec.name}
        try:
            config = pools.new_pool_config(request)  # the pool rules, checked before anything is created
        except CognitoError as exc:
            raise _Problem(f"{spec.path}.settings", exc.message) from None
        if pool is None:
            pool = pools.create_pool(self.ctx, request, pool_id=spec.id)
        else:
            pool.config = config
            pool.name = spec.name
            pool.region = ids.pool_region(spec.id)
            pool.tags = dict(spec.settings.get("UserPoolTags") or {})
            pool.modified_at = self.ctx.now
        if spec.mfa:
            try:
                pool.config = pools.apply_mfa_config(pool.config, spec.mfa)
            except CognitoError as exc:
                raise _Problem(f"{spec.path}.mfa", exc.message) from None
        return pool

    def client(self, pool: UserPool, spec: ClientSpec) -> None:
        request = {**copy.deepcopy(spec.settings), "ClientName": spec.name}
        client = self.ctx.db.get(UserPoolClient, spec.id)
        if client is not None and client.pool_id != pool.id:
            raise _Problem(f"{spec.path}.id", f"client {spec.id} already belongs to pool {client.pool_id}")
        try:
            pools.check_client_attributes(pool, request, "creating" if client is None else "updating")
            config = pools.client_settings(request)
        except CognitoError as exc:
            raise _Problem(f"{spec.path}.settings", exc.message) from None
        if client is None:
            pools.create_client(self.ctx, pool, request, client_id=spec.id, secret=spec.secret)
            return
        client.config = config
        client.name = spec.name
        client.secret = spec.secret
        client.modified_at = self.ctx.now

    def group(self, pool: UserPool, spec: GroupSpec) -> None:
        group = self.ctx.db.get(Group, (pool.id, spec.name))
        if group is None:
            group = Group(pool_id=pool.id, name=spec.name, created_at=self.ctx.now)
            self.ctx.db.add(group)
        group.description = spec.description
        group.precedence = spec.precedence
        group.role_arn = spec.role_arn
        group.modified_at = self.ctx.now

    def user(self, pool: UserPool, spec: UserSpec) -> None:
        from emulator import attributes

        ctx = self.ctx
        # Every rule the user breaks, not only the first one.
        found: list[_Problem] = []
        if spec.mfa_email and "EmailMfaConfiguration" not in pool.config:
            found.append(
                _Problem(f"{spec.path}.mfa.email", "the pool has no EmailMfaConfiguration (see its `mfa`)")
            )
        try:
            users.check_new_username(pool, spec.username)
        except CognitoError as exc:
            found.append(_Problem(f"{spec.path}.username", exc.message))
        try:
            values = attributes.check_writes(pool, spec.attributes, client=None, creating=True)
        except CognitoError as exc:
            found.append(_Problem(f"{spec.path}.attributes", exc.message))
        if spec.password is not None:
            try:
                users.check_password_policy(pool, spec.password)
            except CognitoError as exc:
                found.append(_Problem(f"{spec.path}.password", exc.message))
        if found:
            raise _Problems(found)
        user = self._existing_user(pool, spec)
        if user is None:
            user = users.create_user(ctx, pool, spec.username, values, status=spec.status)
        else:
            self._set_attributes(pool, user, spec, values)
        if spec.sub is not None and user.sub != spec.sub:
            user.sub = spec.sub
        if users.username_attributes(pool):
            # The stored username of a pool with UsernameAttributes is the sub.
            user.username = user.sub
        user.username_key = users.login_key(pool, user.username)
        ctx.db.flush()
        user.status = spec.status
        user.enabled = spec.enabled
        self._set_password(pool, user, spec)
        previous_secret = user.totp_secret
        user.mfa_sms_enabled = spec.mfa_sms
        user.mfa_totp_enabled = spec.mfa_totp
        user.mfa_email_enabled = spec.mfa_email
        user.mfa_preferred = spec.mfa_preferred
        user.totp_secret = spec.totp_secret
        user.totp_pending_secret = None
        if spec.totp_secret != previous_secret:
            user.totp_last_step = None
        # A loaded user starts fresh: no lockout.
        user.failed_attempts = 0
        user.locked_until = None
        user.modified_at = ctx.now
        self._set_groups(pool, user, spec)

    def _existing_user(self, pool: UserPool, spec: UserSpec) -> User | None:
        ctx = self.ctx
        if spec.sub is not None:
            user = ctx.db.scalar(select(User).where(User.pool_id == pool.id, User.sub == spec.sub))
            if user is not None:
                return user
        if users.username_attributes(pool):
            return users.find_user(ctx, pool, spec.username)
        return ctx.db.scalar(
            select(User).where(
                User.pool_id == pool.id, User.username_key == users.login_key(pool, spec.username)
            )
        )

    def _set_attributes(self, pool: UserPool, user: User, spec: UserSpec, values: dict[str, str]) -> None:
        values = dict(values)
        if users.username_attributes(pool):
            users.check_new_username(pool, spec.username)
            values["email" if users.is_email(spec.username) else "phone_number"] = spec.username
        else:
            user.username = spec.username
        for name in list(users.attribute_map(user)):
            if name != "sub" and name not in values:
                users.delete_attribute(user, name)
        for name, value in values.items():
            users.set_attribute(user, name, value)
        users.sync_aliases(self.ctx, pool, user)

    def _set_password(self, pool: UserPool, user: User, spec: UserSpec) -> None:
        temporary = spec.status == "FORCE_CHANGE_PASSWORD"
        if spec.password is not None:
            try:
                users.set_password(self.ctx, pool, user, spec.password, temporary=temporary)
            except CognitoError as exc:
                raise _Problem(f"{spec.path}.password", exc.message) from None
            return
        user.password_hash = spec.password_hash
        user.srp_salt = spec.srp_salt
        user.srp_verifier = spec.srp_verifier
        user.password_set_at = self.ctx.now if spec.password_hash else None
        user.password_temporary = temporary and spec.password_hash is not None

    def _set_groups(self, pool: UserPool, user: User, spec: UserSpec) -> None:
        current = {
            row.group_name: row
            for row in self.ctx.db.scalars(
                select(GroupMembership).where(
                    GroupMembership.user_id == user.id, GroupMembership.pool_id == pool.id
                )
            )
        }
        for name, row in current.items():
            if name not in spec.groups:
                self.ctx.db.delete(row)
        for name in spec.groups:
            if name not in current:
                self.ctx.db.add(
                    GroupMembership(
                        user_id=user.id, pool_id=pool.id, group_name=name, created_at=self.ctx.now
                    )
                )


class _Problem(Exception):
    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(message)


class _Problems(Exception):
    """Several problems of one item."""

    def __init__(self, problems: list[_Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


# --- export ------------------------------------------------------------------------------------------------
def has_schema(session: Session) -> bool:
    return "user_pools" in set(inspect(session.get_bind()).get_table_names())


def export(
    session: Session, *, with_password_hashes: bool = False, base_dir: Path | None = None
) -> dict[str, Any]:
    """The whole world in the store as a fixture document (passwords as hashes only when asked).

    ``base_dir``: the directory of the file being written. A trigger handler given as a .py file (stored as an
    absolute path) is written relative to it, as a fixture file names it, so the file can be shared and
    loaded from elsewhere; module targets (``python:package.module:function``) and URLs are kept as they are."""
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    triggers = {
        ("*" if row.key == _TRIGGER_PREFIX + "*" else row.key[len(_TRIGGER_PREFIX) :]): _portable_target(
            row.value, base_dir or Path.cwd()
        )
        for row in session.scalars(
            select(EmulatorState)
            .where(EmulatorState.key.like(_TRIGGER_PREFIX + "%"))
            .order_by(EmulatorState.key)
        )
    }
    if triggers:
        document["triggers"] = triggers
    document["pools"] = [
        _export_pool(session, pool, with_password_hashes)
        for pool in session.scalars(select(UserPool).order_by(UserPool.id))
    ]
    return document


def _portable_target(target: str, base_dir: Path) -> str:
    """``python:/abs/dir/handlers/x.py:fn`` -> ``python:handlers/x.py:fn`` seen from ``base_dir`` (the
    reverse of _Checker._resolve_target)."""
    if not target.startswith("python:"):
        return target
    spec = target[len("python:") :]
    module, sep, function = spec.rpartition(":") if ":" in spec else (spec, "", "")
    if not module.endswith(".py") or not Path(module).is_absolute():
        return target
    try:
        relative = os.path.relpath(module, base_dir.resolve())
    except ValueError:  # another drive (Windows): only the absolute path names it
        return target
    return f"python:{Path(relative).as_posix()}{sep}{function}"


def _export_pool(session: Session, pool: UserPool, with_password_hashes: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"id": pool.id, "name": pool.name}
    settings = _pool_settings(pool)
    if settings:
        item["settings"] = settings
    item["mfa"] = _pool_mfa(pool.config)
    item["clients"] = [
        _export_client(client)
        for client in session.scalars(
            select(UserPoolClient)
            .where(UserPoolClient.pool_id == pool.id)
            .order_by(UserPoolClient.created_at, UserPoolClient.id)
        )
    ]
    item["groups"] = [
        _export_group(group)
        for group in session.scalars(select(Group).where(Group.pool_id == pool.id).order_by(Group.name))
    ]
    memberships: dict[int, list[str]] = {}
    for row in session.scalars(
        select(GroupMembership).where(GroupMembership.pool_id == pool.id).order_by(GroupMembership.group_name)
    ):
        memberships.setdefault(row.user_id, []).append(row.group_name)
    item["users"] = [
        _export_user(pool, user, memberships.get(user.id, []), with_password_hashes)
        for user in session.scalars(select(User).where(User.pool_id == pool.id).order_by(User.id))
    ]
    for key in ("clients", "groups", "users"):
        if not item[key]:
            del item[key]
    return item


def _pool_settings(pool: UserPool) -> dict[str, Any]:
    """The CreateUserPool members that rebuild this pool: what differs from AWS's defaults."""
    members = service_model.shape("CreateUserPoolRequest")["members"]
    defaults = pools.apply_pool_settings(pools.pool_defaults(), {})
    settings: dict[str, Any] = {}
    for key, value in pool.config.items():
        if key not in members or key in ("MfaConfiguration", "PoolName", "UserPoolTags", "Schema"):
            continue
        if key in defaults and defaults[key] == value:
            continue
        settings[key] = copy.deepcopy(value)
    schema = _schema_changes(pool.config.get("SchemaAttributes") or [])
    if schema:
        settings["Schema"] = schema
    if pool.tags:
        settings["UserPoolTags"] = dict(pool.tags)
    return settings


def _schema_changes(schema: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Custom attributes, and standard ones whose definition differs from the default, as CreateUserPool's Schema."""
    standard = {item["Name"]: item for item in pools.default_schema()}
    result = []
    for item in schema:
        name = item["Name"]
        if name in standard:
            if item != standard[name]:
                result.append(copy.deepcopy(item))
            continue
        custom = copy.deepcopy(item)
        custom["Name"] = name.split("custom:", 1)[-1]
        custom.pop("Required", None)
        result.append(custom)
    return result


def _pool_mfa(config: dict[str, Any]) -> dict[str, Any]:
    mfa: dict[str, Any] = {"MfaConfiguration": config.get("MfaConfiguration", "OFF")}
    for key in pools.MFA_FACTOR_SETTINGS:
        if key in config:
            mfa[key] = copy.deepcopy(config[key])
    if "SoftwareTokenMfaConfiguration" in mfa:
        mfa["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    return mfa


def _export_client(client: UserPoolClient) -> dict[str, Any]:
    item: dict[str, Any] = {"id": client.id, "name": client.name}
    if client.secret:
        item["secret"] = client.secret
    item["settings"] = copy.deepcopy(client.config)
    return item


def _export_group(group: Group) -> dict[str, Any]:
    item: dict[str, Any] = {"name": group.name}
    if group.description is not None:
        item["description"] = group.description
    if group.precedence is not None:
        item["precedence"] = group.precedence
    if group.role_arn is not None:
        item["role_arn"] = group.role_arn
    return item


def _export_user(pool: UserPool, user: User, groups: list[str], with_password_hashes: bool) -> dict[str, Any]:
    values = {name: value for name, value in users.attribute_map(user).items() if name != "sub"}
    username = user.username
    if users.username_attributes(pool):
        # The sign-in name is what a fixture declares; the stored username is the sub, kept as `sub`.
        username = next(
            (values[kind] for kind in users.username_attributes(pool) if values.get(kind)), user.username
        )
    item: dict[str, Any] = {"username": username, "sub": user.sub, "status": user.status}
    if not user.enabled:
        item["enabled"] = False
    if values:
        item["attributes"] = values
    if groups:
        item["groups"] = groups
    mfa: dict[str, Any] = {}
    for key, enabled in (
        ("sms", user.mfa_sms_enabled),
        ("totp", user.mfa_totp_enabled),
        ("email", user.mfa_email_enabled),
    ):
        if enabled:
            mfa[key] = True
    if user.mfa_preferred:
        mfa["preferred"] = SHORT_MFA.get(user.mfa_preferred, user.mfa_preferred)
    if mfa:
        item["mfa"] = mfa
    if user.totp_secret:
        item["totp_secret"] = user.totp_secret
    if with_password_hashes and user.password_hash and user.srp_salt and user.srp_verifier:
        item["password_hash"] = user.password_hash
        item["srp_salt"] = user.srp_salt
        item["srp_verifier"] = user.srp_verifier
    return item


_EXPORT_HEADER = """\
# A cognito-emulator fixture file, written by `cognito-emulator export`.
# Load it with: cognito-emulator serve --fixtures <this file>
# Passwords are never stored, so none are exported{hashes}.
"""


def dump(document: dict[str, Any], *, fmt: str = "yaml", with_password_hashes: bool = False) -> str:
    """A fixture document as YAML (with a short header comment) or JSON text."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    hashes = (
        "; password_hash, srp_salt and srp_verifier hold each password's hash and SRP verifier"
        if with_password_hashes
        else ": users with a password need one again (add `password:`, or export --with-password-hashes)"
    )
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=110)
    return _EXPORT_HEADER.format(hashes=hashes) + body
