"""Settings Cognito stores and returns, with boto3 over HTTP: log delivery, terms, replicas, provisioned
limits, CIMD policies and point-in-time recovery's state machine."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_code, make_client, make_pool

LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/cognito/pool"
BUCKET = "arn:aws:s3:::my-log-bucket"


@pytest.fixture
def pool_id(cognito) -> str:
    return make_pool(cognito, PoolName="records", UserPoolTier="PLUS")


@pytest.fixture
def client_id(cognito, pool_id) -> str:
    return make_client(cognito, pool_id)["ClientId"]


def test_log_delivery_configuration(cognito, pool_id):
    got = cognito.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"]
    assert got == {"UserPoolId": pool_id, "LogConfigurations": []}
    configurations = [
        {
            "LogLevel": "ERROR",
            "EventSource": "userNotification",
            "CloudWatchLogsConfiguration": {"LogGroupArn": LOG_GROUP},
        },
        {"LogLevel": "INFO", "EventSource": "userAuthEvents", "S3Configuration": {"BucketArn": BUCKET}},
    ]
    cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=configurations)
    got = cognito.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"]
    assert got["LogConfigurations"] == configurations
    with pytest.raises(ClientError) as caught:
        cognito.set_log_delivery_configuration(
            UserPoolId=pool_id, LogConfigurations=[{"LogLevel": "ERROR", "EventSource": "userNotification"}]
        )
    assert error_code(caught) == "InvalidParameterException"
    essentials = make_pool(cognito)
    with pytest.raises(ClientError) as caught:
        cognito.set_log_delivery_configuration(UserPoolId=essentials, LogConfigurations=configurations[1:])
    assert error_code(caught) == "FeatureUnavailableInTierException"


def test_terms_of_a_client(cognito, pool_id, client_id):
    links = {"cognito:default": "https://example.com/terms", "cognito:french": "https://example.com/fr/terms"}
    created = cognito.create_terms(
        UserPoolId=pool_id,
        ClientId=client_id,
        TermsName="terms-of-use",
        TermsSource="LINK",
        Enforcement="NONE",
        Links=links,
    )["Terms"]
    assert re.fullmatch(r"[0-9a-f-]{36}", created["TermsId"]) and created["Links"] == links
    with pytest.raises(ClientError) as caught:
        cognito.create_terms(
            UserPoolId=pool_id,
            ClientId=client_id,
            TermsName="terms-of-use",
            TermsSource="LINK",
            Enforcement="NONE",
            Links=links,
        )
    assert error_code(caught) == "TermsExistsException"
    by_client = cognito.describe_terms_by_client(
        UserPoolId=pool_id, ClientId=client_id, TermsName="terms-of-use"
    )
    assert by_client["Terms"]["TermsId"] == created["TermsId"]
    updated = cognito.update_terms(
        UserPoolId=pool_id,
        TermsId=created["TermsId"],
        TermsName="privacy-policy",
        Links={"cognito:english": "https://x.test/p"},
    )["Terms"]
    assert updated["TermsName"] == "privacy-policy" and updated["Links"] == {
        "cognito:english": "https://x.test/p"
    }
    listed = cognito.list_terms(UserPoolId=pool_id)["Terms"]
    assert [item["TermsName"] for item in listed] == ["privacy-policy"]
    cognito.delete_terms(UserPoolId=pool_id, TermsId=created["TermsId"])
    with pytest.raises(ClientError) as caught:
        cognito.describe_terms(UserPoolId=pool_id, TermsId=created["TermsId"])
    assert error_code(caught) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        cognito.create_terms(
            UserPoolId=pool_id,
            ClientId=client_id,
            TermsName="terms-of-use",
            TermsSource="LINK",
            Enforcement="NONE",
        )
    assert error_code(caught) == "InvalidParameterException"


def test_replicas(cognito, pool_id):
    created = cognito.create_user_pool_replica(UserPoolId=pool_id, RegionName="eu-west-1")["UserPoolReplica"]
    assert created == {
        "RegionName": "eu-west-1",
        "Status": "CREATING",
        "Role": "SECONDARY",
        "UserPoolArn": f"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{pool_id}",
    }
    listed = cognito.list_user_pool_replicas(UserPoolId=pool_id)["UserPoolReplicas"]
    assert [(item["RegionName"], item["Role"], item["Status"]) for item in listed] == [
        ("us-east-1", "PRIMARY", "ACTIVE"),
        ("eu-west-1", "SECONDARY", "ACTIVE"),
    ]
    for region in ("eu-west-1", "us-east-1"):
        with pytest.raises(ClientError) as caught:
            cognito.create_user_pool_replica(UserPoolId=pool_id, RegionName=region)
        assert error_code(caught) == "InvalidParameterException"
    updated = cognito.update_user_pool_replica(UserPoolId=pool_id, RegionName="eu-west-1", Status="INACTIVE")
    assert updated["UserPoolReplica"]["Status"] == "INACTIVE"
    deleted = cognito.delete_user_pool_replica(UserPoolId=pool_id, RegionName="eu-west-1")
    assert deleted["UserPoolReplica"]["Status"] == "DELETING"
    with pytest.raises(ClientError) as caught:
        cognito.delete_user_pool_replica(UserPoolId=pool_id, RegionName="eu-west-1")
    assert error_code(caught) == "ResourceNotFoundException"


def test_provisioned_limits(cognito):
    definition = {"LimitClass": "API_CATEGORY", "Attributes": {"Category": "UserCreation"}}
    limit = cognito.get_provisioned_limit(LimitDefinition=definition)["Limit"]
    assert limit == {"LimitDefinition": definition, "ProvisionedLimitValue": 50, "FreeLimitValue": 50}
    raised = cognito.update_provisioned_limit(LimitDefinition=definition, RequestedLimitValue=80)["Limit"]
    assert raised["ProvisionedLimitValue"] == 80
    assert cognito.get_provisioned_limit(LimitDefinition=definition)["Limit"]["ProvisionedLimitValue"] == 80
    for value, code in ((10, "InvalidParameterException"), (10_000, "ServiceQuotaExceededException")):
        with pytest.raises(ClientError) as caught:
            cognito.update_provisioned_limit(LimitDefinition=definition, RequestedLimitValue=value)
        assert error_code(caught) == code
    with pytest.raises(ClientError) as caught:
        cognito.get_provisioned_limit(
            LimitDefinition={"LimitClass": "API_CATEGORY", "Attributes": {"Category": "X"}}
        )
    assert error_code(caught) == "InvalidParameterException"


def test_cimd_policies(cognito, pool_id, client_id):
    created = cognito.create_cimd_policy(
        UserPoolId=pool_id,
        ClientId=client_id,
        PolicyName="agents",
        CacheDuration=86400,
        URLPatterns=["https://agents.example.com/*"],
    )["CIMDPolicy"]
    policy_id = created["CIMDPolicyId"]
    assert re.fullmatch(r"[a-z0-9]+", policy_id) and created["URLPatterns"] == [
        "https://agents.example.com/*"
    ]
    described = cognito.describe_cimd_policy(UserPoolId=pool_id, CIMDPolicyId=policy_id)["CIMDPolicy"]
    assert described["PolicyName"] == "agents" and described["ClientId"] == client_id
    updated = cognito.update_cimd_policy(
        UserPoolId=pool_id,
        CIMDPolicyId=policy_id,
        ClientId=client_id,
        URLPatterns=["https://other.example.com/*"],
    )["CIMDPolicy"]
    assert updated["URLPatterns"] == ["https://other.example.com/*"] and updated["PolicyName"] == "agents"
    assert [
        item["CIMDPolicyId"] for item in cognito.list_cimd_policies(UserPoolId=pool_id)["CIMDPolicies"]
    ] == [policy_id]
    assert (
        cognito.list_client_metadata_urls(UserPoolId=pool_id, CIMDPolicyId=policy_id)["ClientMetadataURLs"]
        == []
    )
    with pytest.raises(ClientError) as caught:
        cognito.update_client_metadata_url_state(
            UserPoolId=pool_id,
            CIMDPolicyId=policy_id,
            URL="https://other.example.com/a.json",
            Action="REFRESH",
        )
    assert error_code(caught) == "CachedCIMDURLDoesNotExistException"
    cognito.delete_cimd_policy(UserPoolId=pool_id, CIMDPolicyId=policy_id)
    with pytest.raises(ClientError) as caught:
        cognito.describe_cimd_policy(UserPoolId=pool_id, CIMDPolicyId=policy_id)
    assert error_code(caught) == "ResourceNotFoundException"


def test_point_in_time_recovery_state_machine(cognito, pool_id, http):
    http.post("/_emulator/clock", json={"advance_seconds": 3600}).raise_for_status()
    when = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    started = cognito.initiate_point_in_time_recovery(UserPoolId=pool_id, RestoreTimestamp=when)[
        "Restoration"
    ]
    assert started["RestoreStatus"] == "PREVIEW_GENERATING"
    restore_id = started["RestoreId"]
    with pytest.raises(ClientError) as caught:
        cognito.initiate_point_in_time_recovery(UserPoolId=pool_id, RestoreTimestamp=when)
    assert error_code(caught) == "LimitExceededException"
    described = cognito.describe_point_in_time_recovery(UserPoolId=pool_id, RestoreId=restore_id)[
        "Restoration"
    ]
    assert described["RestoreStatus"] == "PREVIEW_GENERATED"
    running = cognito.start_point_in_time_recovery(UserPoolId=pool_id, RestoreId=restore_id)["Restoration"]
    assert running["RestoreStatus"] == "RESTORING"
    with pytest.raises(ClientError) as caught:
        cognito.cancel_point_in_time_recovery(UserPoolId=pool_id, RestoreId=restore_id)
    assert error_code(caught) == "InvalidParameterException"
    listed = cognito.list_point_in_time_recoveries(UserPoolId=pool_id)["Restorations"]
    assert [(item["RestoreId"], item["RestoreStatus"]) for item in listed] == [
        (restore_id, "RESTORE_COMPLETED")
    ]

    second = cognito.initiate_point_in_time_recovery(UserPoolId=pool_id, RestoreTimestamp=when)["Restoration"]
    cancelled = cognito.cancel_point_in_time_recovery(UserPoolId=pool_id, RestoreId=second["RestoreId"])
    assert cancelled["Restoration"]["RestoreStatus"] == "PREVIEW_CANCELLED"
    with pytest.raises(ClientError) as caught:
        cognito.start_point_in_time_recovery(UserPoolId=pool_id, RestoreId=second["RestoreId"])
    assert error_code(caught) == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        cognito.initiate_point_in_time_recovery(
            UserPoolId=pool_id, RestoreTimestamp=dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        )
    assert error_code(caught) == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        cognito.describe_point_in_time_recovery(
            UserPoolId=pool_id, RestoreId="00000000-0000-4000-8000-000000000000"
        )
    assert error_code(caught) == "ResourceNotFoundException"
