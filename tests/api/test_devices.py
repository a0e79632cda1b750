"""Remembered devices with boto3 and a client-side device SRP (tests/device_srp.py): NewDeviceMetadata,
ConfirmDevice, DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER, the MFA a remembered device skips, the device
operations and their errors (a forgotten device, another user's, a wrong device secret)."""

from __future__ import annotations

import base64
import re

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.device_srp import DeviceSecret, DeviceSrp, device_sign_in
from tests.helpers import PASSWORD, error_of, last_code, make_client, make_pool, make_user

ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
OPT_IN = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}


def _world(cognito, device_configuration=ALWAYS, mfa=False):
    settings = {"DeviceConfiguration": device_configuration} if device_configuration else {}
    pool_id = make_pool(cognito, **settings)
    if mfa:
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration="OPTIONAL",
            EmailMfaConfiguration={"Message": "Code: {####}", "Subject": "Your code"},
        )
    client_id = make_client(cognito, pool_id)["ClientId"]
    for name in ("alice", "bob"):
        make_user(
            cognito, pool_id, name, attributes={"email": f"{name}@example.com", "email_verified": "true"}
        )
        if mfa:
            cognito.admin_set_user_mfa_preference(
                UserPoolId=pool_id, Username=name, EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
            )
    return pool_id, client_id


def _sign_in(cognito, client_id, username="alice", device_key=None):
    parameters = {"USERNAME": username, "PASSWORD": PASSWORD}
    if device_key:
        parameters["DEVICE_KEY"] = device_key
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters)


def _email_mfa(cognito, http, client_id, challenge, username="alice", device_key=None):
    assert challenge["ChallengeName"] == "EMAIL_OTP", challenge
    responses = {"USERNAME": username, "EMAIL_OTP_CODE": last_code(http, username=username)}
    if device_key:
        responses["DEVICE_KEY"] = device_key
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=challenge["Session"],
        ChallengeResponses=responses,
    )


def _confirmed_device(cognito, client_id, username="alice", name="Laptop", http=None):
    """Sign in (with the MFA if due), confirm the new device; the secret and the tokens."""
    result = _sign_in(cognito, client_id, username)
    if "AuthenticationResult" not in result:
        result = _email_mfa(cognito, http, client_id, result, username)
    tokens = result["AuthenticationResult"]
    metadata = tokens["NewDeviceMetadata"]
    secret = DeviceSecret(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    confirmed = cognito.confirm_device(
        AccessToken=tokens["AccessToken"],
        DeviceKey=secret.device_key,
        DeviceSecretVerifierConfig=secret.verifier_config(),
        DeviceName=name,
    )
    return secret, tokens, confirmed


def _claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_no_device_metadata_when_tracking_is_off(cognito):
    _, client_id = _world(cognito, device_configuration=None)
    tokens = _sign_in(cognito, client_id)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in tokens
    assert "device_key" not in _claims(tokens["AccessToken"])
    with pytest.raises(ClientError) as excinfo:
        cognito.list_devices(AccessToken=tokens["AccessToken"])
    assert error_of(excinfo)[0] == "InvalidUserPoolConfigurationException"


def test_always_remember_signs_in_through_device_srp(cognito):
    pool_id, client_id = _world(cognito)
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["DeviceConfiguration"] == ALWAYS
    secret, tokens, confirmed = _confirmed_device(cognito, client_id)
    assert re.fullmatch(
        r"us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", secret.device_key
    )
    assert re.fullmatch(r"-[0-9A-Za-z]{8}", secret.group_key)
    assert confirmed["UserConfirmationNecessary"] is False
    assert _claims(tokens["AccessToken"])["device_key"] == secret.device_key

    devices = cognito.list_devices(AccessToken=tokens["AccessToken"])["Devices"]
    assert [device["DeviceKey"] for device in devices] == [secret.device_key]
    attributes = {item["Name"]: item["Value"] for item in devices[0]["DeviceAttributes"]}
    assert attributes["device_name"] == "Laptop"
    assert attributes["dev:device_remembered_status"] == "remembered"
    assert attributes["last_ip_used"] == "127.0.0.1"
    got = cognito.get_device(AccessToken=tokens["AccessToken"], DeviceKey=secret.device_key)["Device"]
    assert got["DeviceKey"] == secret.device_key and "DeviceLastAuthenticatedDate" in got

    challenge = _sign_in(cognito, client_id, device_key=secret.device_key)
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH" and challenge["Session"]
    again = device_sign_in(cognito, client_id, challenge, secret)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in again
    assert _claims(again["AccessToken"])["device_key"] == secret.device_key
    # The group key stays the user's: a second device shares it.
    other = _sign_in(cognito, client_id)["AuthenticationResult"]["NewDeviceMetadata"]
    assert other["DeviceGroupKey"] == secret.group_key and other["DeviceKey"] != secret.device_key


def test_a_wrong_device_secret_fails(cognito):
    _, client_id = _world(cognito)
    secret, _, _ = _confirmed_device(cognito, client_id)
    challenge = _sign_in(cognito, client_id, device_key=secret.device_key)
    impostor = DeviceSecret(secret.group_key, secret.device_key, salt=secret.salt)  # another password
    with pytest.raises(ClientError) as excinfo:
        device_sign_in(cognito, client_id, challenge, impostor)
    assert error_of(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_tampered_signature_or_timestamp_fails(cognito):
    _, client_id = _world(cognito)
    secret, _, _ = _confirmed_device(cognito, client_id)
    challenge = _sign_in(cognito, client_id, device_key=secret.device_key)
    exchange = DeviceSrp(secret)
    verifier = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="DEVICE_SRP_AUTH",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "DEVICE_KEY": secret.device_key, "SRP_A": exchange.srp_a},
    )
    answer = exchange.answer(verifier["ChallengeParameters"], when="Mon Jan 5 10:00:00 UTC 2015")
    with pytest.raises(ClientError) as excinfo:
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="DEVICE_PASSWORD_VERIFIER",
            Session=verifier["Session"],
            ChallengeResponses=answer,
        )
    assert error_of(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")
    # The right answer still works on the same session (a wrong one is counted, not fatal).
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        Session=verifier["Session"],
        ChallengeResponses=exchange.answer(verifier["ChallengeParameters"]),
    )
    assert "AccessToken" in tokens["AuthenticationResult"]


def test_a_remembered_device_skips_mfa_only_when_the_pool_says_so(cognito, http):
    _, client_id = _world(cognito, mfa=True)
    secret, _, _ = _confirmed_device(cognito, client_id, http=http)
    challenge = _sign_in(cognito, client_id, device_key=secret.device_key)
    tokens = device_sign_in(cognito, client_id, challenge, secret)
    assert "AccessToken" in tokens["AuthenticationResult"]  # no EMAIL_OTP
    # Without a device key: MFA as before.
    assert _sign_in(cognito, client_id)["ChallengeName"] == "EMAIL_OTP"

    _, strict = _world(cognito, mfa=True, device_configuration={"ChallengeRequiredOnNewDevice": False})
    secret, _, confirmed = _confirmed_device(cognito, strict, http=http)
    assert confirmed["UserConfirmationNecessary"] is False
    challenge = _sign_in(cognito, strict, device_key=secret.device_key)
    after_device = device_sign_in(cognito, strict, challenge, secret)
    done = _email_mfa(cognito, http, strict, after_device, device_key=secret.device_key)
    assert _claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == secret.device_key


def test_opt_in_devices_are_remembered_only_when_the_user_says_so(cognito, http):
    pool_id, client_id = _world(cognito, device_configuration=OPT_IN, mfa=True)
    secret, tokens, confirmed = _confirmed_device(cognito, client_id, http=http)
    assert confirmed["UserConfirmationNecessary"] is True
    access = tokens["AccessToken"]
    assert cognito.list_devices(AccessToken=access)["Devices"] == []
    admin = cognito.admin_list_devices(UserPoolId=pool_id, Username="alice")["Devices"]
    assert [device["DeviceKey"] for device in admin] == [secret.device_key]
    with pytest.raises(ClientError) as hidden:
        cognito.get_device(AccessToken=access, DeviceKey=secret.device_key)
    assert error_of(hidden) == ("ResourceNotFoundException", "Device does not exist.")
    # Not remembered: no device SRP, the MFA is due, and no new key is handed out.
    challenge = _sign_in(cognito, client_id, device_key=secret.device_key)
    done = _email_mfa(cognito, http, client_id, challenge, device_key=secret.device_key)
    assert "NewDeviceMetadata" not in done["AuthenticationResult"]

    cognito.update_device_status(
        AccessToken=access, DeviceKey=secret.device_key, DeviceRememberedStatus="remembered"
    )
    assert len(cognito.list_devices(AccessToken=access)["Devices"]) == 1
    challenge = _sign_in(cognito, client_id, device_key=secret.device_key)
    assert "AccessToken" in device_sign_in(cognito, client_id, challenge, secret)["AuthenticationResult"]

    cognito.admin_update_device_status(
        UserPoolId=pool_id,
        Username="alice",
        DeviceKey=secret.device_key,
        DeviceRememberedStatus="not_remembered",
    )
    assert cognito.list_devices(AccessToken=access)["Devices"] == []
    assert _sign_in(cognito, client_id, device_key=secret.device_key)["ChallengeName"] == "EMAIL_OTP"


def test_a_forgotten_device_then_the_same_password_verifier_again(cognito, endpoint):
    """Amplify's retry: ResourceNotFoundException at PASSWORD_VERIFIER, then the same answer without the key."""
    from pycognito.aws_srp import AWSSRP

    from tests.conftest import make_boto_client

    pool_id, client_id = _world(cognito)
    secret, tokens, _ = _confirmed_device(cognito, client_id)
    cognito.forget_device(AccessToken=tokens["AccessToken"], DeviceKey=secret.device_key)
    with pytest.raises(ClientError) as gone:
        cognito.admin_get_device(UserPoolId=pool_id, Username="alice", DeviceKey=secret.device_key)
    assert error_of(gone) == ("ResourceNotFoundException", "Device does not exist.")
    with pytest.raises(ClientError) as again:
        cognito.update_device_status(
            AccessToken=tokens["AccessToken"],
            DeviceKey=secret.device_key,
            DeviceRememberedStatus="remembered",
        )
    assert error_of(again) == ("ResourceNotFoundException", "Device does not exist.")

    srp = AWSSRP(
        username="alice",
        password=PASSWORD,
        pool_id=pool_id,
        client_id=client_id,
        client=make_boto_client(endpoint),
    )
    parameters = srp.get_auth_params()
    challenge = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=parameters)
    answer = srp.process_challenge(challenge["ChallengeParameters"], parameters)
    with pytest.raises(ClientError) as missing:
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="PASSWORD_VERIFIER",
            Session=challenge["Session"],
            ChallengeResponses={**answer, "DEVICE_KEY": secret.device_key},
        )
    assert error_of(missing) == ("ResourceNotFoundException", "Device does not exist.")
    retried = srp.process_challenge(challenge["ChallengeParameters"], parameters)
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=challenge["Session"],
        ChallengeResponses=retried,
    )["AuthenticationResult"]
    assert tokens["NewDeviceMetadata"]["DeviceKey"] != secret.device_key


def test_another_users_device(cognito):
    pool_id, client_id = _world(cognito)
    secret, _, _ = _confirmed_device(cognito, client_id, username="bob")
    with pytest.raises(ClientError) as sign_in:
        _sign_in(cognito, client_id, "alice", device_key=secret.device_key)
    assert error_of(sign_in) == ("ResourceNotFoundException", "Device does not exist.")
    alice = _sign_in(cognito, client_id, "alice")["AuthenticationResult"]
    for call in (
        lambda: cognito.get_device(AccessToken=alice["AccessToken"], DeviceKey=secret.device_key),
        lambda: cognito.forget_device(AccessToken=alice["AccessToken"], DeviceKey=secret.device_key),
        lambda: cognito.admin_get_device(UserPoolId=pool_id, Username="alice", DeviceKey=secret.device_key),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ResourceNotFoundException", "Device does not exist.")
    with pytest.raises(ClientError) as confirm:
        cognito.confirm_device(
            AccessToken=alice["AccessToken"],
            DeviceKey=secret.device_key,
            DeviceSecretVerifierConfig=DeviceSecret(secret.group_key, secret.device_key).verifier_config(),
        )
    assert error_of(confirm) == ("InvalidParameterException", "Invalid device key given.")
    # Bob's device answers only for Bob: Alice's DEVICE_SRP_AUTH with it has no session to continue.
    with pytest.raises(ClientError) as cold:
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="DEVICE_SRP_AUTH",
            ChallengeResponses={
                "USERNAME": "alice",
                "DEVICE_KEY": secret.device_key,
                "SRP_A": DeviceSrp(secret).srp_a,
            },
        )
    assert error_of(cold)[0] == "NotAuthorizedException"


def test_a_device_key_alone_never_skips_the_password(cognito):
    _, client_id = _world(cognito)
    secret, _, _ = _confirmed_device(cognito, client_id)
    with pytest.raises(ClientError) as wrong:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "alice",
                "PASSWORD": "Wrong-passw0rd",
                "DEVICE_KEY": secret.device_key,
            },
        )
    assert error_of(wrong) == ("NotAuthorizedException", "Incorrect username or password.")
    # A cold DEVICE_SRP_AUTH (no Session, no password step before it) is refused.
    with pytest.raises(ClientError) as cold:
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="DEVICE_SRP_AUTH",
            ChallengeResponses={
                "USERNAME": "alice",
                "DEVICE_KEY": secret.device_key,
                "SRP_A": DeviceSrp(secret).srp_a,
            },
        )
    assert error_of(cold) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_confirming_twice_and_bad_verifiers(cognito):
    _, client_id = _world(cognito)
    secret, tokens, _ = _confirmed_device(cognito, client_id)
    with pytest.raises(ClientError) as twice:
        cognito.confirm_device(
            AccessToken=tokens["AccessToken"],
            DeviceKey=secret.device_key,
            DeviceSecretVerifierConfig=secret.verifier_config(),
        )
    assert error_of(twice)[0] == "DeviceKeyExistsException"
    fresh = _sign_in(cognito, client_id)["AuthenticationResult"]
    with pytest.raises(ClientError) as bad:
        cognito.confirm_device(
            AccessToken=fresh["AccessToken"],
            DeviceKey=fresh["NewDeviceMetadata"]["DeviceKey"],
            DeviceSecretVerifierConfig={"PasswordVerifier": "not base64!", "Salt": "AAAA"},
        )
    assert error_of(bad)[0] == "InvalidParameterException"
    good = DeviceSecret("-x", "y").verifier_config()
    for config in (
        {**good, "Salt": base64.b64encode(b"\x01" * 200).decode()},  # longer than any client's
        {**good, "PasswordVerifier": base64.b64encode(b"\xff" * 400).decode()},  # not below N
        {**good, "PasswordVerifier": "AA=="},  # zero
        {"Salt": good["Salt"]},
    ):
        with pytest.raises(ClientError) as invalid:
            cognito.confirm_device(
                AccessToken=fresh["AccessToken"],
                DeviceKey=fresh["NewDeviceMetadata"]["DeviceKey"],
                DeviceSecretVerifierConfig=config,
            )
        assert error_of(invalid)[0] == "InvalidParameterException", config


def test_refresh_with_a_device_key(cognito):
    _, client_id = _world(cognito)
    secret, tokens, _ = _confirmed_device(cognito, client_id)
    refreshed = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "DEVICE_KEY": secret.device_key},
    )["AuthenticationResult"]
    assert _claims(refreshed["AccessToken"])["device_key"] == secret.device_key
    result = cognito.get_tokens_from_refresh_token(
        ClientId=client_id, RefreshToken=tokens["RefreshToken"], DeviceKey=secret.device_key
    )["AuthenticationResult"]
    assert _claims(result["AccessToken"])["device_key"] == secret.device_key
    bob, _, _ = _confirmed_device(cognito, client_id, username="bob")
    for key in (bob.device_key, "us-east-1_00000000-0000-4000-8000-000000000000"):
        with pytest.raises(ClientError) as excinfo:
            cognito.get_tokens_from_refresh_token(
                ClientId=client_id, RefreshToken=tokens["RefreshToken"], DeviceKey=key
            )
        assert error_of(excinfo)[0] == "NotAuthorizedException"
    cognito.forget_device(AccessToken=tokens["AccessToken"], DeviceKey=secret.device_key)
    with pytest.raises(ClientError) as forgotten:
        cognito.get_tokens_from_refresh_token(
            ClientId=client_id, RefreshToken=tokens["RefreshToken"], DeviceKey=secret.device_key
        )
    assert error_of(forgotten)[0] == "NotAuthorizedException"
    plain = cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=tokens["RefreshToken"])
    assert "device_key" not in _claims(plain["AuthenticationResult"]["AccessToken"])


def test_admin_list_devices_pages(cognito):
    pool_id, client_id = _world(cognito)
    keys = sorted(_confirmed_device(cognito, client_id, name=f"Phone {n}")[0].device_key for n in range(3))
    seen, token = [], None
    while True:
        page = cognito.admin_list_devices(
            UserPoolId=pool_id, Username="alice", Limit=2, **({"PaginationToken": token} if token else {})
        )
        seen += [device["DeviceKey"] for device in page["Devices"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert seen == keys
    cognito.admin_forget_device(UserPoolId=pool_id, Username="alice", DeviceKey=keys[0])
    assert len(cognito.admin_list_devices(UserPoolId=pool_id, Username="alice")["Devices"]) == 2
    with pytest.raises(ClientError) as unknown_user:
        cognito.admin_list_devices(UserPoolId=pool_id, Username="nobody")
    # AdminListDevices has no UserNotFoundException in the model; AdminForgetDevice has.
    assert error_of(unknown_user) == ("ResourceNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as forget_unknown:
        cognito.admin_forget_device(UserPoolId=pool_id, Username="nobody", DeviceKey=keys[1])
    assert error_of(forget_unknown)[0] == "UserNotFoundException"


def test_new_device_metadata_in_srp_and_admin_flows(cognito, endpoint):
    from pycognito.aws_srp import AWSSRP

    from tests.conftest import make_boto_client

    pool_id, client_id = _world(cognito)
    srp = AWSSRP(
        username="alice",
        password=PASSWORD,
        pool_id=pool_id,
        client_id=client_id,
        client=make_boto_client(endpoint),
    )
    assert "NewDeviceMetadata" in srp.authenticate_user()["AuthenticationResult"]
    admin = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    assert "NewDeviceMetadata" in admin["AuthenticationResult"]


@pytest.fixture
def pycognito_to_emulator(endpoint, monkeypatch):
    """pycognito's ConfirmDevice / UpdateDeviceStatus / ForgetDevice post to AWS's URL with requests: send them
    to the emulator instead (the payload is pycognito's own)."""
    from pycognito import aws_srp

    real_post = aws_srp.requests.post
    monkeypatch.setattr(aws_srp.requests, "post", lambda url, **kwargs: real_post(endpoint + "/", **kwargs))


def test_pycognito_device_support(cognito, endpoint, pycognito_to_emulator):
    """AWSSRP confirms the device (its own verifier), then signs in with device_key / device_group_key /
    device_password: both device steps without a Session, USERNAME as typed."""
    from pycognito.aws_srp import AWSSRP

    from tests.conftest import make_boto_client

    pool_id, client_id = _world(cognito, device_configuration=OPT_IN)
    boto = make_boto_client(endpoint)
    first = AWSSRP(username="alice", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=boto)
    tokens = first.authenticate_user()
    response, device_password = first.confirm_device(tokens, device_name="pycognito")
    assert response.status_code == 200 and response.json() == {"UserConfirmationNecessary": True}
    access = tokens["AuthenticationResult"]["AccessToken"]
    key = first.device_key
    first.update_device_status(True, access, key)
    assert [d["DeviceKey"] for d in cognito.list_devices(AccessToken=access)["Devices"]] == [key]

    def device_user(password=device_password, username="alice"):
        return AWSSRP(
            username=username,
            password=PASSWORD,
            pool_id=pool_id,
            client_id=client_id,
            client=boto,
            device_key=key,
            device_group_key=first.device_group_key,
            device_password=password,
        )

    signed_in = device_user().authenticate_user()["AuthenticationResult"]
    assert _claims(signed_in["AccessToken"])["device_key"] == key and "NewDeviceMetadata" not in signed_in
    with pytest.raises(ClientError) as wrong:
        device_user(password="d3JvbmcgZGV2aWNlIHBhc3N3b3Jk").authenticate_user()
    assert error_of(wrong) == ("NotAuthorizedException", "Incorrect username or password.")
    first.forget_device(access, key)
    with pytest.raises(ClientError) as forgotten:
        device_user().authenticate_user()
    assert error_of(forgotten) == ("ResourceNotFoundException", "Device does not exist.")


def test_deleting_the_user_or_the_pool_deletes_its_devices(cognito, server):
    from sqlalchemy import func, select

    from emulator.store.models import Device

    def stored() -> int:
        with server.emulator.database.session() as session:
            return session.scalar(select(func.count()).select_from(Device)) or 0

    pool_id, client_id = _world(cognito)
    _confirmed_device(cognito, client_id, "alice")
    _confirmed_device(cognito, client_id, "bob")
    assert stored() == 2
    cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
    assert stored() == 1
    cognito.delete_user_pool(UserPoolId=pool_id)
    assert stored() == 0


def test_an_empty_device_configuration_tracks_nothing(cognito):
    pool_id = make_pool(cognito, DeviceConfiguration={})
    assert "DeviceConfiguration" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "alice")
    assert "NewDeviceMetadata" not in _sign_in(cognito, client_id)["AuthenticationResult"]


def test_turning_tracking_off(cognito):
    pool_id, client_id = _world(cognito)
    secret, tokens, _ = _confirmed_device(cognito, client_id)
    cognito.update_user_pool(UserPoolId=pool_id)  # an update without DeviceConfiguration resets it
    assert "DeviceConfiguration" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    # The key is not looked at any more: a plain sign-in, no new key.
    result = _sign_in(cognito, client_id, device_key=secret.device_key)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result
    with pytest.raises(ClientError) as excinfo:
        cognito.get_device(AccessToken=tokens["AccessToken"], DeviceKey=secret.device_key)
    assert error_of(excinfo)[0] == "InvalidUserPoolConfigurationException"


def test_custom_auth_proves_a_remembered_device_after_its_challenges(cognito, server):
    """CUSTOM_AUTH (the demo's question triggers) with DEVICE_KEY: DEVICE_SRP_AUTH comes after the last custom
    challenge, then tokens (no MFA in a custom flow); a wrong key is refused at the step that carries it."""
    from emulator.userpools.triggers import targets

    arn = "arn:aws:lambda:us-east-1:123456789012:function:devices-{}"
    pool_id = make_pool(
        cognito,
        DeviceConfiguration=ALWAYS,
        LambdaConfig={
            "DefineAuthChallenge": arn.format("define"),
            "CreateAuthChallenge": arn.format("create"),
            "VerifyAuthChallengeResponse": arn.format("verify"),
        },
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "alice")
    with server.emulator.database.session() as session, session.begin():
        for name, function in (
            ("define", "define_auth_challenge"),
            ("create", "create_auth_challenge"),
            ("verify", "verify_auth_challenge_response"),
        ):
            targets.set_target(
                session, f"devices-{name}", f"python:fixtures/triggers/custom_challenge.py:{function}"
            )
    secret, _, _ = _confirmed_device(cognito, client_id)

    def custom(device_key):
        challenge = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="CUSTOM_AUTH",
            AuthParameters={"USERNAME": "alice", "DEVICE_KEY": device_key},
        )
        return cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "alice", "ANSWER": "42", "DEVICE_KEY": device_key},
        )

    challenge = custom(secret.device_key)
    tokens = device_sign_in(cognito, client_id, challenge, secret)["AuthenticationResult"]
    assert _claims(tokens["AccessToken"])["device_key"] == secret.device_key
    with pytest.raises(ClientError) as unknown:
        custom("us-east-1_00000000-0000-4000-8000-000000000000")
    assert error_of(unknown) == ("ResourceNotFoundException", "Device does not exist.")


def test_post_authentication_says_whether_a_new_device_was_used(cognito, server, tmp_path):
    from emulator.userpools.triggers import targets

    seen = tmp_path / "seen.txt"
    handler = tmp_path / "post_auth.py"
    handler.write_text(
        "def handler(event, context):\n"
        f"    with open({str(seen)!r}, 'a') as out:\n"
        "        out.write(str(event['request']['newDeviceUsed']) + '\\n')\n"
        "    return event\n"
    )
    arn = "arn:aws:lambda:us-east-1:123456789012:function:devices-post-auth"
    pool_id = make_pool(cognito, DeviceConfiguration=ALWAYS, LambdaConfig={"PostAuthentication": arn})
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "alice")
    with server.emulator.database.session() as session, session.begin():
        targets.set_target(session, "devices-post-auth", f"python:{handler}:handler")
    secret, _, _ = _confirmed_device(cognito, client_id)
    device_sign_in(cognito, client_id, _sign_in(cognito, client_id, device_key=secret.device_key), secret)
    assert seen.read_text().split() == ["True", "False"]
