"""The AWS JSON 1.1 wire over real HTTP: targets, bodies, validation errors in AWS's wording, headers,
CORS, SigV4 regions, not-implemented operations, internal errors, and a seeded fuzz that must never
produce a 5xx."""

from __future__ import annotations

import json
import logging
import random
import re
import string
import uuid
from typing import Any

import httpx
import pytest

from emulator import operations, service_model
from emulator.operations import Operation
from emulator.service_model import _pattern
from tests.conftest import call, make_boto_client

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
# The headers Amplify JS v6 sends with every request (amplify-v6-contract.md).
AMPLIFY_HEADERS = [
    "content-type",
    "x-amz-target",
    "x-amz-user-agent",
    "cache-control",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
]


def assert_error(response: httpx.Response, code: str, status: int = 400) -> str:
    """The response is Cognito's error ``code``; returns its message."""
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-errortype"] == code
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    body = response.json()
    assert body["__type"] == code
    assert isinstance(body["message"], str)
    return body["message"]


def assert_request_id(response: httpx.Response) -> str:
    request_id = response.headers["x-amzn-requestid"]
    assert uuid.UUID(request_id)
    return request_id


# --- bodies and targets --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body", [b"{not json", b'{"PoolName": "p",}', b"\xff\xfe\x00", b"[" * 5000, b'{"a": 1e999}']
)
def test_malformed_json_is_a_serialization_exception(http, body):
    response = call(http, "CreateUserPool", body)
    assert_error(response, "SerializationException")
    assert_request_id(response)


@pytest.mark.parametrize("body", ["[]", '[{"PoolName": "p"}]', '"PoolName"', "42", "true", "null"])
def test_a_body_that_is_not_an_object_is_a_serialization_exception(http, body):
    assert_error(call(http, "CreateUserPool", body), "SerializationException")


def test_an_empty_body_is_an_empty_request(http):
    message = assert_error(call(http, "ListUserPools", b""), "InvalidParameterException")
    assert message == (
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: "
        "Member must not be null"
    )


@pytest.mark.parametrize(
    "target",
    [
        TARGET_PREFIX + "NoSuchOperation",
        TARGET_PREFIX + "createUserPool",  # names are case-sensitive
        TARGET_PREFIX,
        "DynamoDB_20120810.ListTables",
        "CreateUserPool",
    ],
)
def test_an_unknown_target_is_an_unknown_operation(http, target):
    headers = {"x-amz-target": target, "content-type": "application/x-amz-json-1.1"}
    response = http.post("/", content="{}", headers=headers)
    assert_error(response, "UnknownOperationException")
    assert_request_id(response)


def test_a_missing_target_is_an_unknown_operation_that_says_so(http):
    response = http.post("/", content="{}", headers={"content-type": "application/x-amz-json-1.1"})
    message = assert_error(response, "UnknownOperationException")
    assert message == (
        "The X-Amz-Target header is missing: send X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>."
    )


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json",
        "application/x-amz-json-1.0",
    ],
)
def test_a_content_type_other_than_aws_json_1_1_is_refused(http, cognito, content_type):
    # AWS routes a request by its content type; these are also what a web page can send without a preflight.
    headers = {"x-amz-target": TARGET_PREFIX + "CreateUserPool"}
    if content_type:
        headers["content-type"] = content_type
    response = http.post("/", content='{"PoolName": "p"}', headers=headers)
    message = assert_error(response, "UnknownOperationException")
    assert message.startswith("The Content-Type of a request must be application/x-amz-json-1.1")
    assert cognito.list_user_pools(MaxResults=5)["UserPools"] == []


def test_the_aws_json_content_type_may_name_a_charset(http):
    response = http.post(
        "/",
        content='{"MaxResults": 5}',
        headers={
            "x-amz-target": TARGET_PREFIX + "ListUserPools",
            "content-type": "application/x-amz-json-1.1; charset=utf-8",
        },
    )
    assert response.status_code == 200 and response.json() == {"UserPools": []}


def test_null_members_are_absent_members(http, cognito):
    response = call(http, "CreateUserPool", {"PoolName": "p", "Policies": None, "LambdaConfig": None})
    assert response.status_code == 200
    assert response.json()["UserPool"]["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    message = assert_error(call(http, "CreateUserPool", {"PoolName": None}), "InvalidParameterException")
    assert "Value null at 'poolName'" in message


def test_unknown_members_are_ignored(http):
    response = call(http, "ListUserPools", {"MaxResults": 5, "Shoe": "size"})
    assert response.status_code == 200


# --- validation against the service model --------------------------------------------------------------
@pytest.mark.parametrize(
    ("operation", "body", "message"),
    [
        (
            "CreateUserPool",
            {},
            "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: "
            "Member must not be null",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p" * 129},
            f"1 validation error detected: Value '{'p' * 129}' at 'poolName' failed to satisfy constraint: "
            "Member must have length less than or equal to 128",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "MfaConfiguration": "SOMETIMES"},
            "1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: "
            "Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
        ),
        (
            "CreateUserPool",
            {"PoolName": "no/slashes"},
            "1 validation error detected: Value 'no/slashes' at 'poolName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        ),
        (
            "DescribeUserPool",
            {"UserPoolId": "nounderscore"},
            "1 validation error detected: Value 'nounderscore' at 'userPoolId' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 5}}},
            "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy "
            "constraint: Member must have value greater than or equal to 6",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "AutoVerifiedAttributes": ["email", "shoe_size"]},
            "1 validation error detected: Value 'shoe_size' at 'autoVerifiedAttributes.2.member' failed to satisfy "
            "constraint: Member must satisfy enum value set: [phone_number, email]",
        ),
        (
            "DescribeUserPoolClient",
            {},
            "2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: "
            "Member must not be null; Value null at 'clientId' failed to satisfy constraint: "
            "Member must not be null",
        ),
    ],
)
def test_shape_violations_are_invalid_parameter_exceptions_in_aws_wording(http, operation, body, message):
    assert assert_error(call(http, operation, body), "InvalidParameterException") == message


def test_sensitive_values_are_not_repeated_in_messages(http, cognito):
    pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    response = call(
        http,
        "CreateUserPoolClient",
        {"UserPoolId": pool_id, "ClientName": "c", "GenerateSecret": True, "ClientSecret": "short"},
    )
    message = assert_error(response, "InvalidParameterException")
    assert "short" not in message
    assert message.startswith(
        "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"PoolName": 42}, "NUMBER_VALUE can not be converted to a String"),
        ({"PoolName": ["p"]}, "START_ARRAY can not be converted to a String"),
        ({"PoolName": "p", "Policies": "strict"}, None),
        ({"PoolName": "p", "AutoVerifiedAttributes": "email"}, None),
        ({"PoolName": "p", "UserPoolTags": ["a"]}, None),
        ({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": "8"}}}, None),
        ({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 8.5}}}, None),
        ({"PoolName": "p", "Policies": {"PasswordPolicy": {"RequireNumbers": "yes"}}}, None),
    ],
)
def test_a_wrong_json_type_is_a_serialization_exception(http, body, message):
    got = assert_error(call(http, "CreateUserPool", body), "SerializationException")
    if message:
        assert got == message


def test_integral_numbers_may_be_written_as_floats(http, cognito):
    cognito.create_user_pool(PoolName="p")
    response = call(http, "ListUserPools", {"MaxResults": 10.0})
    assert response.status_code == 200
    assert len(response.json()["UserPools"]) == 1


# --- not implemented, internal errors ------------------------------------------------------------------
# Operations that will stay unimplemented for a while; the test takes the first that still is.
NOT_YET_CANDIDATES = [
    "CreateUserImportJob",
    "StartWebAuthnRegistration",
    "CreateManagedLoginBranding",
    "SetRiskConfiguration",
    "CreateTerms",
]


def unimplemented_operation() -> str:
    registry = operations.load_all()
    for name in NOT_YET_CANDIDATES + service_model.operation_names():
        if name not in registry:
            return name
    pytest.skip("every operation of the service model is implemented")


def test_a_model_operation_that_is_not_implemented_answers_501(http):
    name = unimplemented_operation()
    response = call(http, name, {})
    message = assert_error(response, "NotImplementedException", status=501)
    assert name in message
    assert_request_id(response)


def test_an_emulator_bug_is_an_internal_error_with_a_logged_traceback(http, server, monkeypatch, caplog):
    def broken(ctx: Any, request: dict[str, Any]) -> dict[str, Any]:
        raise ZeroDivisionError("a bug")

    monkeypatch.setitem(
        server.emulator.operations, "ListUserPools", Operation("ListUserPools", broken, False)
    )
    with caplog.at_level(logging.ERROR, logger="emulator"):
        response = call(http, "ListUserPools", {"MaxResults": 1})
    assert_error(response, "InternalErrorException", status=500)
    assert "a bug" not in response.text  # no internals leak to the client
    logged = [record for record in caplog.records if record.exc_info]
    assert logged and logged[0].exc_info[0] is ZeroDivisionError


# --- headers -------------------------------------------------------------------------------------------
def test_every_response_has_a_request_id_and_every_2xx_a_json_body(http, cognito):
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]
    pool_id = pool["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    requests = [
        ("DescribeUserPool", {"UserPoolId": pool_id}),
        ("UpdateUserPool", {"UserPoolId": pool_id}),
        ("ListUserPools", {"MaxResults": 1}),
        ("AddCustomAttributes", {"UserPoolId": pool_id, "CustomAttributes": [{"Name": "x"}]}),
        ("GetUserPoolMfaConfig", {"UserPoolId": pool_id}),
        ("SetUserPoolMfaConfig", {"UserPoolId": pool_id, "MfaConfiguration": "OFF"}),
        ("TagResource", {"ResourceArn": pool["Arn"], "Tags": {"a": "b"}}),
        ("UntagResource", {"ResourceArn": pool["Arn"], "TagKeys": ["a"]}),
        ("ListTagsForResource", {"ResourceArn": pool["Arn"]}),
        ("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id}),
        ("UpdateUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id}),
        ("ListUserPoolClients", {"UserPoolId": pool_id}),
        ("DeleteUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id}),
        ("DeleteUserPool", {"UserPoolId": pool_id}),
        ("DeleteUserPool", {"UserPoolId": pool_id}),  # now an error
        ("NoSuchOperation", {}),
    ]
    request_ids = set()
    for operation, body in requests:
        response = call(http, operation, body)
        request_ids.add(assert_request_id(response))
        if response.status_code == 200:
            assert response.headers["content-type"] == "application/x-amz-json-1.1"
            assert isinstance(response.json(), dict), operation
            assert "x-amzn-errortype" not in response.headers
        else:
            assert response.headers["x-amzn-errortype"] == response.json()["__type"]
    assert len(request_ids) == len(requests)
    assert call(http, "UpdateUserPool", {"UserPoolId": "us-east-1_gone12345"}).status_code == 400


def test_boto3_sees_the_request_id(cognito):
    answer = cognito.list_user_pools(MaxResults=1)
    assert uuid.UUID(answer["ResponseMetadata"]["RequestId"])


# --- CORS ----------------------------------------------------------------------------------------------
def test_cors_preflight_allows_what_amplify_sends(http):
    response = http.options(
        "/",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ",".join(AMPLIFY_HEADERS),
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = {
        header.strip().lower() for header in response.headers["access-control-allow-headers"].split(",")
    }
    assert allowed >= set(AMPLIFY_HEADERS) or "*" in allowed


def test_cors_exposes_the_error_type_and_request_id(http):
    response = call(http, "NoSuchOperation", {}, origin="http://localhost:5173")
    assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    exposed = {
        header.strip().lower() for header in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"x-amzn-errortype", "x-amzn-requestid"} <= exposed


# --- SigV4 ---------------------------------------------------------------------------------------------
def test_the_sigv4_credential_scope_names_the_region(endpoint, cognito):
    ireland = make_boto_client(endpoint, region="eu-west-1")
    pool = ireland.create_user_pool(PoolName="irish")["UserPool"]
    assert re.fullmatch(r"eu-west-1_[0-9A-Za-z]{9}", pool["Id"])
    assert ireland.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Arn"].startswith(
        "arn:aws:cognito-idp:eu-west-1:"
    )
    # An unsigned request (Amplify) gets the emulator's default region.
    unsigned = cognito.create_user_pool(PoolName="default")["UserPool"]
    assert unsigned["Id"].startswith("us-east-1_")


def test_a_raw_authorization_header_is_read_but_not_verified(http):
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/ap-southeast-2/cognito-idp/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"
    )
    response = call(http, "CreateUserPool", {"PoolName": "p"}, authorization=authorization)
    assert response.status_code == 200
    assert response.json()["UserPool"]["Id"].startswith("ap-southeast-2_")
    garbage = call(http, "CreateUserPool", {"PoolName": "p"}, authorization="Bearer nonsense")
    assert garbage.json()["UserPool"]["Id"].startswith("us-east-1_")


# --- emulator API --------------------------------------------------------------------------------------
def test_health_and_reset(http, cognito):
    health = http.get("/_emulator/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert isinstance(health.json()["version"], str)

    cognito.create_user_pool(PoolName="p")
    reset = http.post("/_emulator/reset", json={})
    assert reset.status_code == 200
    assert reset.json() == {}
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []


# --- fuzz ----------------------------------------------------------------------------------------------
# Strings that satisfy many of the model's patterns, so that generated requests get past validation.
CANDIDATE_STRINGS = [
    "a",
    "abc",
    "Name_1",
    "us-east-1_abcdefghi",
    "user@example.com",
    "https://example.com/cb",
    "arn:aws:iam::123456789012:role/r",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
    "123456",
    "Your code is {####}",
    "{username} {####}",
    "ALLOW_USER_SRP_AUTH",
    "openid",
    "email",
    "custom:x",
    "1d3c0e9e-0c3f-4bd1-9b5d-2a7f7e0c2a11",
    "Passw0rd!",
    "x" * 40,
]
GARBAGE = [
    None,
    0,
    -1,
    1.5,
    10.0,
    True,
    "",
    "x" * 3000,
    [],
    [1, "a"],
    {},
    {"a": {"b": []}},
    "\u0000\ud7ff",
    2**70,
]


def random_value(rnd: random.Random, shape_name: str, known: dict[str, Any], depth: int = 0) -> Any:
    """A value for ``shape_name``: mostly well-formed by the model, sometimes garbage."""
    if rnd.random() < 0.05:
        return rnd.choice(GARBAGE)
    spec = service_model.shape(shape_name)
    kind = spec["type"]
    if kind == "structure":
        value = {}
        for name, member in spec.get("members", {}).items():
            if name in spec.get("required", []) or rnd.random() < 0.3:
                if name in known and rnd.random() < 0.8:
                    value[name] = known[name]
                elif depth < 5:
                    value[name] = random_value(rnd, member["shape"], known, depth + 1)
        return value
    if kind == "list":
        return [
            random_value(rnd, spec["member"]["shape"], known, depth + 1)
            for _ in range(rnd.choice([0, 1, 2, 3]))
        ]
    if kind == "map":
        return {
            str(random_value(rnd, spec["key"]["shape"], known, depth + 1)): random_value(
                rnd, spec["value"]["shape"], known, depth + 1
            )
            for _ in range(rnd.choice([0, 1, 2]))
        }
    if kind == "string":
        if "enum" in spec:
            return rnd.choice(spec["enum"])
        low, high = spec.get("min", 0), spec.get("max", 64)
        pattern = spec.get("pattern")
        fitting = [
            text
            for text in CANDIDATE_STRINGS
            if low <= len(text) <= high and (not pattern or _pattern(pattern).fullmatch(text))
        ]
        if fitting and rnd.random() < 0.9:
            return rnd.choice(fitting)
        return "".join(rnd.choice(string.printable) for _ in range(rnd.randint(low, min(high, 40))))
    if kind in ("integer", "long"):
        low, high = spec.get("min", -5), spec.get("max", 10**6)
        return rnd.choice([low, high, rnd.randint(low, high), low - 1, high + 1])
    if kind == "boolean":
        return rnd.random() < 0.5
    if kind == "timestamp":
        return rnd.random() * 2e9
    return "aGVsbG8="  # blob


def test_random_and_garbage_requests_never_yield_a_5xx(http, cognito):
    """A few hundred seeded requests over every implemented operation: errors must be Cognito's 4xx."""
    rnd = random.Random(20240518)
    registry = sorted(operations.load_all())

    def fresh_world() -> dict[str, Any]:
        pool = cognito.create_user_pool(PoolName="fuzz")["UserPool"]
        client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="fuzz")["UserPoolClient"]
        return {"UserPoolId": pool["Id"], "ClientId": client["ClientId"], "ResourceArn": pool["Arn"]}

    known = fresh_world()
    raw_garbage = [b"{", b"\x00\xff", b"[]", b'{"a":', b"null", '{"PoolName": "\u2603"}'.encode()]
    failures = []
    for _ in range(300):
        operation = rnd.choice(registry)
        roll = rnd.random()
        if roll < 0.05:
            body: Any = rnd.choice(raw_garbage)
        elif roll < 0.1:
            body = json.dumps(rnd.choice(GARBAGE))
        else:
            shape = service_model.input_shape_name(operation)
            # Deletes name the fuzz pool only now and then: each one costs a fresh pool.
            ids = known if not operation.startswith("Delete") or rnd.random() < 0.2 else {}
            body = json.dumps(random_value(rnd, shape, ids) if shape else {})
        response = call(http, operation, body)
        if response.status_code >= 500:
            failures.append((operation, body, response.status_code, response.text))
        else:
            assert_request_id(response)
        if response.status_code == 200 and operation in ("DeleteUserPool", "DeleteUserPoolClient"):
            known = fresh_world()
    assert not failures, "\n".join(f"{op} {body!r} -> {status} {text}" for op, body, status, text in failures)
