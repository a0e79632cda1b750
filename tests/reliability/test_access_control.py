"""Access control: SigV4 on IAM-authorised operations (--iam-credentials), checked with botocore's own
signer; the admin token in front of /_emulator (--admin-token); CORS origins; the default bind address."""

from __future__ import annotations

import datetime as dt

import boto3
import botocore
import botocore.auth
import httpx
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from emulator import sigv4
from emulator.cli import main as cli_main
from emulator.config import Settings
from emulator.testing import ServerThread
from tests.reliability.databases import suite_database

ACCESS_KEY, SECRET = "AKIAEMULATOREXAMPLE", "s3cr3t/with+chars:and-a-colon"
TOKEN = "admin-token-for-tests"
TARGET = "AWSCognitoIdentityProviderService"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):  # type: ignore[no-untyped-def]
    with suite_database(tmp_path_factory.mktemp("guarded")) as database:
        settings = Settings(
            port=0,
            database=database,
            iam_credentials=[f"{ACCESS_KEY}:{SECRET}", "AKIASECOND:other-secret"],
            admin_token=TOKEN,
            cors_origins=["https://app.example.com"],
        )
        with ServerThread(settings) as running:
            yield running


def client(endpoint: str, key: str = ACCESS_KEY, secret: str = SECRET, region: str = "us-east-1", **config):  # type: ignore[no-untyped-def]
    return boto3.session.Session().client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, **config),
    )


def error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_the_iam_set_is_the_model_operations_that_are_not_unsigned():
    operations = sigv4.iam_operations()
    for name in (
        "AdminCreateUser",
        "AdminInitiateAuth",
        "CreateUserPool",
        "CreateUserPoolClient",
        "ListUsers",
    ):
        assert name in operations
    for name in (
        "SignUp",
        "ConfirmSignUp",
        "InitiateAuth",
        "RespondToAuthChallenge",
        "GetUser",
        "RevokeToken",
    ):
        assert name not in operations
    assert len(operations) > 100


def test_signed_with_the_right_secret_works_in_any_region(guarded):
    cognito = client(guarded.endpoint)
    pool_id = cognito.create_user_pool(PoolName="guarded")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="amy", MessageAction="SUPPRESS")
    assert [user["Username"] for user in cognito.list_users(UserPoolId=pool_id)["Users"]] == ["amy"]
    second = client(guarded.endpoint, "AKIASECOND", "other-secret", region="eu-west-1")
    assert second.list_user_pools(MaxResults=10)["UserPools"] is not None


def test_wrong_secret_is_invalid_signature(guarded):
    with pytest.raises(ClientError) as excinfo:
        client(guarded.endpoint, secret="not-the-secret").list_user_pools(MaxResults=10)
    assert error(excinfo) == ("InvalidSignatureException", sigv4.MISMATCH, 400)


def test_unknown_access_key_is_unrecognized_client(guarded):
    with pytest.raises(ClientError) as excinfo:
        client(guarded.endpoint, key="AKIANOBODY").admin_get_user(UserPoolId="us-east-1_abc", Username="x")
    assert error(excinfo) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        400,
    )


def test_unsigned_admin_operation_is_missing_authentication_token(guarded):
    unsigned = client(guarded.endpoint, signature_version=botocore.UNSIGNED)
    with pytest.raises(ClientError) as excinfo:
        unsigned.create_user_pool(PoolName="sneaky")
    assert error(excinfo)[:2] == ("MissingAuthenticationTokenException", sigv4.MISSING_TOKEN)
    pools = client(guarded.endpoint).list_user_pools(MaxResults=60)["UserPools"]
    assert "sneaky" not in [pool["Name"] for pool in pools]


def test_user_operations_stay_unsigned(guarded):
    cognito = client(guarded.endpoint)
    pool_id = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    # botocore itself sends these unsigned (authtype none), whatever credentials the client has.
    anybody = client(guarded.endpoint, key="AKIANOBODY", secret="nothing")
    anybody.sign_up(ClientId=client_id, Username="bea", Password="Passw0rd!")
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="bea")
    tokens = client(guarded.endpoint, signature_version=botocore.UNSIGNED).initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bea", "PASSWORD": "Passw0rd!"},
    )["AuthenticationResult"]
    assert anybody.get_user(AccessToken=tokens["AccessToken"])["Username"] == "bea"


def _signed(endpoint: str, operation: str, body: bytes, secret: str = SECRET) -> AWSRequest:
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{TARGET}.{operation}"},
    )
    botocore.auth.SigV4Auth(Credentials(ACCESS_KEY, secret), "cognito-idp", "us-east-1").add_auth(request)
    return request


def test_a_body_changed_after_signing_is_refused(guarded):
    request = _signed(guarded.endpoint, "ListUserPools", b'{"MaxResults": 10}')
    headers = dict(request.headers.items())
    ok = httpx.post(guarded.endpoint + "/", content=b'{"MaxResults": 10}', headers=headers)
    assert ok.status_code == 200, ok.text
    tampered = httpx.post(guarded.endpoint + "/", content=b'{"MaxResults": 11}', headers=headers)
    assert (tampered.status_code, tampered.json()["__type"]) == (400, "InvalidSignatureException")
    retargeted = httpx.post(
        guarded.endpoint + "/",
        content=b'{"MaxResults": 10}',
        headers={**headers, "X-Amz-Target": f"{TARGET}.ListUsers"},
    )
    assert retargeted.json()["__type"] == "InvalidSignatureException"


def test_a_signature_too_old_is_expired(guarded, monkeypatch):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: past.replace(tzinfo=None))
    with pytest.raises(ClientError) as excinfo:
        client(guarded.endpoint).list_user_pools(MaxResults=10)
    code, message, _ = error(excinfo)
    assert code == "InvalidSignatureException" and message.startswith("Signature expired: ")


def test_default_server_checks_no_signature(endpoint):
    """Without --iam-credentials any credentials do (the suite's shared server)."""
    assert (
        client(endpoint, key="whatever", secret="anything").list_user_pools(MaxResults=10)["UserPools"] == []
    )


# --- the admin token -----------------------------------------------------------------------------------
def test_emulator_api_wants_the_admin_token(guarded):
    url = guarded.endpoint
    assert httpx.get(url + "/_emulator/messages").status_code == 401
    assert (
        httpx.get(url + "/_emulator/messages", headers={"Authorization": "Bearer wrong"}).status_code == 401
    )
    assert httpx.post(url + "/_emulator/reset", json={}).status_code == 401
    assert httpx.get(url + "/_emulator/clock").status_code == 401
    assert (
        httpx.get(url + "/_emulator/messages", headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 200
    )
    assert httpx.get(url + "/_emulator/messages", headers={"X-Emulator-Token": TOKEN}).status_code == 200
    # Health stays open (container checks); the Cognito endpoint has its own rules.
    assert httpx.get(url + "/_emulator/health").status_code == 200
    assert httpx.get(url + "/").status_code == 200


def test_console_takes_the_token_once_then_a_cookie(guarded):
    with httpx.Client(base_url=guarded.endpoint) as browser:
        assert browser.get("/_emulator/").status_code == 401
        first = browser.get("/_emulator/", params={"token": TOKEN})
        assert first.status_code == 200 and "text/html" in first.headers["content-type"]
        assert "HttpOnly" in first.headers["set-cookie"]
        assert browser.get("/_emulator/outbox").status_code == 200  # the cookie now
    assert httpx.get(guarded.endpoint + "/_emulator/", params={"token": "wrong"}).status_code == 401


def test_no_admin_token_by_default(http):
    assert http.get("/_emulator/messages").status_code == 200


# --- CORS and the bind address ---------------------------------------------------------------------------
def test_cors_allows_only_the_configured_origins(guarded):
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            guarded.endpoint + "/",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-amz-target",
            },
        )

    allowed = preflight("https://app.example.com")
    assert allowed.headers.get("access-control-allow-origin") == "https://app.example.com"
    refused = preflight("https://evil.example.net")
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers


def test_default_bind_is_loopback(monkeypatch):
    assert Settings().host == "127.0.0.1"
    captured: dict[str, Settings] = {}
    monkeypatch.setattr(
        "emulator.cli.serve", lambda settings: captured.setdefault("settings", settings) and 0
    )
    for name in ("COGNITO_EMULATOR_HOST",):
        monkeypatch.delenv(name, raising=False)
    cli_main(["serve"])
    assert captured["settings"].host == "127.0.0.1"


def test_bad_iam_credentials_flag_is_refused(capsys):
    assert cli_main(["serve", "--iam-credentials", "no-colon-here", "--port", "1"]) == 2
    assert "ACCESS_KEY:SECRET" in capsys.readouterr().err
