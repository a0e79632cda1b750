"""Threat protection with boto3 over HTTP: risk configurations per pool and client, the auth events a user's
sign-ins, sign-up, forgot-password and password changes record, and feedback on them."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.helpers import PASSWORD, error_code, make_client, make_pool, make_user, messages

SOURCE = "arn:aws:ses:us-east-1:123456789012:identity/security@example.com"


@pytest.fixture
def pool_id(cognito) -> str:
    return make_pool(
        cognito,
        PoolName="threats",
        UserPoolTier="PLUS",
        UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"},
        AutoVerifiedAttributes=["email"],
    )


@pytest.fixture
def client_id(cognito, pool_id) -> str:
    return make_client(cognito, pool_id)["ClientId"]


def sign_in(cognito, client_id: str, password: str = PASSWORD) -> dict:
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": password},
    )


def test_risk_configuration_per_pool_and_client(cognito, pool_id, client_id):
    assert cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"] == {
        "UserPoolId": pool_id
    }
    cognito.set_risk_configuration(
        UserPoolId=pool_id,
        CompromisedCredentialsRiskConfiguration={
            "EventFilter": ["SIGN_IN"],
            "Actions": {"EventAction": "BLOCK"},
        },
        RiskExceptionConfiguration={"BlockedIPRangeList": ["192.0.2.0/24"]},
    )
    pool_level = cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert pool_level["CompromisedCredentialsRiskConfiguration"]["Actions"] == {"EventAction": "BLOCK"}
    assert pool_level["RiskExceptionConfiguration"] == {"BlockedIPRangeList": ["192.0.2.0/24"]}
    assert pool_level["LastModifiedDate"]
    # A client without its own configuration gets the pool's; with one, its own.
    assert (
        "ClientId"
        not in cognito.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)[
            "RiskConfiguration"
        ]
    )
    cognito.set_risk_configuration(
        UserPoolId=pool_id,
        ClientId=client_id,
        AccountTakeoverRiskConfiguration={
            "Actions": {"HighAction": {"Notify": False, "EventAction": "MFA_REQUIRED"}}
        },
    )
    own = cognito.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)["RiskConfiguration"]
    assert own["ClientId"] == client_id and "CompromisedCredentialsRiskConfiguration" not in own
    with pytest.raises(ClientError) as caught:
        cognito.set_risk_configuration(
            UserPoolId=pool_id,
            AccountTakeoverRiskConfiguration={
                "Actions": {"LowAction": {"Notify": True, "EventAction": "NO_ACTION"}}
            },
        )
    assert error_code(caught) == "InvalidParameterException"
    off = make_pool(cognito)
    for call in (cognito.describe_risk_configuration, cognito.set_risk_configuration):
        with pytest.raises(ClientError) as caught:
            call(UserPoolId=off)
        assert error_code(caught) == "UserPoolAddOnNotEnabledException"


def test_real_events_are_recorded_and_feedback_is_given(cognito, pool_id, client_id, http):
    cognito.set_risk_configuration(
        UserPoolId=pool_id,
        AccountTakeoverRiskConfiguration={
            "NotifyConfiguration": {
                "SourceArn": SOURCE,
                "NoActionEmail": {"Subject": "New sign-in", "TextBody": "Was this you?"},
            },
            "Actions": {"LowAction": {"Notify": True, "EventAction": "NO_ACTION"}},
        },
    )
    make_user(cognito, pool_id, "alice", attributes={"email": "alice@example.com", "email_verified": "true"})
    with pytest.raises(ClientError):
        sign_in(cognito, client_id, "Wrong-passw0rd")
    token = sign_in(cognito, client_id)["AuthenticationResult"]["AccessToken"]
    cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="Newer-passw0rd")
    cognito.forgot_password(ClientId=client_id, Username="alice")

    events = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username="alice")["AuthEvents"]
    kinds = [(event["EventType"], event["EventResponse"]) for event in events]
    assert kinds == [
        ("ForgotPassword", "Pass"),
        ("PasswordChange", "Pass"),
        ("SignIn", "Pass"),
        ("SignIn", "Fail"),
    ]
    failed = events[3]
    assert failed["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Failure"}]
    assert failed["EventRisk"]["RiskDecision"] == "NoRisk"
    assert failed["EventContextData"]["IpAddress"]
    page = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username="alice", MaxResults=2)
    assert len(page["AuthEvents"]) == 2 and page["NextToken"]

    # The successful sign-in sent the notification, with the event's feedback token.
    notice = [m for m in messages(http, pool_id=pool_id) if m.get("purpose") == "AUTH_EVENT_FEEDBACK"]
    assert len(notice) == 1 and notice[0]["subject"] == "New sign-in"
    found = re.search(r"Event: (\S+)\nFeedbackToken: (\S+)", notice[0]["body"])
    assert found and found.group(1) == events[2]["EventId"]
    with pytest.raises(ClientError) as caught:
        cognito.update_auth_event_feedback(
            UserPoolId=pool_id,
            Username="alice",
            EventId=found.group(1),
            FeedbackToken="wrong",
            FeedbackValue="Valid",
        )
    assert error_code(caught) == "NotAuthorizedException"
    cognito.update_auth_event_feedback(
        UserPoolId=pool_id,
        Username="alice",
        EventId=found.group(1),
        FeedbackToken=found.group(2),
        FeedbackValue="Valid",
    )
    cognito.admin_update_auth_event_feedback(
        UserPoolId=pool_id, Username="alice", EventId=events[3]["EventId"], FeedbackValue="Invalid"
    )
    events = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username="alice")["AuthEvents"]
    assert (
        events[2]["EventFeedback"]["FeedbackValue"] == "Valid"
        and events[2]["EventFeedback"]["Provider"] == "USER"
    )
    assert events[3]["EventFeedback"]["Provider"] == "ADMIN" and events[3]["EventFeedback"]["FeedbackDate"]
    with pytest.raises(ClientError) as caught:
        cognito.admin_update_auth_event_feedback(
            UserPoolId=pool_id, Username="alice", EventId="no-such-event", FeedbackValue="Valid"
        )
    assert error_code(caught) == "ResourceNotFoundException"


def test_sign_up_and_resend_are_events_and_nothing_is_recorded_when_off(cognito, pool_id, client_id):
    cognito.sign_up(
        ClientId=client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    cognito.resend_confirmation_code(ClientId=client_id, Username="alice")
    events = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username="alice")["AuthEvents"]
    assert [event["EventType"] for event in events] == ["ResendCode", "SignUp"]

    off = make_pool(cognito)
    make_user(cognito, off, "bob")
    with pytest.raises(ClientError) as caught:
        cognito.admin_list_user_auth_events(UserPoolId=off, Username="bob")
    assert error_code(caught) == "UserPoolAddOnNotEnabledException"
