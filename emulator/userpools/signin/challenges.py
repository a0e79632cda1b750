"""One handler per challenge answered through RespondToAuthChallenge.

Each handler gets the step (pool, client, the stored session and its user, the ChallengeResponses) and
returns the next Outcome. Adding a challenge means adding a handler to HANDLERS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
)
from emulator.store.models import AuthSession, User, UserPool, UserPoolClient
from emulator.userpools import users
from emulator.userpools.signin import custom, factors, flows, mfa, sessions
from emulator.userpools.signin.factors import require
from emulator.userpools.signin.outcomes import Challenge, Outcome


@dataclass
class Step:
    pool: UserPool
    client: UserPoolClient
    session: AuthSession
    session_value: str
    user: User | None
    responses: dict[str, Any]

    @property
    def state(self) -> dict[str, Any]:
        return dict(self.session.state)


def _user(step: Step) -> User:
    if step.user is None:
        raise NotAuthorizedException(factors.INCORRECT)
    return step.user


def _with_retries(ctx: Context, step: Step, check: Callable[[], None]) -> None:
    """Run a code check; a wrong code counts against the session, which dies after a few."""
    try:
        check()
    except (CodeMismatchException, ExpiredCodeException):
        sessions.record_failed_answer(ctx, step.session)
        raise


def password_verifier(ctx: Context, step: Step) -> Outcome:
    user = factors.verify_srp(
        ctx, step.pool, step.user, step.state, step.responses, sessions.secret_block_for(step.session_value)
    )
    if step.state.get("flow") == "CUSTOM_AUTH":
        return custom.after_password_verifier(ctx, step.pool, step.client, user, step.state)
    return factors.after_password(ctx, step.pool, step.client, user, _carry(step.state))


def sms_or_email_code(ctx: Context, step: Step) -> Outcome:
    user = _user(step)
    name = step.session.challenge
    response_key = {"SMS_MFA": "SMS_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE"}[name]
    code = step.responses.get(response_key)
    if not code:
        raise InvalidParameterException(f"Missing required parameter {response_key}")
    state = step.state
    _with_retries(ctx, step, lambda: mfa.check_code(ctx, user, purpose=state["code_purpose"], code=code))
    if state.get("setup_email"):
        # MFA_SETUP answered with an email address: proven now, so it becomes the user's email MFA.
        apply_attributes(ctx, step.pool, user, {"email": state["setup_email"], "email_verified": "true"})
        user.mfa_email_enabled = True
        user.mfa_preferred = user.mfa_preferred or mfa.EMAIL
    if state.get("first_factor") == "OTP":
        _verify_destination(ctx, step.pool, user, name)
    return factors.finish(ctx, step.pool, step.client, user, state)


def _verify_destination(ctx: Context, pool: UserPool, user: User, challenge: str) -> None:
    """A one-time code that reached the user proves the address it went to."""
    attribute = "email_verified" if challenge == "EMAIL_OTP" else "phone_number_verified"
    if users.attribute_map(user).get(attribute) != "true":
        apply_attributes(ctx, pool, user, {attribute: "true"})


def apply_attributes(
    ctx: Context, pool: UserPool, user: User, values: dict[str, str], client: UserPoolClient | None = None
) -> None:
    """Attributes given during sign-in (NEW_PASSWORD_REQUIRED, email MFA setup, a proven OTP address)."""
    known = {item["Name"] for item in pool.config.get("SchemaAttributes", [])}
    writable = set(client.config.get("WriteAttributes") or known) if client is not None else known
    for name, value in values.items():
        if name not in known:
            raise InvalidParameterException(f"Attribute does not exist in the schema: {name}")
        if client is not None and name not in writable and not name.endswith("_verified"):
            raise NotAuthorizedException(f"A client attempted to write unauthorized attribute: {name}")
        users.set_attribute(user, name, value)
    users.sync_aliases(ctx, pool, user)
    user.modified_at = ctx.now


def software_token_mfa(ctx: Context, step: Step) -> Outcome:
    user = _user(step)
    code = require(step.responses, "SOFTWARE_TOKEN_MFA_CODE")
    _with_retries(ctx, step, lambda: mfa.check_totp(user, code, ctx))
    return factors.finish(ctx, step.pool, step.client, user, step.state)


def select_mfa_type(ctx: Context, step: Step) -> Outcome:
    user = _user(step)
    answer = require(step.responses, "ANSWER")
    if answer not in step.state.get("mfas_can_choose", []):
        raise InvalidParameterException(f"Invalid ANSWER: {answer} is not an MFA type the user can choose.")
    return mfa.challenge_for(ctx, step.pool, user, answer, _carry(step.state))


def mfa_setup(ctx: Context, step: Step) -> Outcome:
    user = _user(step)
    state = step.state
    can_setup = state.get("mfas_can_setup", [])
    if state.get("totp_verified"):
        user.mfa_totp_enabled = True
        user.mfa_preferred = mfa.TOTP
        return factors.finish(ctx, step.pool, step.client, user, state)
    email = step.responses.get("EMAIL")
    if email:
        if mfa.EMAIL not in can_setup:
            raise InvalidParameterException("Email MFA is not enabled for this user pool.")
        if not users.is_email(email):
            raise InvalidParameterException("Invalid email address format.")
        parameters = {"USER_ID_FOR_SRP": user.username}
        parameters.update(
            mfa.send_code(ctx, step.pool, user, mfa.EMAIL, purpose=mfa.EMAIL, destination=email)
        )
        return Challenge(
            mfa.EMAIL, parameters, user, {**_carry(state), "code_purpose": mfa.EMAIL, "setup_email": email}
        )
    raise InvalidParameterException(
        "MFA_SETUP needs a verified software token (AssociateSoftwareToken and VerifySoftwareToken with this "
        "session) or an EMAIL to set up email MFA."
    )


def new_password_required(ctx: Context, step: Step) -> Outcome:
    user = _user(step)
    password = require(step.responses, "NEW_PASSWORD")
    given = {
        key[len("userAttributes.") :]: value
        for key, value in step.responses.items()
        if key.startswith("userAttributes.")
    }
    missing = [
        name
        for name in step.state.get("required_attributes", [])
        if not given.get(name[len("userAttributes.") :])
    ]
    if missing:
        raise InvalidParameterException(f"Missing required attribute(s): {', '.join(missing)}")
    users.set_password(ctx, step.pool, user, password, temporary=False)
    if given:
        apply_attributes(ctx, step.pool, user, given, client=step.client)
    user.status = "CONFIRMED"
    return factors.second_factor_or_tokens(
        ctx, step.pool, step.client, user, {**_carry(step.state), "new_password": True}
    )


def select_challenge(ctx: Context, step: Step) -> Outcome:
    answer = require(step.responses, "ANSWER")
    available = step.state.get("available_challenges", [])
    if answer not in available:
        raise InvalidParameterException(f"The challenge {answer} is not available for this user.")
    if step.user is None:
        raise NotAuthorizedException(factors.INCORRECT)
    return flows.start_first_factor(
        ctx, step.pool, step.client, step.user, answer, step.responses, _carry(step.state)
    )


def password(ctx: Context, step: Step) -> Outcome:
    # USER_AUTH answered with ANSWER=PASSWORD arrives as SELECT_CHALLENGE; this name is for clients that answer
    # the PASSWORD challenge explicitly.
    user = _user(step)
    factors.check_password(ctx, user, require(step.responses, "PASSWORD"))
    return factors.after_password(ctx, step.pool, step.client, user, _carry(step.state))


def custom_challenge(ctx: Context, step: Step) -> Outcome:
    return custom.answer(ctx, step)


def _carry(state: dict[str, Any]) -> dict[str, Any]:
    """What a flow's state carries into its next challenge (per-challenge details are dropped)."""
    keep = ("flow", "admin", "first_factor", "client_metadata", "custom_history", "new_password")
    return {key: value for key, value in state.items() if key in keep}


HANDLERS: dict[str, Callable[[Context, Step], Outcome]] = {
    "PASSWORD_VERIFIER": password_verifier,
    "SMS_MFA": sms_or_email_code,
    "EMAIL_OTP": sms_or_email_code,
    "SMS_OTP": sms_or_email_code,
    "SOFTWARE_TOKEN_MFA": software_token_mfa,
    "SELECT_MFA_TYPE": select_mfa_type,
    "MFA_SETUP": mfa_setup,
    "NEW_PASSWORD_REQUIRED": new_password_required,
    "SELECT_CHALLENGE": select_challenge,
    "PASSWORD": password,
    "PASSWORD_SRP": select_challenge,
    "CUSTOM_CHALLENGE": custom_challenge,
}
