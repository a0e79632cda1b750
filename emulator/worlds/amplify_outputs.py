"""Bootstrap from an Amplify Gen 2 project: ``serve --amplify-outputs amplify_outputs.json``.

The ``auth`` section of ``amplify_outputs.json`` (schema versions 1.x, written by ``npx ampx sandbox`` or
``ampx generate outputs``) names a user pool and an app client and describes the pool. The emulator creates
that pool and client with the same ids, so an app configured with ``Amplify.configure(outputs)`` only adds
``userPoolEndpoint`` (``Auth.Cognito.userPoolEndpoint``) to talk to the emulator. Read from the file:

  ``user_pool_id``, ``aws_region``        the pool's id (and region, which must be the id's)
  ``user_pool_client_id``                 the app client's id
  ``password_policy``                     min_length, require_lowercase/numbers/symbols/uppercase
  ``username_attributes``                 email and/or phone_number as the sign-in name (UsernameAttributes)
  ``standard_required_attributes``        standard attributes required at sign-up
  ``user_verification_types``             AutoVerifiedAttributes (codes are sent at sign-up) and recovery
  ``mfa_configuration``, ``mfa_methods``  NONE/OPTIONAL/REQUIRED; SMS, TOTP (and EMAIL)
  ``groups``                              [{"<name>": {"precedence": N}}]
  ``authentication_flow_type``            USER_PASSWORD_AUTH adds that flow to the client
  ``identity_pool_id``                    the identity pool (Cognito Identity), same id, with the user pool and
                                          client as its provider, and the roles defineAuth deploys
  ``unauthenticated_identities_enabled``  guests allowed in that identity pool
  ``oauth``                               the pool's domain (the first label of ``oauth.domain``) and the
                                          client's OAuth settings: ``response_type`` code (or token: the
                                          implicit flow), ``scopes``, ``redirect_sign_in_uri`` (CallbackURLs),
                                          ``redirect_sign_out_uri`` (LogoutURLs), Cognito's own login page

The rest is what ``defineAuth`` deploys by default: case-insensitive usernames; an app client without a
secret whose flows are SRP, custom auth and refresh (as the CDK UserPoolClient default), with
PreventUserExistenceErrors and token revocation enabled.


The app adds ``identityPoolEndpoint`` too (``Auth.Cognito.identityPoolEndpoint``, the same URL) for
``fetchAuthSession()``'s credentials. Not emulated (yet): ``oauth.identity_providers`` (federation with Google & co.). The start says so in a
warning (``not_emulated``), with what the app will see, since Amplify then calls the real AWS and fails with an
opaque NetworkError.

The pool is built as a fixture (emulator.worlds.fixtures), so loading is idempotent: every start and every reset
puts the pool, client and groups back as the file declares, and leaves the pool's users alone.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator.engine.reset import ResetHook
from emulator.worlds import fixtures
from emulator.worlds.files_digest import files_digest

if TYPE_CHECKING:
    from emulator.engine.core import Emulator

log = logging.getLogger("emulator")

_POOL_ID = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d)_[0-9A-Za-z]+$")
_CLIENT_ID = re.compile(r"^[\w+]+$")
_IDENTITY_POOL_ID = re.compile(
    r"^([a-z]{2}(?:-gov)?-[a-z]+-\d):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
# The roles defineAuth deploys for the identity pool; the emulator only needs well-formed ones.
_AUTH_ROLE = "arn:aws:iam::{account}:role/amplify-auth-authenticated-role"
_GUEST_ROLE = "arn:aws:iam::{account}:role/amplify-auth-unauthenticated-role"
_STANDARD_ATTRIBUTES = (
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
)
_MFA_MODES = {"NONE": "OFF", "OFF": "OFF", "OPTIONAL": "OPTIONAL", "REQUIRED": "ON", "ON": "ON"}
_MFA_METHODS = ("SMS", "TOTP", "EMAIL")
_PASSWORD_RULES = {
    "require_lowercase": "RequireLowercase",
    "require_uppercase": "RequireUppercase",
    "require_numbers": "RequireNumbers",
    "require_symbols": "RequireSymbols",
}
# Amplify deploys a role for SMS; the emulator only needs a well-formed one (nothing is sent).
_SMS_ROLE = "arn:aws:iam::{account}:role/amplify-auth-sms-role"
DEFAULT_AUTH_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
# What defineAuth's loginWith.externalProviders grants when it names no scopes.
_DEFAULT_SCOPES = ("phone", "email", "openid", "profile", "aws.cognito.signin.user.admin")
_RESPONSE_TYPES = {"code": "code", "token": "implicit"}


class AmplifyOutputsError(fixtures.FixtureError):
    """An amplify_outputs.json the emulator cannot build a pool from; ``problems`` name the JSON paths."""

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"cannot use the Amplify outputs file {self.source}"


def not_emulated(outputs: dict[str, Any]) -> list[str]:
    """One line for each part of the file's ``auth`` section the emulator does not serve: the JSON path and
    what an app configured from the file will see."""
    auth = outputs.get("auth")
    if not isinstance(auth, dict):
        return []
    found = []
    oauth = auth.get("oauth")
    providers = oauth.get("identity_providers") if isinstance(oauth, dict) else None
    if isinstance(providers, list) and providers:
        named = ", ".join(str(provider) for provider in providers)
        found.append(
            f"auth.oauth.identity_providers ({named}) is not emulated (no federation yet): "
            "signInWithRedirect({ provider }) is refused by the emulator's /oauth2/authorize; "
            "signInWithRedirect() without a provider opens the pool's own login page"
        )
    return found


def read(path: str | Path) -> dict[str, Any]:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise AmplifyOutputsError(source, [f"cannot read the file: {exc.strerror or exc}"]) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AmplifyOutputsError(source, [f"not valid JSON: {exc}"]) from None
    if not isinstance(document, dict):
        raise AmplifyOutputsError(source, ["the file must hold a JSON object"])
    return document


def to_fixture(outputs: dict[str, Any], source: str, *, account_id: str = "123456789012") -> dict[str, Any]:
    """The fixture document (see emulator.worlds.fixtures) declaring the pool, client and groups of ``outputs``."""
    problems: list[str] = []

    def problem(path: str, message: str) -> None:
        problems.append(f"{path}: {message}")

    version = outputs.get("version")
    if version is not None and not str(version).startswith("1"):
        problem("version", f"schema version {version!r} is not supported (1.x is)")
    auth = outputs.get("auth")
    if not isinstance(auth, dict):
        raise AmplifyOutputsError(source, ["auth: missing; the file has no auth section (defineAuth)"])

    def strings(key: str, allowed: tuple[str, ...] | None = None) -> list[str]:
        value = auth.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problem(f"auth.{key}", "must be a list of strings")
            return []
        if allowed is not None:
            for index, item in enumerate(value):
                if item not in allowed:
                    problem(f"auth.{key}[{index}]", f"{item!r} is not one of {', '.join(allowed)}")
            return [item for item in value if item in allowed]
        return list(value)

    pool_id = auth.get("user_pool_id")
    region = None
    if not isinstance(pool_id, str) or not _POOL_ID.match(pool_id):
        problem("auth.user_pool_id", f"must be a user pool id like us-east-1_AbC123xyz, not {pool_id!r}")
    else:
        region = _POOL_ID.match(pool_id).group(1)  # type: ignore[union-attr]
        if auth.get("aws_region") not in (None, region):
            problem("auth.aws_region", f"{auth['aws_region']!r} is not the region of {pool_id} ({region})")
    client_id = auth.get("user_pool_client_id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id) or len(client_id) > 128:
        problem("auth.user_pool_client_id", f"must be an app client id, not {client_id!r}")

    settings: dict[str, Any] = {"UsernameConfiguration": {"CaseSensitive": False}}

    # Password policy.
    policy = auth.get("password_policy")
    if policy is not None:
        if not isinstance(policy, dict):
            problem("auth.password_policy", "must be an object")
        else:
            password: dict[str, Any] = {"MinimumLength": 8, "TemporaryPasswordValidityDays": 7}
            length = policy.get("min_length", 8)
            if isinstance(length, bool) or not isinstance(length, int) or not 6 <= length <= 99:
                problem("auth.password_policy.min_length", "must be a whole number from 6 to 99")
            else:
                password["MinimumLength"] = length
            for key, name in _PASSWORD_RULES.items():
                value = policy.get(key, False)
                if not isinstance(value, bool):
                    problem(f"auth.password_policy.{key}", "must be true or false")
                password[name] = value is True
            settings["Policies"] = {"PasswordPolicy": password}

    # Sign-in names and verification.
    names = strings("username_attributes", ("email", "phone_number", "username"))
    sign_in = [name for name in names if name != "username"]
    if sign_in:
        settings["UsernameAttributes"] = sign_in
    verified = strings("user_verification_types", ("email", "phone_number"))
    if verified:
        settings["AutoVerifiedAttributes"] = verified
        settings["AccountRecoverySetting"] = {
            "RecoveryMechanisms": [
                {"Name": f"verified_{name}", "Priority": priority}
                for priority, name in enumerate(sorted(verified), start=1)
            ]
        }
    required = strings("standard_required_attributes", _STANDARD_ATTRIBUTES)
    schema = [{"Name": name, "Required": True, "Mutable": True} for name in required if name != "sub"]
    if schema:
        settings["Schema"] = schema

    # MFA.
    mode_value = auth.get("mfa_configuration", "NONE")
    mode = _MFA_MODES.get(mode_value) if isinstance(mode_value, str) else None
    if mode is None:
        problem("auth.mfa_configuration", f"{mode_value!r} is not one of NONE, OPTIONAL, REQUIRED")
        mode = "OFF"
    methods = strings("mfa_methods", _MFA_METHODS)
    mfa: dict[str, Any] = {"MfaConfiguration": mode}
    uses_sms = "SMS" in methods or "phone_number" in verified or "phone_number" in sign_in
    if uses_sms:
        settings["SmsConfiguration"] = {
            "SnsCallerArn": _SMS_ROLE.format(account=account_id),
            "ExternalId": "amplify",
        }
    if "SMS" in methods:
        mfa["SmsMfaConfiguration"] = {"SmsConfiguration": settings["SmsConfiguration"]}
    if "TOTP" in methods:
        mfa["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if "EMAIL" in methods:
        mfa["EmailMfaConfiguration"] = {}
    if mode != "OFF" and not methods:
        problem("auth.mfa_methods", f"mfa_configuration {mode_value} needs at least one of SMS, TOTP, EMAIL")

    # Groups: [{"admins": {"precedence": 0}}, ...]
    groups: list[dict[str, Any]] = []
    raw_groups = auth.get("groups") or []
    if not isinstance(raw_groups, list):
        problem("auth.groups", "must be a list")
        raw_groups = []
    for index, entry in enumerate(raw_groups):
        if not isinstance(entry, dict):
            problem(f"auth.groups[{index}]", 'must be an object like {"admins": {"precedence": 0}}')
            continue
        for name, config in entry.items():
            group: dict[str, Any] = {"name": name}
            if isinstance(config, dict) and config.get("precedence") is not None:
                group["precedence"] = config["precedence"]
            groups.append(group)

    flows = list(DEFAULT_AUTH_FLOWS)
    flow_type = auth.get("authentication_flow_type")
    if flow_type == "USER_PASSWORD_AUTH":
        flows.insert(1, "ALLOW_USER_PASSWORD_AUTH")
    identity_pools = _identity_pools(auth, pool_id, client_id, region, source, account_id, problem)
    client_settings: dict[str, Any] = {
        "ExplicitAuthFlows": flows,
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
    }
    domain, oauth_settings = _oauth(auth.get("oauth"), problem)
    client_settings.update(oauth_settings)
    if problems:
        raise AmplifyOutputsError(source, problems)
    pool: dict[str, Any] = {
        "id": pool_id,
        "name": _pool_name(source),
        "settings": settings,
        "mfa": mfa,
    }
    if domain is not None:
        pool["domain"] = domain
    pool["clients"] = [{"id": client_id, "name": "amplify-app-client", "settings": client_settings}]
    pool["groups"] = groups
    return {"version": 1, **({"identity_pools": identity_pools} if identity_pools else {}), "pools": [pool]}


def domain_prefix(domain: str) -> str:
    """The pool domain the emulator serves for an outputs' ``oauth.domain``: its first label
    (``my-app.auth.eu-west-1.amazoncognito.com`` -> ``my-app``)."""
    return domain.split(".", 1)[0].strip().lower()


def domain_note(settings: Any, prefix: str) -> str:
    """Where signInWithRedirect finds the pool's domain: what the app's ``oauth.domain`` must say instead of
    the real Cognito domain that the outputs name."""
    if settings.tls_base_url:
        served = f"{settings.tls_base_url.removeprefix('https://')}/{prefix}"
        return f"domain {prefix} for signInWithRedirect: set oauth.domain to '{served}' in Amplify.configure"
    return (
        f"domain {prefix} for signInWithRedirect: start with --tls (Amplify opens https:// + oauth.domain), "
        f"then set oauth.domain to 'localhost:{settings.tls_port}/{prefix}' in Amplify.configure"
    )


def _oauth(oauth: Any, problem: Any) -> tuple[str | None, dict[str, Any]]:
    """The pool domain and the app client's OAuth settings of an ``auth.oauth`` section (what ``defineAuth``
    with ``loginWith.externalProviders`` deploys): the code (or implicit) flow, the scopes, the callback and
    sign-out URLs, Cognito's own login page as the identity provider."""
    if oauth is None:
        return None, {}
    if not isinstance(oauth, dict):
        problem("auth.oauth", "must be an object")
        return None, {}
    domain = oauth.get("domain")
    prefix = None
    if not isinstance(domain, str) or not domain_prefix(domain):
        problem("auth.oauth.domain", f"must be the user pool's domain name, not {domain!r}")
    else:
        prefix = domain_prefix(domain)

    def urls(key: str, *, required: bool) -> list[str]:
        value = oauth.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value) or not value:
            problem(f"auth.oauth.{key}", "must be a non-empty list of URLs")
            return []
        return list(value)

    scopes = oauth.get("scopes", list(_DEFAULT_SCOPES))
    if not isinstance(scopes, list) or not scopes or not all(isinstance(item, str) for item in scopes):
        problem("auth.oauth.scopes", "must be a non-empty list of strings")
        scopes = []
    response_type = oauth.get("response_type", "code")
    if response_type not in _RESPONSE_TYPES:
        problem("auth.oauth.response_type", f"{response_type!r} is not one of code, token")
        response_type = "code"
    settings: dict[str, Any] = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": [_RESPONSE_TYPES[response_type]],
        "AllowedOAuthScopes": list(scopes),
        "CallbackURLs": urls("redirect_sign_in_uri", required=True),
        "SupportedIdentityProviders": ["COGNITO"],
    }
    sign_out = urls("redirect_sign_out_uri", required=False)
    if sign_out:
        settings["LogoutURLs"] = sign_out
    providers = oauth.get("identity_providers")
    if providers is not None and (
        not isinstance(providers, list) or not all(isinstance(item, str) for item in providers)
    ):
        problem("auth.oauth.identity_providers", "must be a list of strings")
    return prefix, settings


def _identity_pools(
    auth: dict[str, Any],
    pool_id: Any,
    client_id: Any,
    region: str | None,
    source: str,
    account_id: str,
    problem: Any,
) -> list[dict[str, Any]]:
    """The identity pool of ``identity_pool_id``: the user pool's client as its provider, guests as
    ``unauthenticated_identities_enabled`` says, and the roles and token role mapping defineAuth deploys."""
    identity_pool_id = auth.get("identity_pool_id")
    if identity_pool_id is None:
        return []
    match = _IDENTITY_POOL_ID.match(identity_pool_id) if isinstance(identity_pool_id, str) else None
    if match is None:
        problem(
            "auth.identity_pool_id",
            f"must be an identity pool id like eu-west-1:<uuid>, not {identity_pool_id!r}",
        )
        return []
    if region is not None and match.group(1) != region:
        problem("auth.identity_pool_id", f"{identity_pool_id} is not in the user pool's region ({region})")
    guests = auth.get("unauthenticated_identities_enabled", False)
    if not isinstance(guests, bool):
        problem("auth.unauthenticated_identities_enabled", "must be true or false")
        guests = False
    provider = f"cognito-idp.{region}.amazonaws.com/{pool_id}"
    return [
        {
            "id": identity_pool_id,
            "name": _pool_name(source),
            "settings": {
                "AllowUnauthenticatedIdentities": guests,
                "CognitoIdentityProviders": [
                    {"ProviderName": provider, "ClientId": client_id, "ServerSideTokenCheck": False}
                ],
            },
            "roles": {
                "authenticated": _AUTH_ROLE.format(account=account_id),
                "unauthenticated": _GUEST_ROLE.format(account=account_id),
            },
            "role_mappings": {
                f"{provider}:{client_id}": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}
            },
        }
    ]


def _pool_name(source: str) -> str:
    """``amplify-<project directory>``: what a person recognises in the console."""
    project = Path(source).resolve().parent.name
    name = re.sub(r"[^\w\s+=,.@-]", "-", f"amplify-{project}")
    return name[:128]


def load(emulator: Emulator, path: str | Path, *, warn: bool = False) -> dict[str, Any]:
    """Create (or put back) the pool, client and groups that the file declares; returns the fixture.
    ``warn``: log what the file declares that the emulator does not serve (once, at start)."""
    source = str(path)
    outputs = read(path)
    document = to_fixture(outputs, source, account_id=emulator.settings.account_id)
    if warn:
        for line in not_emulated(outputs):
            log.warning("amplify outputs %s: %s", source, line)
    try:
        fixture = fixtures.check(document, source)
        fixtures.apply(emulator, fixture)
    except fixtures.FixtureError as exc:
        # A setting the pool rules refuse; name it with the file so the person knows where to look.
        raise AmplifyOutputsError(source, exc.problems) from None
    return document


def install(emulator: Emulator, path: str | Path, *, load_now: bool = True) -> None:
    """Load the file now (unless ``load_now`` is false: a worker whose parent loaded it) and after every reset."""
    resolved = Path(path).resolve()

    def reload(target: Emulator) -> None:
        load(target, resolved)

    if load_now:
        document = load(emulator, path, warn=True)
        pool = document["pools"][0]
        identity = document.get("identity_pools", [{}])[0].get("id")
        log.info(
            "amplify outputs %s: pool %s, client %s%s",
            path,
            pool["id"],
            pool["clients"][0]["id"],
            f", identity pool {identity}" if identity else "",
        )
        if pool.get("domain"):
            log.info("amplify outputs %s: %s", path, domain_note(emulator.settings, pool["domain"]))
    emulator.after_reset.append(ResetHook(reload, lambda: files_digest([resolved])))
