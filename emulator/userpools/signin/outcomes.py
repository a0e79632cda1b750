"""What one sign-in step produces, and how it becomes an InitiateAuth/RespondToAuthChallenge response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.protocol.context import Context
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools.signin import sessions


@dataclass
class Challenge:
    """The next challenge: its name, public parameters, and the state the session keeps for the answer."""

    name: str
    parameters: dict[str, str]
    user: User | None
    state: dict[str, Any] = field(default_factory=dict)
    # USER_AUTH's SELECT_CHALLENGE lists the first factors at the top level of the response.
    available_challenges: list[str] | None = None
    # Some values (the SRP secret block) must be known before the session value exists.
    session_value: str | None = None


@dataclass
class Authenticated:
    """The flow is complete: the AuthenticationResult to hand out."""

    result: dict[str, Any]
    # Who signed in (set for a hosted-UI sign-in, whose result has no tokens yet).
    user: User | None = None


Outcome = Challenge | Authenticated


def respond(
    ctx: Context, pool: UserPool, client: UserPoolClient, outcome: Outcome, flow: str
) -> dict[str, Any]:
    if isinstance(outcome, Authenticated):
        return {"ChallengeParameters": {}, "AuthenticationResult": outcome.result}
    state = {"flow": flow, **outcome.state}
    value = sessions.create(ctx, pool, client, outcome.user, flow=flow, challenge=outcome.name, state=state)
    response: dict[str, Any] = {
        "ChallengeName": outcome.name,
        "ChallengeParameters": outcome.parameters,
        "Session": value,
    }
    if outcome.available_challenges is not None:
        response["AvailableChallenges"] = outcome.available_challenges
    if outcome.name == "PASSWORD_VERIFIER":
        # The secret block names this session, so clients that answer without Session (pycognito) work too.
        response["ChallengeParameters"]["SECRET_BLOCK"] = sessions.secret_block_for(value)
    return response
