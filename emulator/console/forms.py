"""The console's create forms, as the Cognito API requests they stand for.

Each function turns the fields of a posted form into the API calls (operation, request body) that do what the
form asks, the way an AWS SDK user would write them: the console then runs them through ``Emulator.call``, so
Cognito's own checks and error messages apply. Only what the API cannot say is checked here (a precedence
that is not a number, an unknown choice).
"""

from __future__ import annotations

from typing import Any

# The sign-in choices of the new-pool form -> the CreateUserPool settings they stand for.
SIGN_IN_CHOICES: dict[str, dict[str, Any]] = {
    "username": {},
    "email": {"UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"]},
    "phone_number": {"UsernameAttributes": ["phone_number"], "AutoVerifiedAttributes": ["phone_number"]},
}
# Cognito wants an SMS role to verify phone numbers; the emulator sends nothing, a well-formed one does.
_SMS_ROLE = "arn:aws:iam::{account}:role/cognito-emulator-sms"

# The flows a new app client may allow (the form's checkboxes), in Cognito's console order.
AUTH_FLOWS = (
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
)

Calls = list[tuple[str, dict[str, Any]]]


class FormError(ValueError):
    """A field the API could not even be asked about (shown in the page like an API error)."""


def _text(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def create_pool(form: dict[str, list[str]], *, account_id: str) -> tuple[str, dict[str, Any]]:
    choice = _text(form, "sign_in") or "username"
    if choice not in SIGN_IN_CHOICES:
        raise FormError(f"sign-in with {choice!r} is not one of {', '.join(SIGN_IN_CHOICES)}")
    body: dict[str, Any] = {"PoolName": _text(form, "name"), **SIGN_IN_CHOICES[choice]}
    if choice == "phone_number":
        body["SmsConfiguration"] = {
            "SnsCallerArn": _SMS_ROLE.format(account=account_id),
            "ExternalId": "cognito-emulator",
        }
    return "CreateUserPool", body


def create_client(pool_id: str, form: dict[str, list[str]]) -> Calls:
    body: dict[str, Any] = {"UserPoolId": pool_id, "ClientName": _text(form, "name")}
    if _text(form, "secret") == "on":
        body["GenerateSecret"] = True
    flows = [flow for flow in form.get("flows", []) if flow]
    unknown = [flow for flow in flows if flow not in AUTH_FLOWS]
    if unknown:
        raise FormError(f"unknown auth flow {unknown[0]!r}")
    if flows:  # none ticked: leave ExplicitAuthFlows out, so Cognito's defaults apply
        body["ExplicitAuthFlows"] = flows
    return [("CreateUserPoolClient", body)]


def create_user(pool_id: str, form: dict[str, list[str]]) -> Calls:
    """AdminCreateUser with an invitation (a temporary password sent to the user), or with a password of the
    person's choosing set as permanent (AdminCreateUser without a message, then AdminSetUserPassword)."""
    username = _text(form, "username")
    mode = _text(form, "mode") or "invite"
    if mode not in ("invite", "password"):
        raise FormError(f"mode {mode!r} is not invite or password")
    password = (form.get("password") or [""])[0]  # passwords keep their spaces
    attributes = []
    for name in ("email", "phone_number"):
        value = _text(form, name)
        if value:
            attributes.append({"Name": name, "Value": value})
            if _text(form, "verified") == "on":
                attributes.append({"Name": f"{name}_verified", "Value": "true"})
    body: dict[str, Any] = {"UserPoolId": pool_id, "Username": username, "UserAttributes": attributes}
    if mode == "invite":
        if password:
            body["TemporaryPassword"] = password
        mediums = [
            medium for medium, name in (("EMAIL", "email"), ("SMS", "phone_number")) if _text(form, name)
        ]
        if mediums:
            body["DesiredDeliveryMediums"] = mediums
        return [("AdminCreateUser", body)]
    if not password:
        raise FormError("a password is needed to create a user with a password (or send an invitation)")
    # The temporary password is the chosen one, so AdminCreateUser checks it against the password policy
    # before anything is created.
    body["TemporaryPassword"] = password
    body["MessageAction"] = "SUPPRESS"
    set_password = {"UserPoolId": pool_id, "Username": username, "Password": password, "Permanent": True}
    return [("AdminCreateUser", body), ("AdminSetUserPassword", set_password)]


def create_group(pool_id: str, form: dict[str, list[str]]) -> Calls:
    body: dict[str, Any] = {"UserPoolId": pool_id, "GroupName": _text(form, "name")}
    description = _text(form, "description")
    if description:
        body["Description"] = description
    precedence = _text(form, "precedence")
    if precedence:
        if not precedence.isdigit():
            raise FormError("Precedence must be a whole number from 0 up")
        body["Precedence"] = int(precedence)
    return [("CreateGroup", body)]
