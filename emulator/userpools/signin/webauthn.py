"""The WEB_AUTHN first factor of USER_AUTH: a passkey assertion instead of a password.

The challenge carries CREDENTIAL_REQUEST_OPTIONS (a JSON string with a fresh challenge, the user's
credentials and the user verification the pool wants); the answer's CREDENTIAL is checked by
``userpools.passkeys``. A wrong answer spends the session: a WebAuthn challenge is used once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from emulator.protocol.context import Context
from emulator.protocol.errors import NotAuthorizedException, UserNotConfirmedException
from emulator.store.models import User, UserPool
from emulator.userpools import passkeys
from emulator.userpools.signin import factors, sessions
from emulator.userpools.signin.factors import require
from emulator.userpools.signin.outcomes import Challenge, Outcome

if TYPE_CHECKING:
    from emulator.userpools.signin.challenges import Step

NAME = "WEB_AUTHN"


def mfa_required(pool: UserPool) -> bool:
    return pool.config.get("MfaConfiguration") == "ON"


def counts_as_mfa(ctx: Context, pool: UserPool, user: User) -> bool:
    """A passkey with user verification satisfies required MFA only with MULTI_FACTOR_WITH_USER_VERIFICATION
    in the pool and the user's WebAuthnMfaSettings enabled."""
    multi = passkeys.configuration(pool)["FactorConfiguration"] == passkeys.MULTI_FACTOR
    return multi and passkeys.mfa_enabled(ctx, user)


def available(ctx: Context, pool: UserPool, user: User) -> bool:
    """Whether WEB_AUTHN can be offered to the user: the pool allows it, the user has a passkey, and MFA is
    not required unless the passkey counts as MFA."""
    if not passkeys.enabled(pool) or not passkeys.has_credentials(ctx, user):
        return False
    return not mfa_required(pool) or counts_as_mfa(ctx, pool, user)


def start(ctx: Context, pool: UserPool, user: User, state: dict[str, Any]) -> Challenge:
    """The WEB_AUTHN challenge with its CREDENTIAL_REQUEST_OPTIONS."""
    # Passkey MFA turned on for the user means its sign-ins need user verification (WebAuthnMfaSettings).
    require_uv = passkeys.user_verification_required(pool) or counts_as_mfa(ctx, pool, user)
    options = passkeys.request_options(ctx, pool, user, require_uv=require_uv)
    parameters = {"USERNAME": user.username, "CREDENTIAL_REQUEST_OPTIONS": json.dumps(options)}
    return Challenge(
        NAME,
        parameters,
        user,
        {
            **state,
            "first_factor": NAME,
            "webauthn_challenge": options["challenge"],
            "webauthn_rp_id": options["rpId"],
            "webauthn_require_uv": require_uv,
        },
    )


def offer_in_selection(ctx: Context, pool: UserPool, user: User, selection: Challenge) -> None:
    """SELECT_CHALLENGE offering WEB_AUTHN carries CREDENTIAL_REQUEST_OPTIONS too, so that the selection can be
    answered with ``ANSWER: WEB_AUTHN`` and the ``CREDENTIAL`` at once (as Cognito's ChallengeResponses allow)."""
    offered = start(ctx, pool, user, {})
    selection.parameters["CREDENTIAL_REQUEST_OPTIONS"] = offered.parameters["CREDENTIAL_REQUEST_OPTIONS"]
    selection.state.update(
        {key: value for key, value in offered.state.items() if key.startswith("webauthn_")}
    )


def answer(ctx: Context, step: Step) -> Outcome:
    """Check the CREDENTIAL; tokens when it proves one of the user's passkeys."""
    user = step.user
    if user is None:
        raise NotAuthorizedException(factors.INCORRECT)
    credential = require(step.responses, "CREDENTIAL")
    state = step.state
    factors.check_can_sign_in(ctx, user)
    if user.status == "UNCONFIRMED":
        raise UserNotConfirmedException("User is not confirmed.")
    try:
        passkeys.verify_assertion(
            ctx,
            user,
            credential,
            challenge=state["webauthn_challenge"],
            rp_id=state["webauthn_rp_id"],
            require_uv=bool(state.get("webauthn_require_uv")),
        )
    except passkeys.AssertionRefused as refused:
        ctx.log["webauthn_refused"] = json.dumps(str(refused))
        # The challenge is single use: this session cannot be answered again.
        sessions.consume(ctx, step.session)
        ctx.db.commit()
        raise NotAuthorizedException(factors.INCORRECT) from None
    carried = {key: state[key] for key in ("flow", "admin", "client_metadata") if key in state}
    return factors.finish(ctx, step.pool, step.client, user, {**carried, "first_factor": NAME})
