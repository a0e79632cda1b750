"""CustomEmailSender and CustomSMSSender with boto3 over HTTP: the trigger gets the code encrypted, the outbox
gets nothing, and the code works."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator.userpools.triggers.invoke import _load_module
from tests.helpers import PASSWORD, error_code, make_client, make_pool, messages

MODULE = "fixtures/triggers/custom_sender.py"


@pytest.fixture
def sent() -> list:
    module = _load_module(MODULE)
    module.SENT.clear()
    return module.SENT


def test_codes_go_to_the_custom_senders_encrypted(cognito, http, trigger_host, sent):
    module = _load_module(MODULE)
    email_arn = trigger_host.map("email-sender", "custom_sender", "send")
    sms_arn = trigger_host.map("sms-sender", "custom_sender", "send")
    pool_id = make_pool(
        cognito,
        AutoVerifiedAttributes=["email"],
        LambdaConfig={
            "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": email_arn},
            "CustomSMSSender": {"LambdaVersion": "V1_0", "LambdaArn": sms_arn},
            "KMSKeyID": module.KMS_KEY_ID,
        },
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(
        ClientId=client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    assert [item["source"] for item in sent] == ["CustomEmailSender_SignUp"]
    assert sent[0]["type"] == "customEmailSenderRequestV1" and sent[0]["to"] == "alice@example.com"
    assert sent[0]["ciphertext"] != sent[0]["code"] and sent[0]["code"].isdigit()
    assert messages(http, pool_id=pool_id) == []
    with pytest.raises(ClientError) as caught:
        cognito.confirm_sign_up(
            ClientId=client_id,
            Username="alice",
            ConfirmationCode="000000" if sent[0]["code"] != "000000" else "111111",
        )
    assert error_code(caught) == "CodeMismatchException"
    cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=sent[0]["code"])

    cognito.forgot_password(ClientId=client_id, Username="alice")
    assert sent[-1]["source"] == "CustomEmailSender_ForgotPassword"
    cognito.confirm_forgot_password(
        ClientId=client_id, Username="alice", ConfirmationCode=sent[-1]["code"], Password="Newer-passw0rd"
    )

    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
        TemporaryPassword="Temp-passw0rd",
        DesiredDeliveryMediums=["SMS"],
    )
    assert sent[-1]["source"] == "CustomSMSSender_AdminCreateUser"
    assert sent[-1]["type"] == "customSMSSenderRequestV1" and sent[-1]["code"] == "Temp-passw0rd"
    assert messages(http, pool_id=pool_id) == []


def test_a_custom_sender_needs_a_kms_key(cognito):
    with pytest.raises(ClientError) as caught:
        make_pool(
            cognito,
            LambdaConfig={
                "CustomEmailSender": {
                    "LambdaVersion": "V1_0",
                    "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:sender",
                }
            },
        )
    assert error_code(caught) == "InvalidParameterException"
