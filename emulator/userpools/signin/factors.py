"""First factors: a password, an SRP proof of one, or a one-time code sent by email or SMS.

Also what every flow does once the first factor is proven: the user's status decides between an error
(UNCONFIRMED, RESET_REQUIRED), NEW_PASSWORD_REQUIRED, an MFA challenge, or tokens.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from emulator import ids
from emulator.clock import as_utc
from emulator.crypto import srp
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools import tokens, users
from emulator.userpools.signin import lockout, mfa
from emulator.userpools.signin.outcomes import Authenticated, Challenge, Outcome
from emulator.userpools.triggers import events

INCORRECT = "Incorrect username or password."
# The flow of a sign-in on the hosted login pages (emulator.userpools.oauth.hosted_signin).
HOSTED_UI_FLOW = "HOSTED_UI"
# How far a client's SRP TIMESTAMP may be from the server's clock.
TIMESTAMP_TOLERANCE = timedelta(minutes=5)


def require(parameters: dict[str, Any], name: str) -> str:
    value = parameters.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


def prevents_existence_errors(client: UserPoolClient) -> bool:
    return client.config.get("PreventUserExistenceErrors") == "ENABLED"


def unknown_user(client: UserPoolClient) -> Exception:
    """The error for a login that names no user, per the client's PreventUserExistenceErrors."""
    if prevents_existence_errors(client):
        return NotAuthorizedException(INCORRECT)
    return UserNotFoundException("User does not exist.")


def find_user(ctx: Context, pool: UserPool, client: UserPoolClient, login: str) -> User:
    user = users.find_user(ctx, pool, login)
    if user is None:
        raise unknown_user(client)
    ctx.log["user"] = user.username
    return user


def check_can_sign_in(ctx: Context, user: User) -> None:
    """Refusals that come before the password is even looked at."""
    lockout.check(ctx, user)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == "RESET_REQUIRED":
        raise PasswordResetRequiredException("Password reset required for the user")


def begin(ctx: Context, pool: UserPool, client: UserPoolClient, user: User, state: dict[str, Any]) -> None:
    """The start of a sign-in attempt for a known user: refusals, then the PreAuthentication trigger."""
    check_can_sign_in(ctx, user)
    events.pre_authentication(ctx, pool, client.id, user, validation_data=state.get("validation_data"))


def check_password(ctx: Context, user: User, password: str) -> None:
    check_can_sign_in(ctx, user)
    if not users.check_password(ctx, user, password):
        lockout.record_failure(ctx, user)
        raise NotAuthorizedException(INCORRECT)


# --- SRP -------------------------------------------------------------------------------------------------
def start_srp(
    ctx: Context, pool: UserPool, user: User | None, srp_a: str, state: dict[str, Any]
) -> Challenge:
    """PASSWORD_VERIFIER: SRP_B, SALT and the user id the client must hash its password with.

    For an unknown user of a client that prevents existence errors, the challenge looks the same and the
    answer fails later with "Incorrect username or password.", as in Cognito.
    """
    try:
        a_value = srp.parse_hex_int(srp_a, "SRP_A")
    except ValueError:
        raise InvalidParameterException("SRP_A is not a valid hexadecimal number.") from None
    if a_value % srp.N == 0:
        raise NotAuthorizedException(INCORRECT)
    if user is not None and user.srp_verifier:
        salt_hex, verifier_hex, user_id = user.srp_salt, user.srp_verifier, user.username
    else:
        # No such user, or no password: a challenge from a throwaway verifier that nothing can satisfy.
        user_id = user.username if user is not None else ids.sub()
        salt_hex, verifier_hex = srp.compute_verifier(
            ids.pool_name_for_srp(pool.id), user_id, secrets.token_hex(32)
        )
    b_hex, big_b = srp.new_server_ephemeral(
        verifier_hex, ctx.password_work.take_ephemeral() if ctx.password_work else None
    )
    parameters = {"SALT": salt_hex, "SRP_B": big_b, "USERNAME": user_id, "USER_ID_FOR_SRP": user_id}
    srp_state = {
        **state,
        "srp_a": srp_a,
        "srp_b_secret": b_hex,
        "srp_salt": salt_hex,
        "srp_verifier": verifier_hex,
        "srp_user_id": user_id,
        "srp_phantom": user is None or not user.srp_verifier,
    }
    return Challenge("PASSWORD_VERIFIER", parameters, user, srp_state)


def verify_srp(
    ctx: Context,
    pool: UserPool,
    user: User | None,
    state: dict[str, Any],
    responses: dict[str, Any],
    secret_block: str,
) -> User:
    """Check a PASSWORD_VERIFIER answer; the user on success, NotAuthorizedException otherwise."""
    timestamp = require(responses, "TIMESTAMP")
    signature = require(responses, "PASSWORD_CLAIM_SIGNATURE")
    claimed_block = require(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    try:
        when = srp.parse_timestamp(timestamp)
    except ValueError:
        raise InvalidParameterException(
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
        ) from None
    if user is None or state.get("srp_phantom"):
        raise NotAuthorizedException(INCORRECT)
    check_can_sign_in(ctx, user)
    if claimed_block != secret_block or abs(as_utc(when) - ctx.now) > TIMESTAMP_TOLERANCE:
        lockout.record_failure(ctx, user)
        raise NotAuthorizedException(INCORRECT)
    try:
        valid = srp.verify_password_claim(
            pool_name=ids.pool_name_for_srp(pool.id),
            user_id_for_srp=state["srp_user_id"],
            salt_hex=state["srp_salt"],
            verifier_hex=state["srp_verifier"],
            b_hex=state["srp_b_secret"],
            A_hex=state["srp_a"],
            secret_block_b64=claimed_block,
            # Cognito signs its own spelling of the time: a zero-padded day does not verify.
            timestamp=srp.format_timestamp(when),
            signature_b64=signature,
            premasters=ctx.password_work.premasters if ctx.password_work else None,
        )
    except ValueError:
        valid = False
    if not valid:
        lockout.record_failure(ctx, user)
        raise NotAuthorizedException(INCORRECT)
    return user


# --- after the first factor ---------------------------------------------------------------------------------
def after_password(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User, state: dict[str, Any]
) -> Outcome:
    """The password was right: status errors, NEW_PASSWORD_REQUIRED, MFA, or tokens."""
    lockout.record_success(user)
    if user.status == "UNCONFIRMED":
        ctx.db.commit()  # the reset failure count stays
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == "FORCE_CHANGE_PASSWORD":
        return new_password_required(ctx, pool, user, state)
    return second_factor_or_tokens(ctx, pool, client, user, state)


def second_factor_or_tokens(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User, state: dict[str, Any]
) -> Outcome:
    challenge = mfa.second_factor(ctx, pool, user, state)
    if challenge is not None:
        return challenge
    return finish(ctx, pool, client, user, state)


def finish(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User, state: dict[str, Any]
) -> Authenticated:
    """Tokens for a fully authenticated user."""
    lockout.record_success(user)
    metadata = state.get("client_metadata") or {}
    events.post_authentication(ctx, pool, client.id, user, client_metadata=metadata)
    if state.get("flow") == HOSTED_UI_FLOW:
        # The hosted login pages: no tokens here; the page issues an authorization code (or, for the implicit
        # flow, tokens) through the OAuth rules, with the hosted UI's own trigger source.
        return Authenticated({}, user=user)
    source = (
        "TokenGeneration_NewPasswordChallenge"
        if state.get("new_password")
        else "TokenGeneration_Authentication"
    )
    override = events.pre_token_generation(ctx, pool, client.id, user, source, client_metadata=metadata)
    result = tokens.issue_tokens(ctx, pool, client, user, auth_time=ctx.now, claims_override=override)
    return Authenticated(result)


def new_password_required(ctx: Context, pool: UserPool, user: User, state: dict[str, Any]) -> Challenge:
    import json

    temporary_days = pool.config["Policies"]["PasswordPolicy"].get("TemporaryPasswordValidityDays", 7)
    if user.password_set_at is not None and ctx.now > as_utc(user.password_set_at) + timedelta(
        days=temporary_days
    ):
        raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")
    attributes = {name: value for name, value in users.attribute_map(user).items() if name != "sub"}
    required = [
        f"userAttributes.{item['Name']}"
        for item in pool.config.get("SchemaAttributes", [])
        if item.get("Required") and item["Name"] != "sub" and not attributes.get(item["Name"])
    ]
    parameters = {
        "USER_ID_FOR_SRP": user.username,
        "requiredAttributes": json.dumps(required),
        "userAttributes": json.dumps(attributes),
    }
    return Challenge("NEW_PASSWORD_REQUIRED", parameters, user, {**state, "required_attributes": required})
