"""User pool domains over real HTTP with boto3: prefix and custom domains, one per pool, unique, and what
DescribeUserPool and DeleteUserPool make of them."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.testing import ServerThread
from tests.conftest import call, make_boto_client
from tests.helpers import error_of, make_pool

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
CLOUDFRONT = re.compile(r"^d[a-z2-7]{13}\.cloudfront\.net$")


@pytest.fixture
def pool_id(cognito) -> str:
    return make_pool(cognito, PoolName="domains")


def test_a_prefix_domain_is_described_as_cognito_describes_it(cognito, pool_id):
    created = cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login")
    assert "CloudFrontDomain" not in created
    assert created["ManagedLoginVersion"] == 1

    description = cognito.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]
    assert description["UserPoolId"] == pool_id
    assert description["AWSAccountId"] == "123456789012"
    assert description["Domain"] == "my-app-login"
    assert description["Status"] == "ACTIVE"
    assert description["S3Bucket"] == "aws-cognito-prod-iad-assets"
    assert description["CloudFrontDistribution"] == "d3oia8etllorh5.cloudfront.net"
    assert re.fullmatch(r"\d{14}", description["Version"])
    assert description["CustomDomainConfig"] == {}
    assert description["ManagedLoginVersion"] == 1

    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Domain"] == "my-app-login"
    assert "CustomDomain" not in pool


def test_a_custom_domain_needs_a_certificate_and_gets_a_distribution(cognito, pool_id, http):
    response = call(http, "CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": "auth.example.com"})
    assert response.status_code == 400
    assert response.json()["__type"] == "InvalidParameterException"
    assert "invalid character" in response.json()["message"]
    # The model requires the certificate of a custom domain.
    response = call(
        http,
        "CreateUserPoolDomain",
        {"UserPoolId": pool_id, "Domain": "auth.example.com", "CustomDomainConfig": {}},
    )
    assert response.json() == {
        "__type": "InvalidParameterException",
        "message": "1 validation error detected: Value null at 'customDomainConfig.certificateArn' failed "
        "to satisfy constraint: Member must not be null",
    }

    created = cognito.create_user_pool_domain(
        UserPoolId=pool_id,
        Domain="auth.example.com",
        CustomDomainConfig={"CertificateArn": CERTIFICATE},
        ManagedLoginVersion=2,
    )
    assert CLOUDFRONT.match(created["CloudFrontDomain"])
    assert created["ManagedLoginVersion"] == 2
    description = cognito.describe_user_pool_domain(Domain="auth.example.com")["DomainDescription"]
    assert description["CustomDomainConfig"] == {"CertificateArn": CERTIFICATE}
    assert description["CloudFrontDistribution"] == created["CloudFrontDomain"]
    assert description["ManagedLoginVersion"] == 2
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["CustomDomain"] == "auth.example.com"
    assert "Domain" not in pool


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("My-App", "The domain name contains an invalid character."),
        ("-leading", "The domain name contains an invalid character."),
        ("trailing-", "The domain name contains an invalid character."),
        ("under_score", "The domain name contains an invalid character."),
        ("my-aws-app", "Domain cannot contain reserved word: aws"),
        ("amazonian", "Domain cannot contain reserved word: amazon"),
        ("login-cognito", "Domain cannot contain reserved word: cognito"),
    ],
)
def test_prefixes_cognito_refuses(cognito, pool_id, domain, message):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    code, text = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert text.startswith(message)
    assert cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"] == {}


def test_a_domain_is_unique_and_a_pool_has_one(cognito, pool_id):
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="taken")
    other = make_pool(cognito, PoolName="other")
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_domain(UserPoolId=other, Domain="taken")
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Domain already associated with another user pool.",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="second")
    assert error_of(excinfo) == ("InvalidParameterException", "User pool already has a domain configured.")
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_domain(UserPoolId="us-east-1_Nope12345", Domain="free")
    assert error_of(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")


def test_an_unknown_domain_has_an_empty_description(cognito, endpoint):
    assert cognito.describe_user_pool_domain(Domain="nobody-has-this")["DomainDescription"] == {}
    pool_id = make_pool(cognito)
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="east-only")
    west = make_boto_client(endpoint, region="us-west-2")
    assert west.describe_user_pool_domain(Domain="east-only")["DomainDescription"] == {}


def test_update_changes_the_managed_login_version_and_the_certificate(cognito, pool_id):
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="prefix-one")
    updated = cognito.update_user_pool_domain(UserPoolId=pool_id, Domain="prefix-one", ManagedLoginVersion=2)
    assert updated["ManagedLoginVersion"] == 2
    assert (
        cognito.describe_user_pool_domain(Domain="prefix-one")["DomainDescription"]["ManagedLoginVersion"]
        == 2
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_domain(
            UserPoolId=pool_id, Domain="prefix-one", CustomDomainConfig={"CertificateArn": CERTIFICATE}
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_domain(UserPoolId=pool_id, Domain="prefix-one", ManagedLoginVersion=3)
    assert error_of(excinfo)[0] == "InvalidParameterException"

    other = make_pool(cognito, PoolName="custom")
    cognito.create_user_pool_domain(
        UserPoolId=other, Domain="login.example.org", CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    renewed = CERTIFICATE.replace("5555", "6666")
    cognito.update_user_pool_domain(
        UserPoolId=other, Domain="login.example.org", CustomDomainConfig={"CertificateArn": renewed}
    )
    description = cognito.describe_user_pool_domain(Domain="login.example.org")["DomainDescription"]
    assert description["CustomDomainConfig"] == {"CertificateArn": renewed}
    # Another pool's domain cannot be updated through this pool.
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_domain(UserPoolId=pool_id, Domain="login.example.org", ManagedLoginVersion=1)
    assert error_of(excinfo) == ("InvalidParameterException", "No such domain or user pool exists.")


def test_a_pool_with_a_domain_cannot_be_deleted_until_the_domain_is(cognito, pool_id):
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="blocks-delete")
    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool(UserPoolId=pool_id)
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "User pool cannot be deleted. It has a domain configured that should be deleted first.",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain="not-this-one")
    assert error_of(excinfo) == ("InvalidParameterException", "No such domain or user pool exists.")

    assert set(cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain="blocks-delete")) == {
        "ResponseMetadata"
    }
    assert cognito.describe_user_pool_domain(Domain="blocks-delete")["DomainDescription"] == {}
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    cognito.delete_user_pool(UserPoolId=pool_id)
    # The name is free again.
    cognito.create_user_pool_domain(UserPoolId=make_pool(cognito), Domain="blocks-delete")


def test_domains_survive_a_restart(tmp_path):
    settings = Settings(port=0, database=f"sqlite:///{tmp_path / 'db.sqlite'}")
    with ServerThread(settings) as running:
        client = make_boto_client(running.endpoint)
        pool_id = make_pool(client)
        client.create_user_pool_domain(UserPoolId=pool_id, Domain="kept-domain")
    with ServerThread(settings) as running:
        client = make_boto_client(running.endpoint)
        assert (
            client.describe_user_pool_domain(Domain="kept-domain")["DomainDescription"]["UserPoolId"]
            == pool_id
        )
