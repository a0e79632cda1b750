"""CUSTOM_AUTH: a flow driven by the pool's Define/Create/VerifyAuthChallenge Lambda triggers.

Without a DefineAuthChallenge trigger Cognito refuses the flow. Running triggers is the job of the triggers
module (a later piece of work); until it exists a pool that names the triggers gets Cognito's
UnexpectedLambdaException rather than a pretend success.
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import InvalidParameterException, UnexpectedLambdaException
from emulator.signin.outcomes import Outcome
from emulator.store.models import UserPool, UserPoolClient

TRIGGERS = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")


def _require_triggers(pool: UserPool) -> None:
    lambdas = pool.config.get("LambdaConfig") or {}
    if not lambdas.get("DefineAuthChallenge"):
        raise InvalidParameterException("Custom auth lambda trigger is not configured for the user pool.")
    raise UnexpectedLambdaException(
        "This emulator cannot invoke Lambda triggers yet, so CUSTOM_AUTH cannot run for this user pool."
    )


def start(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    username: str,
    parameters: dict[str, Any],
    state: dict[str, Any],
) -> Outcome:
    _require_triggers(pool)
    raise AssertionError("unreachable")


def answer(ctx: Context, step: Any) -> Outcome:
    _require_triggers(step.pool)
    raise AssertionError("unreachable")
