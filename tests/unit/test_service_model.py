"""Request validation against the shipped cognito-idp service model, without a server."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.protocol import service_model
from emulator.protocol.errors import InvalidParameterException, SerializationException


def invalid(operation: str, body: dict[str, Any]) -> str:
    with pytest.raises(InvalidParameterException) as excinfo:
        service_model.validate_request(operation, body)
    return excinfo.value.message


def test_the_model_is_cognito_idp():
    assert service_model.target_prefix() == "AWSCognitoIdentityProviderService"
    names = service_model.operation_names()
    assert len(names) >= 141
    assert names == sorted(names)
    assert {"CreateUserPool", "InitiateAuth", "RespondToAuthChallenge", "AdminCreateUser"} <= set(names)
    assert service_model.input_shape_name("CreateUserPool") == "CreateUserPoolRequest"


def test_a_valid_request_passes():
    body = {
        "PoolName": "ok pool",
        "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
        "Schema": [{"Name": "tenant", "AttributeDataType": "String"}],
        "UserPoolTags": {"team": "auth"},
    }
    assert service_model.validate_request("CreateUserPool", body) is None


def test_missing_required_members():
    assert invalid("AdminGetUser", {"UserPoolId": "us-east-1_abc"}) == (
        "1 validation error detected: Value null at 'username' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_errors_are_counted_and_joined():
    message = invalid("AdminGetUser", {})
    assert message.startswith("2 validation errors detected: ")
    assert message.count("; ") == 1
    assert "Value null at 'userPoolId'" in message
    assert "Value null at 'username'" in message


def test_lengths_of_strings_and_lists():
    assert invalid("CreateUserPool", {"PoolName": ""}) == (
        "1 validation error detected: Value '' at 'poolName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )
    message = invalid("AddCustomAttributes", {"UserPoolId": "us-east-1_abc", "CustomAttributes": []})
    assert "Value '[]' at 'customAttributes'" in message
    assert "Member must have length greater than or equal to 1" in message


def test_numeric_ranges():
    assert invalid("ListUserPools", {"MaxResults": 0}) == (
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )
    assert "less than or equal to 60" in invalid("ListUserPools", {"MaxResults": 61})


def test_enums_and_patterns():
    assert "Member must satisfy enum value set: [OFF, ON, OPTIONAL]" in invalid(
        "CreateUserPool", {"PoolName": "p", "MfaConfiguration": "off"}
    )
    assert "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+" in invalid(
        "DescribeUserPool", {"UserPoolId": "us-east-1"}
    )


def test_java_style_patterns_are_ascii_for_w_and_unicode_for_p():
    # [\w\s+=,.@-]+ : \w is ASCII-only in Java, so an accented letter fails ...
    assert "poolName" in invalid("CreateUserPool", {"PoolName": "café"})
    # ... while \p{L} classes accept any letter.
    service_model.validate_request("SignUp", {"ClientId": "abc", "Username": "zoë", "Password": "Passw0rd!"})
    # Java's \S is "not one of the six ASCII spaces": a no-break space or a letter like é is fine.
    service_model.validate_request(
        "SignUp", {"ClientId": "abc", "Username": "u", "Password": "pâss\u00a0w0rd"}
    )
    for spaced in ("pass word", "pass\tword", "pass\nword"):
        assert "'password'" in invalid("SignUp", {"ClientId": "abc", "Username": "u", "Password": spaced})


def test_nested_paths_name_list_members_and_structures():
    message = invalid(
        "AdminUpdateUserAttributes",
        {"UserPoolId": "us-east-1_abc", "Username": "u", "UserAttributes": [{"Name": "a"}, {"Value": "v"}]},
    )
    assert message == (
        "1 validation error detected: Value null at 'userAttributes.2.member.name' failed to satisfy "
        "constraint: Member must not be null"
    )
    assert "'policies.passwordPolicy.minimumLength'" in invalid(
        "CreateUserPool", {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 100}}}
    )


def test_sensitive_values_are_not_shown():
    message = invalid("SignUp", {"ClientId": "abc", "Username": "u", "Password": "has space"})
    assert "has space" not in message
    assert message.startswith(
        "1 validation error detected: Value at 'password' failed to satisfy constraint:"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"MaxResults": "10"}, "STRING_VALUE can not be converted to an Integer"),
        ({"MaxResults": True}, "BOOLEAN_VALUE can not be converted to an Integer"),
        ({"MaxResults": 1.5}, "NUMBER_VALUE can not be converted to an Integer"),
        ({"MaxResults": [1]}, "START_ARRAY can not be converted to an Integer"),
        ({"MaxResults": {}}, "START_OBJECT can not be converted to an Integer"),
        ({"MaxResults": 1, "NextToken": 5}, "NUMBER_VALUE can not be converted to a String"),
        # Beyond a Java Integer (found by the fuzz test: a 2**70 Precedence was a 500 once).
        ({"MaxResults": 2**31}, "NUMBER_VALUE can not be converted to an Integer"),
        ({"MaxResults": -(2**31) - 1}, "NUMBER_VALUE can not be converted to an Integer"),
    ],
)
def test_wrong_json_types_are_serialization_errors(body, message):
    with pytest.raises(SerializationException) as excinfo:
        service_model.validate_request("ListUserPools", body)
    assert excinfo.value.message == message


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("CreateUserPool", {"PoolName": "p", "Policies": []}),
        ("CreateUserPool", {"PoolName": "p", "AutoVerifiedAttributes": "email"}),
        ("CreateUserPool", {"PoolName": "p", "UserPoolTags": ["a"]}),
        ("CreateUserPool", {"PoolName": "p", "Schema": [None]}),
        ("CreateUserPool", {"PoolName": "p", "DeletionProtection": None, "Policies": {"PasswordPolicy": 8}}),
        ("AdminSetUserPassword", {"UserPoolId": "a_b", "Username": "u", "Password": "p", "Permanent": "yes"}),
    ],
)
def test_wrong_container_types_are_serialization_errors(operation, body):
    with pytest.raises(SerializationException):
        service_model.validate_request(operation, body)


def test_integral_floats_become_ints():
    body: dict[str, Any] = {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 8.0}}}
    service_model.validate_request("CreateUserPool", body)
    length = body["Policies"]["PasswordPolicy"]["MinimumLength"]
    assert length == 8 and isinstance(length, int)


def test_unknown_and_null_members_are_ignored():
    service_model.validate_request("ListUserPools", {"MaxResults": 5, "Unknown": object(), "NextToken": None})


def test_an_operation_without_input_accepts_anything():
    no_input = [
        name for name in service_model.operation_names() if service_model.input_shape_name(name) is None
    ]
    for name in no_input:
        service_model.validate_request(name, {"anything": 1})
