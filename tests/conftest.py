"""Shared fixtures: a real emulator over HTTP on a free port, and boto3 clients pointed at it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import httpx
import pytest
from botocore.config import Config

from emulator.config import Settings
from emulator.testing import ServerThread
from tests.reliability.databases import suite_database, suite_kinds

# The trigger_host fixture: example handlers run in-process or behind a Lambda Invoke API.
pytest_plugins = ["tests.trigger_hosts", "tests.model_drift", "tests.api.oauth_world"]

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(scope="session", params=suite_kinds())
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    # A SQLite file, or a fresh database on the server COGNITO_EMULATOR_TEST_DATABASE names (PostgreSQL);
    # with COGNITO_EMULATOR_TEST_POSTGRES, every test runs on SQLite and again on PostgreSQL.
    with suite_database(tmp_path_factory.mktemp("db"), request.param) as database:
        settings = Settings(port=0, database=database, lockout=True)
        with ServerThread(settings) as running:
            yield running


@pytest.fixture(params=suite_kinds())
def database_kind(request: pytest.FixtureRequest) -> str:
    """For tests that start their own servers: which suite database (see tests/reliability/databases.py)."""
    return request.param


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the shared server starts from an empty world."""
    yield
    if "server" in request.fixturenames:
        request.getfixturevalue("server").emulator.reset()


@pytest.fixture
def endpoint(server: ServerThread) -> str:
    return server.endpoint


def make_boto_client(endpoint: str, region: str = "us-east-1"):  # type: ignore[no-untyped-def]
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def cognito(endpoint: str):  # type: ignore[no-untyped-def]
    return make_boto_client(endpoint)


@pytest.fixture
def http(endpoint: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=endpoint, timeout=10) as client:
        yield client


def call(http: httpx.Client, operation: str, body: object, **headers: str) -> httpx.Response:
    """A raw AWS JSON 1.1 request, as an unsigned client (Amplify) sends it."""
    return http.post(
        "/",
        content=body if isinstance(body, (bytes, str)) else __import__("json").dumps(body),
        headers={
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": f"AWSCognitoIdentityProviderService.{operation}",
            **headers,
        },
    )
