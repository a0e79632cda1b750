"""User pool operations over real HTTP with boto3: create, describe, update, delete, list, custom
attributes, MFA configuration and tags, checked against AWS's formats and defaults."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from tests.conftest import call, make_boto_client
from tests.helpers import error_of

POOL_ID = re.compile(r"^us-east-1_[0-9A-Za-z]{9}$")
STANDARD_ATTRIBUTES = [
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "identities",
]
DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}


def schema_by_name(pool: dict) -> dict[str, dict]:
    return {attribute["Name"]: attribute for attribute in pool["SchemaAttributes"]}


# --- CreateUserPool / DescribeUserPool -----------------------------------------------------------------
def test_a_new_pool_has_aws_defaults(cognito):
    created = cognito.create_user_pool(PoolName="defaults")["UserPool"]
    pool = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]

    assert POOL_ID.match(pool["Id"])
    assert pool["Name"] == "defaults"
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool['Id']}"
    assert pool["Policies"]["PasswordPolicy"] == DEFAULT_PASSWORD_POLICY
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": False,
        "UnusedAccountValidityDays": 7,
    }
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["LambdaConfig"] == {}
    assert pool["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert pool["UserPoolTags"] == {}
    # Settings never given are absent, not empty.
    for absent in ("UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes", "SmsConfiguration"):
        assert absent not in pool
    # The same view comes back from CreateUserPool itself.
    assert created == pool


def test_a_new_pool_has_the_standard_attributes(cognito):
    pool = cognito.create_user_pool(PoolName="schema")["UserPool"]
    schema = schema_by_name(pool)
    assert [attribute["Name"] for attribute in pool["SchemaAttributes"]] == STANDARD_ATTRIBUTES
    assert schema["sub"] == {
        "Name": "sub",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": False,
        "Required": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"},
    }
    assert schema["email"]["Required"] is False
    assert schema["email"]["StringAttributeConstraints"] == {"MinLength": "0", "MaxLength": "2048"}
    assert schema["email_verified"]["AttributeDataType"] == "Boolean"
    assert schema["updated_at"]["AttributeDataType"] == "Number"
    assert schema["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}


def test_dates_are_the_creation_time(cognito, http):
    before = datetime.now(UTC)
    pool = cognito.create_user_pool(PoolName="dates")["UserPool"]
    assert abs((pool["CreationDate"] - before).total_seconds()) < 5
    assert pool["LastModifiedDate"] == pool["CreationDate"]
    # On the wire AWS JSON timestamps are epoch seconds, also when read back from the store.
    raw = call(http, "DescribeUserPool", {"UserPoolId": pool["Id"]}).json()["UserPool"]
    assert isinstance(raw["CreationDate"], (int, float))
    assert raw["CreationDate"] == pytest.approx(pool["CreationDate"].timestamp(), abs=0.001)
    listed = call(http, "ListUserPools", {"MaxResults": 10}).json()["UserPools"][0]
    assert listed["CreationDate"] == pytest.approx(raw["CreationDate"], abs=0.001)


def test_create_pool_with_many_settings_round_trips(cognito):
    request = {
        "PoolName": "full_pool-1",
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": False,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
                "TemporaryPasswordValidityDays": 3,
            }
        },
        "DeletionProtection": "ACTIVE",
        "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"},
        "AutoVerifiedAttributes": ["email"],
        "UsernameAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "VerificationMessageTemplate": {
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailMessage": "Your code is {####}",
            "EmailSubject": "Your code",
            "SmsMessage": "Code: {####}",
        },
        "SmsAuthenticationMessage": "Sign-in code {####}",
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
        "DeviceConfiguration": {
            "ChallengeRequiredOnNewDevice": True,
            "DeviceOnlyRememberedOnUserPrompt": True,
        },
        "EmailConfiguration": {
            "EmailSendingAccount": "COGNITO_DEFAULT",
            "ReplyToEmailAddress": "help@example.com",
        },
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": True,
            "InviteMessageTemplate": {
                "EmailMessage": "Hello {username}, your password is {####}",
                "EmailSubject": "Welcome",
                "SMSMessage": "{username} {####}",
            },
        },
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        "UserPoolAddOns": {"AdvancedSecurityMode": "OFF"},
        "UserPoolTags": {"team": "auth", "env": "test"},
        "Schema": [
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {
                "Name": "tenant",
                "AttributeDataType": "String",
                "Mutable": False,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            },
            {
                "Name": "age",
                "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
            },
        ],
    }
    created = cognito.create_user_pool(**request)["UserPool"]
    pool = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]

    for key in (
        "DeletionProtection",
        "LambdaConfig",
        "AutoVerifiedAttributes",
        "UsernameAttributes",
        "UsernameConfiguration",
        "SmsAuthenticationMessage",
        "UserAttributeUpdateSettings",
        "DeviceConfiguration",
        "EmailConfiguration",
        "AccountRecoverySetting",
        "UserPoolAddOns",
    ):
        assert pool[key] == request[key], key
    assert pool["Name"] == "full_pool-1"
    assert pool["UserPoolTags"] == {"team": "auth", "env": "test"}
    assert pool["Policies"]["PasswordPolicy"] == request["Policies"]["PasswordPolicy"]
    assert pool["VerificationMessageTemplate"] == request["VerificationMessageTemplate"]
    # The legacy top-level message settings mirror the template, as in AWS.
    assert pool["EmailVerificationMessage"] == "Your code is {####}"
    assert pool["EmailVerificationSubject"] == "Your code"
    assert pool["SmsVerificationMessage"] == "Code: {####}"
    admin = pool["AdminCreateUserConfig"]
    assert admin["AllowAdminCreateUserOnly"] is True
    assert admin["InviteMessageTemplate"] == request["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert admin["UnusedAccountValidityDays"] == 3  # follows TemporaryPasswordValidityDays

    schema = schema_by_name(pool)
    assert len(schema) == len(STANDARD_ATTRIBUTES) + 2
    assert schema["email"]["Required"] is True
    assert schema["custom:tenant"] == {
        "Name": "custom:tenant",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": False,
        "Required": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
    }
    assert schema["custom:age"]["AttributeDataType"] == "Number"
    assert schema["custom:age"]["NumberAttributeConstraints"] == {"MinValue": "0", "MaxValue": "150"}


def test_estimated_number_of_users_counts_the_pools_users(cognito):
    pool_id = cognito.create_user_pool(PoolName="people")["UserPool"]["Id"]
    other = cognito.create_user_pool(PoolName="others")["UserPool"]["Id"]
    for name in ("ann", "bob"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
    cognito.admin_create_user(UserPoolId=other, Username="cat", MessageAction="SUPPRESS")
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 2
    cognito.admin_delete_user(UserPoolId=pool_id, Username="ann")
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 1
    # Deleting a pool deletes its users, and only its users.
    cognito.delete_user_pool(UserPoolId=pool_id)
    assert cognito.describe_user_pool(UserPoolId=other)["UserPool"]["EstimatedNumberOfUsers"] == 1


def test_pool_names_need_not_be_unique(cognito):
    first = cognito.create_user_pool(PoolName="same")["UserPool"]["Id"]
    second = cognito.create_user_pool(PoolName="same")["UserPool"]["Id"]
    assert first != second


def test_alias_and_username_attributes_exclude_each_other(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(PoolName="p", AliasAttributes=["email"], UsernameAttributes=["email"])
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_required_custom_attributes_are_refused(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(
            PoolName="p", Schema=[{"Name": "team", "AttributeDataType": "String", "Required": True}]
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Required custom attributes are not supported currently.",
    )


def test_a_standard_attribute_keeps_its_type(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(PoolName="p", Schema=[{"Name": "email", "AttributeDataType": "Number"}])
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_the_verification_message_needs_the_code_placeholder(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(
            PoolName="p",
            VerificationMessageTemplate={
                "DefaultEmailOption": "CONFIRM_WITH_CODE",
                "SmsMessage": "no code {##}",
            },
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_the_region_of_the_request_names_the_pool(endpoint):
    client = make_boto_client(endpoint, region="eu-west-1")
    pool = client.create_user_pool(PoolName="irish")["UserPool"]
    assert re.match(r"^eu-west-1_[0-9A-Za-z]{9}$", pool["Id"])
    assert pool["Arn"] == f"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{pool['Id']}"


def test_describe_an_unknown_pool(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool(UserPoolId="us-east-1_Nope12345")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error_of(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")


# --- UpdateUserPool --------------------------------------------------------------------------------------
def test_update_changes_settings_and_resets_the_omitted_ones(cognito, server):
    pool_id = cognito.create_user_pool(
        PoolName="before",
        LambdaConfig={"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:f"},
        AutoVerifiedAttributes=["email"],
        UsernameAttributes=["email"],
        Policies={"PasswordPolicy": {"MinimumLength": 20}},
        Schema=[{"Name": "tenant", "AttributeDataType": "String"}],
        DeletionProtection="ACTIVE",
        UserPoolTags={"keep": "me"},
    )["UserPool"]["Id"]
    server.emulator.set_clock_offset(120)

    answer = cognito.update_user_pool(
        UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False}}
    )
    assert set(answer) == {"ResponseMetadata"}
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]

    assert pool["Policies"]["PasswordPolicy"] == {
        **DEFAULT_PASSWORD_POLICY,
        "MinimumLength": 10,
        "RequireSymbols": False,
    }
    # AWS: "If you don't provide a value for an attribute, Amazon Cognito sets it to its default value."
    assert pool["LambdaConfig"] == {}
    assert "AutoVerifiedAttributes" not in pool
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["MfaConfiguration"] == "OFF"
    # What is fixed at creation stays: name, username attributes, the schema, tags.
    assert pool["Name"] == "before"
    assert pool["UsernameAttributes"] == ["email"]
    assert "custom:tenant" in schema_by_name(pool)
    assert pool["UserPoolTags"] == {"keep": "me"}
    assert (pool["LastModifiedDate"] - pool["CreationDate"]).total_seconds() == pytest.approx(120, abs=5)


def test_update_can_rename_the_pool_and_set_many_settings(cognito):
    pool_id = cognito.create_user_pool(PoolName="old-name")["UserPool"]["Id"]
    cognito.update_user_pool(
        UserPoolId=pool_id,
        PoolName="new-name",
        AutoVerifiedAttributes=["phone_number"],
        SmsConfiguration={"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "x"},
        MfaConfiguration="OPTIONAL",
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": True},
        UserPoolTags={"a": "b"},
    )
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "new-name"
    assert pool["AutoVerifiedAttributes"] == ["phone_number"]
    assert pool["SmsConfiguration"]["SnsCallerArn"] == "arn:aws:iam::123456789012:role/sns"
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["DeviceConfiguration"]["DeviceOnlyRememberedOnUserPrompt"] is True
    assert pool["UserPoolTags"] == {"a": "b"}


def test_update_an_unknown_pool(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool(UserPoolId="us-east-1_Nope12345")
    assert error_of(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")


# --- DeleteUserPool --------------------------------------------------------------------------------------
def test_delete_pool(cognito):
    pool_id = cognito.create_user_pool(PoolName="doomed")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    cognito.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool(UserPoolId=pool_id)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
    # Its clients went with it.
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool(UserPoolId=pool_id)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_deletion_protection_blocks_delete(cognito):
    pool_id = cognito.create_user_pool(PoolName="kept", DeletionProtection="ACTIVE")["UserPool"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool(UserPoolId=pool_id)
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert "deletion protection" in message.lower()
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id

    cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool_id)
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []


# --- ListUserPools ---------------------------------------------------------------------------------------
def test_list_pools_pages_with_max_results_and_next_token(cognito):
    created = [cognito.create_user_pool(PoolName=f"pool-{n}")["UserPool"]["Id"] for n in range(5)]
    seen: list[str] = []
    pages = 0
    kwargs: dict = {"MaxResults": 2}
    while True:
        page = cognito.list_user_pools(**kwargs)
        pages += 1
        assert len(page["UserPools"]) <= 2
        for summary in page["UserPools"]:
            assert set(summary) >= {"Id", "Name", "LambdaConfig", "CreationDate", "LastModifiedDate"}
            seen.append(summary["Id"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 3
    assert sorted(seen) == sorted(created)
    assert len(set(seen)) == 5

    everything = cognito.list_user_pools(MaxResults=60)
    assert "NextToken" not in everything
    assert {summary["Id"]: summary["Name"] for summary in everything["UserPools"]} == {
        pool_id: f"pool-{n}" for n, pool_id in enumerate(created)
    }


def test_list_pools_with_the_boto3_paginator(cognito):
    for n in range(3):
        cognito.create_user_pool(PoolName=f"p{n}")
    paginator = cognito.get_paginator("list_user_pools")
    names = [
        summary["Name"]
        for page in paginator.paginate(PaginationConfig={"PageSize": 1, "MaxItems": 10})
        for summary in page["UserPools"]
    ]
    assert sorted(names) == ["p0", "p1", "p2"]


def test_list_pools_sees_only_the_callers_region(cognito, endpoint):
    cognito.create_user_pool(PoolName="virginia")
    make_boto_client(endpoint, region="eu-west-1").create_user_pool(PoolName="ireland")
    names = [summary["Name"] for summary in cognito.list_user_pools(MaxResults=60)["UserPools"]]
    assert names == ["virginia"]


def test_list_pools_checks_max_results_and_tokens(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pools(MaxResults=61)
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 60",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pools(MaxResults=10, NextToken="not-a-token")
    assert error_of(excinfo)[0] == "InvalidParameterException"


# --- AddCustomAttributes ---------------------------------------------------------------------------------
def test_add_custom_attributes(cognito):
    pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    assert set(
        cognito.add_custom_attributes(
            UserPoolId=pool_id,
            CustomAttributes=[
                {
                    "Name": "plan",
                    "AttributeDataType": "String",
                    "StringAttributeConstraints": {"MaxLength": "32"},
                },
                {"Name": "score", "AttributeDataType": "Number", "Mutable": False},
                {"Name": "flag", "AttributeDataType": "Boolean"},
            ],
        )
    ) == {"ResponseMetadata"}
    schema = schema_by_name(cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"])
    assert schema["custom:plan"]["StringAttributeConstraints"] == {"MaxLength": "32"}
    assert schema["custom:plan"]["Mutable"] is True
    assert schema["custom:score"]["AttributeDataType"] == "Number"
    assert schema["custom:score"]["Mutable"] is False
    assert schema["custom:flag"]["AttributeDataType"] == "Boolean"
    assert len(schema) == len(STANDARD_ATTRIBUTES) + 3


def test_add_custom_attributes_refuses_duplicates_and_bad_input(cognito, http):
    pool_id = cognito.create_user_pool(
        PoolName="p", Schema=[{"Name": "plan", "AttributeDataType": "String"}]
    )["UserPool"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "plan"}])
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert "Existing attribute already has name custom:plan" in message

    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"AttributeDataType": "String"}])
    assert error_of(excinfo)[0] == "InvalidParameterException"

    # boto3 itself refuses an empty list; a raw client gets AWS's validation error.
    response = call(http, "AddCustomAttributes", {"UserPoolId": pool_id, "CustomAttributes": []})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "1 validation error detected: Value '[]' at 'customAttributes' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )

    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(UserPoolId="us-east-1_Nope12345", CustomAttributes=[{"Name": "x"}])
    assert error_of(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")
    # Nothing was added by the failed calls.
    schema = schema_by_name(cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"])
    assert [name for name in schema if name.startswith("custom:")] == ["custom:plan"]


# --- Set/GetUserPoolMfaConfig ----------------------------------------------------------------------------
def test_mfa_config_defaults_to_off(cognito):
    pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    config = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    config.pop("ResponseMetadata")
    assert config == {"MfaConfiguration": "OFF"}


def test_set_and_get_mfa_config(cognito):
    pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    answer = cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        SmsMfaConfiguration={
            "SmsAuthenticationMessage": "Your code {####}",
            "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "e"},
        },
        MfaConfiguration="ON",
    )
    answer.pop("ResponseMetadata")
    fetched = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    fetched.pop("ResponseMetadata")
    assert answer == fetched
    assert fetched["MfaConfiguration"] == "ON"
    assert fetched["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert fetched["SmsMfaConfiguration"]["SmsAuthenticationMessage"] == "Your code {####}"
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "ON"

    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL")
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OPTIONAL"


def test_mfa_on_needs_a_factor(cognito):
    pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"


def test_mfa_config_of_an_unknown_pool(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user_pool_mfa_config(UserPoolId="us-east-1_Nope12345")
    assert error_of(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")


# --- tags ------------------------------------------------------------------------------------------------
def test_tag_untag_and_list_tags(cognito):
    pool = cognito.create_user_pool(PoolName="p", UserPoolTags={"env": "dev"})["UserPool"]
    arn = pool["Arn"]
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev"}

    cognito.tag_resource(ResourceArn=arn, Tags={"team": "auth", "env": "prod"})
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod", "team": "auth"}

    cognito.untag_resource(ResourceArn=arn, TagKeys=["env", "not-there"])
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "auth"}
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"] == {"team": "auth"}


def test_tags_of_an_unknown_resource(cognito):
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]
    for arn in (
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Nope12345",
        pool["Arn"].replace("123456789012", "999999999999"),
    ):
        with pytest.raises(ClientError) as excinfo:
            cognito.list_tags_for_resource(ResourceArn=arn)
        assert error_of(excinfo)[0] == "ResourceNotFoundException"
        with pytest.raises(ClientError) as excinfo:
            cognito.tag_resource(ResourceArn=arn, Tags={"a": "b"})
        assert error_of(excinfo)[0] == "ResourceNotFoundException"
