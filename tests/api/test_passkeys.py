"""Passkeys (WebAuthn) through boto3, with a software authenticator (tests/passkey_authenticator.py):
configuration, registration, listing, deleting, and the WEB_AUTHN first factor of USER_AUTH, and each way
a registration or an assertion can be wrong."""

from __future__ import annotations

import json
from types import SimpleNamespace

import cbor2
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from emulator.cli import start_checks
from emulator.config import Settings
from emulator.store.models_webauthn import WebAuthnCredential, WebAuthnRegistration
from emulator.testing import ServerThread
from emulator.userpools import passkeys
from tests.conftest import call as call_raw
from tests.conftest import make_boto_client
from tests.helpers import PASSWORD, console_csrf, error_code, last_code, make_client, make_pool, make_user
from tests.passkey_authenticator import SoftwarePasskey

FACTORS = ["PASSWORD", "WEB_AUTHN"]


def _pool(cognito, verification="required", rp_id="localhost", **settings):
    pool_id = make_pool(cognito, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": FACTORS}}, **settings)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        WebAuthnConfiguration={"RelyingPartyId": rp_id, "UserVerification": verification},
    )
    return pool_id


@pytest.fixture
def world(cognito):
    pool_id = _pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "pat", attributes={"email": "pat@example.com"})
    return pool_id, client_id


def _tokens(cognito, client_id, username="pat"):
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]


def _register(cognito, access_token, passkey=None, **overrides):
    passkey = passkey or SoftwarePasskey()
    options = cognito.start_web_authn_registration(AccessToken=access_token)["CredentialCreationOptions"]
    cognito.complete_web_authn_registration(
        AccessToken=access_token, Credential=passkey.create(options, **overrides)
    )
    return passkey


def _web_authn_challenge(cognito, client_id, username="pat"):
    challenge = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert challenge["ChallengeName"] == "WEB_AUTHN"
    return challenge, json.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


def _answer(cognito, client_id, challenge, credential, username="pat"):
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="WEB_AUTHN",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "CREDENTIAL": credential},
    )


def _refused(call) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    return error_code(refused)


def test_the_configuration_is_kept_and_shown(cognito):
    pool_id = _pool(cognito, verification="preferred", rp_id="auth.example.com")
    config = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert config["WebAuthnConfiguration"] == {
        "RelyingPartyId": "auth.example.com",
        "UserVerification": "preferred",
        "FactorConfiguration": "SINGLE_FACTOR",
    }
    assert config["MfaConfiguration"] == "OFF"
    # LITE pools have no passkeys, and SOFTWARE_TOKEN is no first factor.
    lite = make_pool(cognito, UserPoolTier="LITE")
    assert (
        _refused(
            lambda: cognito.set_user_pool_mfa_config(
                UserPoolId=lite, WebAuthnConfiguration={"RelyingPartyId": "localhost"}
            )
        )
        == "FeatureUnavailableInTierException"
    )
    assert (
        _refused(
            lambda: make_pool(
                cognito, UserPoolTier="LITE", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": FACTORS}}
            )
        )
        == "FeatureUnavailableInTierException"
    )
    assert (
        _refused(
            lambda: make_pool(
                cognito,
                Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SOFTWARE_TOKEN"]}},
            )
        )
        == "InvalidParameterException"
    )


def test_register_list_sign_in_and_delete(cognito, world):
    pool_id, client_id = world
    access = _tokens(cognito, client_id)
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    assert options["rp"] == {"id": "localhost", "name": "localhost"}
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert [param["alg"] for param in options["pubKeyCredParams"]] == [-7, -257]
    passkey = SoftwarePasskey()
    assert cognito.complete_web_authn_registration(
        AccessToken=access, Credential=passkey.create(options)
    ).get("ResponseMetadata")
    listed = cognito.list_web_authn_credentials(AccessToken=access)["Credentials"]
    assert [(item["CredentialId"], item["RelyingPartyId"]) for item in listed] == [(passkey.id, "localhost")]
    assert listed[0]["AuthenticatorAttachment"] == "platform"
    assert listed[0]["AuthenticatorTransports"] == ["internal"]
    assert listed[0]["FriendlyCredentialName"]
    # The next registration excludes the passkey the user has.
    again = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    assert again["excludeCredentials"] == [{"type": "public-key", "id": passkey.id}]

    challenge, request_options = _web_authn_challenge(cognito, client_id)
    assert request_options["rpId"] == "localhost"
    assert request_options["allowCredentials"] == [{"id": passkey.id, "type": "public-key"}]
    assert request_options["userVerification"] == "required"
    done = _answer(cognito, client_id, challenge, passkey.get(request_options))
    assert "AccessToken" in done["AuthenticationResult"]
    factors = cognito.get_user_auth_factors(AccessToken=access)
    assert factors["Username"] == "pat"
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "WEB_AUTHN"]
    admin = cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username="pat")
    assert admin["ConfiguredUserAuthFactors"] == ["PASSWORD", "WEB_AUTHN"]

    assert (
        _refused(lambda: cognito.delete_web_authn_credential(AccessToken=access, CredentialId="nope"))
        == "ResourceNotFoundException"
    )
    cognito.delete_web_authn_credential(AccessToken=access, CredentialId=passkey.id)
    assert cognito.list_web_authn_credentials(AccessToken=access)["Credentials"] == []
    assert cognito.get_user_auth_factors(AccessToken=access)["ConfiguredUserAuthFactors"] == ["PASSWORD"]


def test_web_authn_is_offered_only_to_users_with_a_passkey(cognito, world):
    _pool_id, client_id = world
    select = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "pat"}
    )
    assert select["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    passkey = _register(cognito, _tokens(cognito, client_id))
    select = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "pat"}
    )
    assert select["ChallengeName"] == "SELECT_CHALLENGE"
    assert select["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    chosen = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SELECT_CHALLENGE",
        Session=select["Session"],
        ChallengeResponses={"USERNAME": "pat", "ANSWER": "WEB_AUTHN"},
    )
    assert chosen["ChallengeName"] == "WEB_AUTHN"
    options = json.loads(chosen["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert "AccessToken" in _answer(cognito, client_id, chosen, passkey.get(options))["AuthenticationResult"]


def test_registration_errors(cognito, world, http):
    _pool_id, client_id = world
    access = _tokens(cognito, client_id)

    def complete(credential):
        return lambda: cognito.complete_web_authn_registration(AccessToken=access, Credential=credential)

    # No registration started.
    assert (
        _refused(complete(SoftwarePasskey().create(_fake_options()))) == "WebAuthnChallengeNotFoundException"
    )
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    passkey = SoftwarePasskey()
    assert (
        _refused(complete(passkey.create(options, origin="https://evil.example")))
        == "WebAuthnOriginNotAllowedException"
    )
    assert (
        _refused(complete(passkey.create(options, rp_id="evil.example")))
        == "WebAuthnRelyingPartyMismatchException"
    )
    assert (
        _refused(complete(passkey.create(options, challenge="AAAAAAAAAAAAAAAAAAAAAA")))
        == "WebAuthnChallengeNotFoundException"
    )
    assert (
        _refused(complete(passkey.create(options, user_verified=False)))
        == "WebAuthnCredentialNotSupportedException"
    )
    assert _refused(complete({"id": "x"})) == "InvalidParameterException"
    # An Ed25519 key (COSE alg -8): not among the algorithms Cognito offers (ES256, RS256).
    ed25519 = cbor2.dumps({1: 1, 3: -8, -1: 6, -2: bytes(32)})
    assert (
        _refused(complete(passkey.create(options, public_key=ed25519)))
        == "WebAuthnCredentialNotSupportedException"
    )
    # Another app client's token cannot complete what this one started.
    other_client = make_client(cognito, world[0])["ClientId"]
    other_access = _tokens(cognito, other_client)
    assert (
        _refused(
            lambda: cognito.complete_web_authn_registration(
                AccessToken=other_access, Credential=passkey.create(options)
            )
        )
        == "WebAuthnClientMismatchException"
    )
    # The challenge expires with the emulator's clock.
    http.post("/_emulator/clock", json={"advance_seconds": 600})
    access = _tokens(cognito, client_id)
    assert _refused(complete(passkey.create(options))) == "WebAuthnChallengeNotFoundException"
    # A fresh one works, once.
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    credential = passkey.create(options)
    cognito.complete_web_authn_registration(AccessToken=access, Credential=credential)
    assert _refused(complete(credential)) == "WebAuthnChallengeNotFoundException"


def _fake_options():
    return {
        "rp": {"id": "localhost"},
        "user": {"id": "dXNlcg"},
        "challenge": "AAAAAAAAAAAAAAAAAAAAAA",
    }


def test_a_pool_without_web_authn_or_relying_party(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "pat")
    access = _tokens(cognito, client_id)
    assert (
        _refused(lambda: cognito.start_web_authn_registration(AccessToken=access))
        == "WebAuthnNotEnabledException"
    )
    cognito.update_user_pool(
        UserPoolId=pool_id, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": FACTORS}}
    )
    assert (
        _refused(lambda: cognito.start_web_authn_registration(AccessToken=access))
        == "WebAuthnConfigurationMissingException"
    )
    # A domain gives the pool its relying party.
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="passkeys-here")
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "passkeys-here.auth.us-east-1.amazoncognito.com"
    cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain="passkeys-here")


def test_assertion_errors(cognito, world):
    pool_id, client_id = world
    passkey = _register(cognito, _tokens(cognito, client_id))
    make_user(cognito, pool_id, "sam")
    other = _register(cognito, _tokens(cognito, client_id, "sam"))

    def refused_with(**overrides):
        challenge, options = _web_authn_challenge(cognito, client_id)
        credential = overrides.pop("credential", None) or passkey.get(options, **overrides)
        return _refused(lambda: _answer(cognito, client_id, challenge, credential))

    assert refused_with(origin="https://evil.example") == "NotAuthorizedException"
    assert refused_with(rp_id="evil.example") == "NotAuthorizedException"
    assert refused_with(challenge="AAAAAAAAAAAAAAAAAAAAAA") == "NotAuthorizedException"
    assert refused_with(user_verified=False) == "NotAuthorizedException"
    # Another user's passkey, even valid for that user, does not sign pat in.
    challenge, options = _web_authn_challenge(cognito, client_id)
    assert refused_with(credential=other.get(options)) == "NotAuthorizedException"
    # A key that is not the registered one.
    impostor = SoftwarePasskey(credential_id=passkey.credential_id, user_handle=passkey.user_handle)
    challenge, options = _web_authn_challenge(cognito, client_id)
    assert refused_with(credential=impostor.get(options)) == "NotAuthorizedException"
    assert _refused(lambda: _answer(cognito, client_id, challenge, "not json")) == "InvalidParameterException"

    # A good answer works once: replayed on its session, or on a new session, it is refused.
    challenge, options = _web_authn_challenge(cognito, client_id)
    good = passkey.get(options)
    assert "AuthenticationResult" in _answer(cognito, client_id, challenge, good)
    assert _refused(lambda: _answer(cognito, client_id, challenge, good)) == "NotAuthorizedException"
    fresh, _options = _web_authn_challenge(cognito, client_id)
    assert _refused(lambda: _answer(cognito, client_id, fresh, good)) == "NotAuthorizedException"
    # A signature over the right challenge with a counter that did not move (a cloned authenticator).
    assert refused_with(counter=passkey.counter) == "NotAuthorizedException"
    # A failed answer spends the session.
    challenge, options = _web_authn_challenge(cognito, client_id)
    _refused(lambda: _answer(cognito, client_id, challenge, passkey.get(options, origin="https://x.test")))
    assert _refused(lambda: _answer(cognito, client_id, challenge, passkey.get(options))) == (
        "NotAuthorizedException"
    )
    # And after all that, the real passkey still signs in.
    challenge, options = _web_authn_challenge(cognito, client_id)
    assert "AuthenticationResult" in _answer(cognito, client_id, challenge, passkey.get(options))


def test_user_verification_preferred_accepts_a_passkey_without_it(cognito):
    pool_id = _pool(cognito, verification="preferred")
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "pat")
    passkey = _register(cognito, _tokens(cognito, client_id), user_verified=False)
    challenge, options = _web_authn_challenge(cognito, client_id)
    assert options["userVerification"] == "preferred"
    done = _answer(cognito, client_id, challenge, passkey.get(options, user_verified=False))
    assert "AccessToken" in done["AuthenticationResult"]


def test_list_pages(cognito, world):
    _pool_id, client_id = world
    access = _tokens(cognito, client_id)
    ids = [_register(cognito, access).id for _ in range(3)]
    first = cognito.list_web_authn_credentials(AccessToken=access, MaxResults=2)
    second = cognito.list_web_authn_credentials(
        AccessToken=access, MaxResults=2, NextToken=first["NextToken"]
    )
    assert [item["CredentialId"] for item in first["Credentials"] + second["Credentials"]] == ids
    assert "NextToken" not in second


def test_passkey_mfa(cognito, http):
    pool_id = make_pool(cognito, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": FACTORS}})
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={},
        WebAuthnConfiguration={
            "RelyingPartyId": "localhost",
            "UserVerification": "preferred",
            "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION",
        },
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "pat", attributes={"email": "pat@example.com", "email_verified": "true"})
    # Passkey MFA needs another MFA factor.
    enable = {"WebAuthnMfaSettings": {"Enabled": True}}
    assert (
        _refused(lambda: cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="pat", **enable))
        == "InvalidParameterException"
    )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="pat", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}, **enable
    )
    # Registering needs an access token: sign in with the password and the emailed code first.
    challenge = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "pat", "PASSWORD": PASSWORD},
    )
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    code = last_code(http, username="pat")
    access = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "pat", "EMAIL_OTP_CODE": code},
    )["AuthenticationResult"]["AccessToken"]
    passkey = _register(cognito, access)
    # MFA is required, and a passkey with user verification satisfies it: no code asked.
    challenge, options = _web_authn_challenge(cognito, client_id)
    assert options["userVerification"] == "required"
    assert _refused(
        lambda: _answer(cognito, client_id, challenge, passkey.get(options, user_verified=False))
    ) == ("NotAuthorizedException")
    challenge, options = _web_authn_challenge(cognito, client_id)
    assert (
        "AccessToken" in _answer(cognito, client_id, challenge, passkey.get(options))["AuthenticationResult"]
    )
    # With passkey MFA off, a pool that requires MFA does not offer the passkey.
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="pat", WebAuthnMfaSettings={"Enabled": False}
    )
    select = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "pat"}
    )
    assert "WEB_AUTHN" not in select["AvailableChallenges"]


def test_the_console_lists_and_deletes_a_users_passkeys(cognito, world, http):
    pool_id, client_id = world
    passkey = _register(cognito, _tokens(cognito, client_id))
    sub = cognito.admin_get_user(UserPoolId=pool_id, Username="pat")["UserAttributes"]
    sub = next(item["Value"] for item in sub if item["Name"] == "sub")
    page = f"/_emulator/pools/{pool_id}/users/{sub}"
    shown = http.get(page).text
    assert 'id="passkeys"' in shown and passkey.id in shown and "localhost" in shown
    origin = {"origin": str(http.base_url).rstrip("/")}
    form = {"credential_id": passkey.id}
    # Without the console's CSRF token, or from another site, nothing is deleted.
    assert http.post(page + "/passkeys/delete", data=form, headers=origin).status_code == 403
    token = console_csrf(http)
    assert (
        http.post(
            page + "/passkeys/delete", data={**form, **token}, headers={"origin": "http://evil.example"}
        )
    ).status_code == 403
    assert passkey.id in http.get(page).text
    response = http.post(page + "/passkeys/delete", data={**form, **token}, headers=origin)
    assert response.status_code == 303 and "notice=Passkey+deleted" in response.headers["location"]
    assert "No passkey is registered" in http.get(page).text
    again = http.post(page + "/passkeys/delete", data={**form, **token}, headers=origin)
    assert "error=ResourceNotFoundException" in again.headers["location"]
    challenge = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "pat"}
    )
    assert "WEB_AUTHN" not in challenge["AvailableChallenges"]


def test_more_origins_by_a_setting(tmp_path):
    assert (
        "https://*.app.test"
        in Settings.from_env({"COGNITO_EMULATOR_WEBAUTHN_ORIGINS": "https://*.app.test"}).webauthn_origins
    )
    for bad in ("notanorigin", "https://app.test/path", "http:"):
        with pytest.raises(start_checks.StartError, match="--webauthn-origin"):
            start_checks.check(Settings(webauthn_origins=[bad]))
    start_checks.check(Settings(webauthn_origins=["https://*.app.test", "android:apk-key-hash:abc-_"]))
    settings = Settings(
        port=0, database=f"sqlite:///{tmp_path / 'e.db'}", webauthn_origins=["https://*.other.test"]
    )
    with ServerThread(settings) as running:
        cognito = make_boto_client(running.endpoint)
        pool_id = _pool(cognito, rp_id="app.test")
        client_id = make_client(cognito, pool_id)["ClientId"]
        make_user(cognito, pool_id, "pat")
        access = _tokens(cognito, client_id)
        # https://<rp> itself, a subdomain of it, and what the setting adds; nothing else.
        for origin in ("https://app.test", "https://www.app.test", "https://a.other.test"):
            _register(cognito, access, SoftwarePasskey(origin=origin))
        options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
        credential = SoftwarePasskey(origin="https://app.test.evil.example").create(options)
        assert (
            _refused(
                lambda: cognito.complete_web_authn_registration(AccessToken=access, Credential=credential)
            )
            == "WebAuthnOriginNotAllowedException"
        )


def _mangled(valid: dict) -> list:
    """Ways a credential can be broken: every field missing, of the wrong type, or not base64url / CBOR."""
    variants: list = [[], "text", 7, {}, {"id": 1}, {"id": "x", "response": []}]
    for key in ("id", "rawId", "type", "response", "authenticatorAttachment", "clientExtensionResults"):
        for value in (None, 5, "!!", [], {}):
            variants.append({**valid, key: value})
    for key in valid["response"]:
        for value in (None, 5, "!!", "AAAA", [], {"a": 1}):
            variants.append({**valid, "response": {**valid["response"], key: value}})
    return variants


def test_malformed_credentials_get_cognito_errors(cognito, world, http):
    _pool_id, client_id = world
    access = _tokens(cognito, client_id)
    passkey = SoftwarePasskey()
    for broken in _mangled(passkey.create(_fake_options())):
        options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
        good = passkey.create(options)
        if isinstance(broken, dict) and "response" in broken and isinstance(broken["response"], dict):
            # The pending challenge in the client data, so the checks after it are reached too.
            broken = {**broken, "response": {**broken["response"]}}
            if broken["response"].get("clientDataJSON") == good["response"]["clientDataJSON"] or (
                broken["response"].get("clientDataJSON")
                == passkey.create(_fake_options())["response"]["clientDataJSON"]
            ):
                broken["response"]["clientDataJSON"] = good["response"]["clientDataJSON"]
        response = call_raw(
            http, "CompleteWebAuthnRegistration", {"AccessToken": access, "Credential": broken}
        )
        assert response.status_code < 500 and response.json() is not None, (broken, response.text)
    passkey = SoftwarePasskey()
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    cognito.complete_web_authn_registration(AccessToken=access, Credential=passkey.create(options))
    challenge, request_options = _web_authn_challenge(cognito, client_id)
    valid = json.loads(passkey.get(request_options))
    for broken in _mangled(valid):
        challenge, request_options = _web_authn_challenge(cognito, client_id)
        if isinstance(broken, dict) and isinstance(broken.get("response"), dict):
            fresh = json.loads(passkey.get(request_options))
            broken = {
                **broken,
                "response": {
                    key: (fresh["response"][key] if value == valid["response"].get(key) else value)
                    for key, value in broken["response"].items()
                },
            }
        body = {
            "ClientId": client_id,
            "ChallengeName": "WEB_AUTHN",
            "Session": challenge["Session"],
            "ChallengeResponses": {"USERNAME": "pat", "CREDENTIAL": json.dumps(broken)},
        }
        response = call_raw(http, "RespondToAuthChallenge", body)
        assert response.status_code < 500 and response.json() is not None, (broken, response.text)


def test_deleting_the_user_or_the_pool_deletes_the_passkeys(cognito, world, server):
    pool_id, client_id = world
    passkey = _register(cognito, _tokens(cognito, client_id))
    cognito.admin_delete_user(UserPoolId=pool_id, Username="pat")
    make_user(cognito, pool_id, "pat")
    access = _tokens(cognito, client_id)
    assert cognito.list_web_authn_credentials(AccessToken=access)["Credentials"] == []
    # The same authenticator can register its credential again for the new user.
    _register(cognito, access, passkey)
    cognito.delete_user_pool(UserPoolId=pool_id)
    with server.emulator.database.session(write=False) as session:
        assert session.scalars(select(WebAuthnCredential)).all() == []
        assert session.scalars(select(WebAuthnRegistration)).all() == []


def test_a_user_has_at_most_twenty_passkeys(cognito, world):
    _pool_id, client_id = world
    access = _tokens(cognito, client_id)
    for _ in range(20):
        _register(cognito, access)
    assert (
        _refused(lambda: cognito.start_web_authn_registration(AccessToken=access)) == "LimitExceededException"
    )
    assert len(cognito.list_web_authn_credentials(AccessToken=access)["Credentials"]) == 20


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://app.test", True),
        ("https://app.test:8443", True),
        ("https://www.app.test", True),
        ("https://a.other.test", True),  # the setting
        ("http://localhost", True),
        ("http://localhost:3000", True),
        ("https://evilapp.test", False),
        ("https://app.test.evil", False),
        ("http://app.test", False),
        ("http://localhost:abc", False),
        ("http://localhost.evil:3000", False),
        ("https://app.test/x", False),
        ("https://u@app.test", False),
        ("null", False),
    ],
)
def test_which_origins_a_relying_party_accepts(origin, allowed):
    ctx = SimpleNamespace(settings=Settings(webauthn_origins=["https://*.other.test"]))
    assert passkeys.origin_allowed(ctx, "app.test", origin) is allowed


def test_the_selection_can_be_answered_with_the_credential_at_once(cognito, world):
    _pool_id, client_id = world
    passkey = _register(cognito, _tokens(cognito, client_id))
    select = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "pat"}
    )
    options = json.loads(select["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])

    def answer(credential):
        return cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SELECT_CHALLENGE",
            Session=select["Session"],
            ChallengeResponses={"USERNAME": "pat", "ANSWER": "WEB_AUTHN", "CREDENTIAL": credential},
        )

    assert "AuthenticationResult" in answer(passkey.get(options))
    # Once only, and a wrong one spends the selection too.
    assert _refused(lambda: answer(passkey.get(options))) == "NotAuthorizedException"
    select = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "pat"}
    )
    options = json.loads(select["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert (
        _refused(lambda: answer(passkey.get(options, origin="https://evil.example")))
        == "NotAuthorizedException"
    )
    assert _refused(lambda: answer(passkey.get(options))) == "NotAuthorizedException"
    # A user without a passkey gets no request options.
    cognito.delete_web_authn_credential(AccessToken=_tokens(cognito, client_id), CredentialId=passkey.id)
    select = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "pat"}
    )
    assert "CREDENTIAL_REQUEST_OPTIONS" not in select["ChallengeParameters"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["id", "rawId", "type", "response", "clientDataJSON", "attestationObject", "signature"]
)


def test_random_credentials_never_break_the_server(cognito, world, http):
    _pool_id, client_id = world
    access = _tokens(cognito, client_id)
    _register(cognito, access)
    cognito.start_web_authn_registration(AccessToken=access)

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(document=st.dictionaries(FIELDS, JSON, max_size=5) | JSON)
    def check(document):
        complete = call_raw(
            http, "CompleteWebAuthnRegistration", {"AccessToken": access, "Credential": document}
        )
        assert complete.status_code < 500, complete.text
        challenge, _options = _web_authn_challenge(cognito, client_id)
        answer = call_raw(
            http,
            "RespondToAuthChallenge",
            {
                "ClientId": client_id,
                "ChallengeName": "WEB_AUTHN",
                "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": "pat", "CREDENTIAL": json.dumps(document)},
            },
        )
        assert answer.status_code < 500, answer.text

    check()


def test_a_web_authn_challenge_expires_with_the_emulators_clock(cognito, world, http):
    _pool_id, client_id = world
    passkey = _register(cognito, _tokens(cognito, client_id))
    challenge, options = _web_authn_challenge(cognito, client_id)
    http.post(
        "/_emulator/clock", json={"advance_seconds": 4 * 60}
    )  # the client's AuthSessionValidity is 3 min
    assert (
        _refused(lambda: _answer(cognito, client_id, challenge, passkey.get(options)))
        == "NotAuthorizedException"
    )
    challenge, options = _web_authn_challenge(cognito, client_id)
    assert "AuthenticationResult" in _answer(cognito, client_id, challenge, passkey.get(options))
