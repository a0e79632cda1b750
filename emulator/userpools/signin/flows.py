"""The starts of sign-in: one function per AuthFlow of InitiateAuth / AdminInitiateAuth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, NotAuthorizedException
from emulator.store.models import RefreshToken, User, UserPool, UserPoolClient
from emulator.userpools import pools, tokens, users
from emulator.userpools.signin import custom, factors, mfa, sessions, webauthn
from emulator.userpools.signin.factors import require
from emulator.userpools.signin.migration import migrate_user
from emulator.userpools.signin.outcomes import Authenticated, Challenge, Outcome
from emulator.userpools.triggers import events

# The client setting (ExplicitAuthFlows) each flow needs.
CLIENT_FLOW = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "USER_AUTH": "ALLOW_USER_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
}
USER_API_FLOWS = {
    "USER_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "CUSTOM_AUTH",
    "USER_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN",
}
ADMIN_API_FLOWS = {
    "USER_SRP_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH",
    "USER_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN",
}
# First factors a user can be offered in USER_AUTH, and the pool setting (AllowedFirstAuthFactors) behind each.
FIRST_FACTOR_SETTING = {
    "PASSWORD": "PASSWORD",
    "PASSWORD_SRP": "PASSWORD",
    "EMAIL_OTP": "EMAIL_OTP",
    "SMS_OTP": "SMS_OTP",
    "WEB_AUTHN": "WEB_AUTHN",
}


def check_flow_allowed(client: UserPoolClient, flow: str, *, admin: bool) -> None:
    if flow not in (ADMIN_API_FLOWS if admin else USER_API_FLOWS):
        raise InvalidParameterException("Initiate Auth method not supported.")
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return  # refreshing is always allowed
    if CLIENT_FLOW[flow] not in pools.auth_flows(client):
        if flow == "USER_PASSWORD_AUTH":
            raise InvalidParameterException("USER_PASSWORD_AUTH flow not enabled for this client")
        raise InvalidParameterException("Auth flow not enabled for this client")


def _username_and_secret(client: UserPoolClient, parameters: dict[str, Any]) -> str:
    username = require(parameters, "USERNAME")
    pools.check_client_secret(client, username, parameters.get("SECRET_HASH"))
    return username


def password_flow(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    parameters: dict[str, Any],
    state: dict[str, Any],
    request: dict[str, Any],
) -> Outcome:
    username = _username_and_secret(client, parameters)
    password = require(parameters, "PASSWORD")
    user = users.find_user(ctx, pool, username)
    if user is None:
        user = migrate_user(ctx, pool, client, username, password=password, request=request)
        if user is None:
            raise factors.unknown_user(client)
    ctx.log["user"] = user.username
    factors.begin(ctx, pool, client, user, state)
    factors.check_password(ctx, user, password)
    return factors.after_password(ctx, pool, client, user, {**state, "first_factor": "PASSWORD"})


def srp_flow(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    parameters: dict[str, Any],
    state: dict[str, Any],
    request: dict[str, Any],
) -> Outcome:
    username = _username_and_secret(client, parameters)
    srp_a = require(parameters, "SRP_A")
    user = users.find_user(ctx, pool, username)
    if user is None and not factors.prevents_existence_errors(client):
        raise factors.unknown_user(client)
    if user is not None:
        ctx.log["user"] = user.username
        factors.begin(ctx, pool, client, user, state)
    return factors.start_srp(ctx, pool, user, srp_a, {**state, "first_factor": "SRP"})


def user_auth_flow(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    parameters: dict[str, Any],
    state: dict[str, Any],
    request: dict[str, Any],
) -> Outcome:
    """Choice-based sign-in: a preferred first factor, or SELECT_CHALLENGE with what the user can do."""
    username = _username_and_secret(client, parameters)
    user = users.find_user(ctx, pool, username)
    if request.get("Session"):
        return _sign_up_session(ctx, pool, client, user, request["Session"], state)
    if user is None:
        if not factors.prevents_existence_errors(client):
            raise factors.unknown_user(client)
        # Cognito answers an unknown user with a plausible challenge that can never succeed.
        return Challenge(
            "SELECT_CHALLENGE",
            {"USERNAME": username},
            None,
            {**state, "available_challenges": ["PASSWORD", "PASSWORD_SRP"]},
            available_challenges=["PASSWORD", "PASSWORD_SRP"],
        )
    ctx.log["user"] = user.username
    factors.begin(ctx, pool, client, user, state)
    available = available_first_factors(ctx, pool, user)
    preferred = parameters.get("PREFERRED_CHALLENGE")
    if preferred and preferred in available:
        return start_first_factor(ctx, pool, client, user, preferred, parameters, state)
    if not available:
        raise NotAuthorizedException(factors.INCORRECT)
    selection = Challenge(
        "SELECT_CHALLENGE",
        {"USERNAME": user.username},
        user,
        {**state, "available_challenges": available},
        available_challenges=available,
    )
    if webauthn.NAME in available:
        # The request options ride along, so the selection may be answered with the CREDENTIAL at once.
        webauthn.offer_in_selection(ctx, pool, user, selection)
    return selection


def available_first_factors(ctx: Context, pool: UserPool, user: User) -> list[str]:
    allowed = set(
        pool.config.get("Policies", {}).get("SignInPolicy", {}).get("AllowedFirstAuthFactors", ["PASSWORD"])
    )
    attributes = users.attribute_map(user)
    mfa_required = pool.config.get("MfaConfiguration") == "ON"
    can = {
        "PASSWORD": bool(user.password_hash),
        "PASSWORD_SRP": bool(user.srp_verifier),
        # One-time codes stand in for a password only where MFA is not required, as in Cognito.
        "EMAIL_OTP": not mfa_required and bool(attributes.get("email")),
        "SMS_OTP": not mfa_required and bool(attributes.get("phone_number")),
        "WEB_AUTHN": webauthn.available(ctx, pool, user),
    }
    return [name for name, setting in FIRST_FACTOR_SETTING.items() if setting in allowed and can[name]]


def start_first_factor(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User,
    factor: str,
    parameters: dict[str, Any],
    state: dict[str, Any],
) -> Outcome:
    """Begin one first factor of USER_AUTH (from PREFERRED_CHALLENGE or a SELECT_CHALLENGE answer)."""
    if factor == "PASSWORD":
        factors.check_password(ctx, user, require(parameters, "PASSWORD"))
        return factors.after_password(ctx, pool, client, user, {**state, "first_factor": "PASSWORD"})
    if factor == "PASSWORD_SRP":
        return factors.start_srp(
            ctx, pool, user, require(parameters, "SRP_A"), {**state, "first_factor": "SRP"}
        )
    if factor in ("EMAIL_OTP", "SMS_OTP"):
        purpose = "EMAIL_OTP_SIGNIN" if factor == "EMAIL_OTP" else "SMS_OTP"
        channel_factor = mfa.EMAIL if factor == "EMAIL_OTP" else "SMS_OTP"
        delivery = mfa.send_code(ctx, pool, user, channel_factor, purpose=purpose)
        return Challenge(
            factor,
            {"USERNAME": user.username, **delivery},
            user,
            {**state, "first_factor": "OTP", "code_purpose": purpose},
        )
    if factor == webauthn.NAME:
        return webauthn.start(ctx, pool, user, state)
    raise InvalidParameterException(f"The challenge {factor} is not supported.")


def _sign_up_session(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User | None, value: str, state: dict[str, Any]
) -> Outcome:
    """Amplify's autoSignIn: USER_AUTH with the Session ConfirmSignUp returned signs the new user in."""
    session = sessions.load(ctx, value, client)
    if session.flow != "SIGN_UP_AUTO_SIGN_IN" or user is None or session.user_id != user.id:
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    sessions.consume(ctx, session)
    factors.check_can_sign_in(ctx, user)
    if user.status != "CONFIRMED":
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    return factors.finish(ctx, pool, client, user, state)


def refresh_flow(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    parameters: dict[str, Any],
    state: dict[str, Any],
    request: dict[str, Any],
) -> Outcome:
    refresh_token = require(parameters, "REFRESH_TOKEN")
    result = refresh_with_trigger(
        ctx,
        pool,
        client,
        refresh_token,
        client_metadata=state.get("client_metadata"),
        device_key=parameters.get("DEVICE_KEY"),
        secret_hash=parameters.get("SECRET_HASH"),
        username=parameters.get("USERNAME"),
    )
    return Authenticated(result)


def refresh_with_trigger(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    refresh_token: str,
    *,
    client_metadata: dict[str, str] | None = None,
    **checks: Any,
) -> dict[str, Any]:
    """New tokens for a refresh token (``tokens.refresh`` with its ``checks``), after the pre token generation
    trigger (TokenGeneration_RefreshTokens) for its owner: REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken."""
    stored = ctx.db.get(RefreshToken, tokens.token_hash(refresh_token))
    owner = (
        ctx.db.get(User, stored.user_id, options=[users.WITH_ATTRIBUTES])
        if stored is not None and stored.client_id == client.id
        else None
    )
    override = None
    if owner is not None:
        override = events.pre_token_generation(
            ctx,
            pool,
            client.id,
            owner,
            "TokenGeneration_RefreshTokens",
            client_metadata=client_metadata,
        )
    return tokens.refresh(ctx, pool, client, refresh_token, claims_override=override, **checks)


def custom_flow(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    parameters: dict[str, Any],
    state: dict[str, Any],
    request: dict[str, Any],
) -> Outcome:
    username = _username_and_secret(client, parameters)
    return custom.start(ctx, pool, client, username, parameters, state)


STARTERS: dict[str, Callable[..., Outcome]] = {
    "USER_PASSWORD_AUTH": password_flow,
    "ADMIN_USER_PASSWORD_AUTH": password_flow,
    "ADMIN_NO_SRP_AUTH": password_flow,
    "USER_SRP_AUTH": srp_flow,
    "USER_AUTH": user_auth_flow,
    "REFRESH_TOKEN_AUTH": refresh_flow,
    "REFRESH_TOKEN": refresh_flow,
    "CUSTOM_AUTH": custom_flow,
}
