"""CUSTOM_AUTH: a flow driven by the pool's Define/Create/VerifyAuthChallenge Lambda triggers.

DefineAuthChallenge sees the session history (each challenge with its result) and decides: issue tokens,
fail, or present the next challenge (CUSTOM_CHALLENGE, made by CreateAuthChallenge and checked by
VerifyAuthChallengeResponse, or PASSWORD_VERIFIER when the flow began with SRP_A: CUSTOM_WITH_SRP).
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotConfirmedException,
)
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools.signin import devices, factors
from emulator.userpools.signin.factors import require
from emulator.userpools.signin.outcomes import Challenge, Outcome
from emulator.userpools.triggers import configured, invoke
from emulator.userpools.triggers.events import base_event, user_attributes


def start(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    username: str,
    parameters: dict[str, Any],
    state: dict[str, Any],
) -> Outcome:
    if not configured(pool, "DefineAuthChallenge"):
        raise InvalidParameterException("Custom auth lambda trigger is not configured for the user pool.")
    user = factors.find_user(ctx, pool, client, username)
    factors.begin(ctx, pool, client, user, state)
    history: list[dict[str, Any]] = []
    state = {**state, "first_factor": "CUSTOM"}
    if parameters.get("CHALLENGE_NAME") == "SRP_A" or parameters.get("SRP_A"):
        state["custom_srp_a"] = require(parameters, "SRP_A")
        history.append({"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None})
    return next_step(ctx, pool, client, user, history, state)


def next_step(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User,
    history: list[dict[str, Any]],
    state: dict[str, Any],
) -> Outcome:
    """Ask DefineAuthChallenge what comes after ``history``."""
    metadata = state.get("client_metadata") or {}
    define = invoke(
        ctx,
        pool,
        "DefineAuthChallenge",
        base_event(
            ctx,
            pool,
            "DefineAuthChallenge_Authentication",
            user.username,
            client.id,
            {
                "userAttributes": user_attributes(user),
                "session": history,
                "clientMetadata": metadata,
                "userNotFound": False,
            },
            {"challengeName": None, "issueTokens": None, "failAuthentication": None},
        ),
    )["response"]
    if define.get("failAuthentication"):
        raise NotAuthorizedException(factors.INCORRECT)
    if define.get("issueTokens"):
        if user.status == "UNCONFIRMED":
            raise UserNotConfirmedException("User is not confirmed.")
        # A remembered device is proven after the last custom challenge (no MFA follows a custom flow).
        device_challenge, _ = devices.before_mfa(ctx, pool, user, state)
        if device_challenge is not None:
            return device_challenge
        return factors.finish(ctx, pool, client, user, state)
    name = define.get("challengeName")
    state = {**state, "custom_history": history}
    if name == "PASSWORD_VERIFIER":
        if not state.get("custom_srp_a"):
            raise InvalidParameterException("Missing required parameter SRP_A")
        return factors.start_srp(ctx, pool, user, state["custom_srp_a"], state)
    if name != "CUSTOM_CHALLENGE":
        raise InvalidLambdaResponseException(f"Invalid challenge name from DefineAuthChallenge: {name}")
    created = invoke(
        ctx,
        pool,
        "CreateAuthChallenge",
        base_event(
            ctx,
            pool,
            "CreateAuthChallenge_Authentication",
            user.username,
            client.id,
            {
                "userAttributes": user_attributes(user),
                "challengeName": name,
                "session": history,
                "clientMetadata": metadata,
                "userNotFound": False,
            },
            {"publicChallengeParameters": {}, "privateChallengeParameters": {}, "challengeMetadata": None},
        ),
    )["response"]
    public = {
        key: value if isinstance(value, str) else str(value)
        for key, value in (created.get("publicChallengeParameters") or {}).items()
    }
    public["USERNAME"] = user.username
    return Challenge(
        "CUSTOM_CHALLENGE",
        public,
        user,
        {
            **state,
            "custom_private": created.get("privateChallengeParameters") or {},
            "custom_metadata": created.get("challengeMetadata"),
        },
    )


def answer(ctx: Context, step: Any) -> Outcome:
    """A CUSTOM_CHALLENGE answer: VerifyAuthChallengeResponse judges it, DefineAuthChallenge decides what next."""
    user = step.user
    if user is None:
        raise NotAuthorizedException(factors.INCORRECT)
    state = step.state
    verdict = invoke(
        ctx,
        step.pool,
        "VerifyAuthChallengeResponse",
        base_event(
            ctx,
            step.pool,
            "VerifyAuthChallengeResponse_Authentication",
            user.username,
            step.client.id,
            {
                "userAttributes": user_attributes(user),
                "privateChallengeParameters": state.get("custom_private") or {},
                "challengeAnswer": require(step.responses, "ANSWER"),
                "clientMetadata": state.get("client_metadata") or {},
                "userNotFound": False,
            },
            {"answerCorrect": None},
        ),
    )["response"]
    history = [
        *state.get("custom_history", []),
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": bool(verdict.get("answerCorrect")),
            "challengeMetadata": state.get("custom_metadata"),
        },
    ]
    return next_step(ctx, step.pool, step.client, user, history, _carry(state))


def after_password_verifier(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User, state: dict[str, Any]
) -> Outcome:
    history = [
        *state.get("custom_history", []),
        {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None},
    ]
    return next_step(ctx, pool, client, user, history, _carry(state))


def _carry(state: dict[str, Any]) -> dict[str, Any]:
    keep = ("flow", "admin", "first_factor", "client_metadata", devices.SENT)
    return {key: value for key, value in state.items() if key in keep}
