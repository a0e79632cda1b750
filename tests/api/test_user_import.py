"""User import with boto3 over HTTP: the CSV header, the upload URL the emulator serves, the background
import with Cognito's statuses and counts, stopping, expiry; imported users are RESET_REQUIRED."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_code, make_client, make_pool, make_user

ROLE = "arn:aws:iam::123456789012:role/CognitoImport"


@pytest.fixture
def pool_id(cognito) -> str:
    return make_pool(
        cognito,
        PoolName="import",
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "tier", "AttributeDataType": "String"}],
    )


def new_job(cognito, pool_id: str) -> dict:
    return cognito.create_user_import_job(UserPoolId=pool_id, JobName="users", CloudWatchLogsRoleArn=ROLE)[
        "UserImportJob"
    ]


def csv_of(header: list[str], rows: list[dict[str, str]]) -> str:
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(row.get(name, "").replace(",", "\\,") for name in header))
    return "\n".join(lines) + "\n"


def wait_for(cognito, pool_id: str, job_id: str, *statuses: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        job = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
        if job["Status"] in statuses or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_a_csv_is_uploaded_imported_and_counted(cognito, pool_id):
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    assert header[:3] == ["name", "given_name", "family_name"]
    assert header[-2:] == ["cognito:mfa_enabled", "cognito:username"]
    assert "custom:tier" in header and "sub" not in header

    make_user(cognito, pool_id, "carol")
    job = new_job(cognito, pool_id)
    assert re.fullmatch(r"import-[0-9a-zA-Z]{10}", job["JobId"])
    assert job["Status"] == "Created" and job["PreSignedUrl"].startswith("http")
    with pytest.raises(ClientError) as caught:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(caught) == "PreconditionNotMetException"

    base = {"cognito:mfa_enabled": "false", "email_verified": "true"}
    body = csv_of(
        header,
        [
            {**base, "cognito:username": "alice", "email": "alice@example.com", "name": "Smith, Alice"},
            {**base, "cognito:username": "bob", "email": "bob@example.com", "email_verified": "false"},
            {**base, "cognito:username": "carol", "email": "carol@example.com"},
            {**base, "cognito:username": "dave", "email": "dave@example.com", "custom:tier": "gold"},
            {**base, "cognito:username": "not valid", "email": "erin@example.com"},
        ],
    )
    wrong = httpx.put(job["PreSignedUrl"].replace("X-Amz-Signature=", "X-Amz-Signature=x"), content=body)
    assert wrong.status_code == 403 and "<Code>AccessDenied</Code>" in wrong.text
    uploaded = httpx.put(
        job["PreSignedUrl"], content=body, headers={"x-amz-server-side-encryption": "aws:kms"}
    )
    assert uploaded.status_code == 200 and uploaded.headers["etag"]

    started = cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert started["Status"] == "Pending" and started["StartDate"]
    done = wait_for(cognito, pool_id, job["JobId"], "Succeeded", "Failed")
    assert done["Status"] == "Succeeded" and done["CompletionDate"]
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (2, 1, 2)

    alice = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert alice["UserStatus"] == "RESET_REQUIRED"
    assert {"Name": "name", "Value": "Smith, Alice"} in alice["UserAttributes"]
    dave = cognito.admin_get_user(UserPoolId=pool_id, Username="dave")
    assert {"Name": "custom:tier", "Value": "gold"} in dave["UserAttributes"]
    with pytest.raises(ClientError) as caught:
        cognito.admin_get_user(UserPoolId=pool_id, Username="bob")
    assert error_code(caught) == "UserNotFoundException"
    client_id = make_client(cognito, pool_id)["ClientId"]
    with pytest.raises(ClientError) as caught:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Anything1!"},
        )
    assert error_code(caught) in ("PasswordResetRequiredException", "NotAuthorizedException")

    # A started job takes no file; it cannot start twice.
    assert httpx.put(job["PreSignedUrl"], content=body).status_code == 403
    with pytest.raises(ClientError) as caught:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(caught) == "InvalidParameterException"
    listed = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=10)["UserImportJobs"]
    assert [item["JobId"] for item in listed] == [job["JobId"]]
    page = httpx.get(f"{job['PreSignedUrl'].split('/_user-import')[0]}/_emulator/pools/{pool_id}").text
    assert job["JobId"] in page and "<td>Succeeded</td><td>2</td><td>1</td><td>2</td>" in page


def test_a_file_with_the_wrong_header_fails_the_job(cognito, pool_id):
    job = new_job(cognito, pool_id)
    httpx.put(job["PreSignedUrl"], content="cognito:username,email\nalice,a@example.com\n").raise_for_status()
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_for(cognito, pool_id, job["JobId"], "Succeeded", "Failed")
    assert done["Status"] == "Failed" and done["CompletionMessage"]
    assert done["ImportedUsers"] == 0


def test_a_job_can_be_stopped_and_one_never_started_expires(cognito, pool_id, http):
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    rows = [
        {
            "cognito:username": f"user{n}",
            "email": f"user{n}@example.com",
            "email_verified": "true",
            "cognito:mfa_enabled": "false",
        }
        for n in range(1500)
    ]
    job = new_job(cognito, pool_id)
    httpx.put(job["PreSignedUrl"], content=csv_of(header, rows)).raise_for_status()
    with pytest.raises(ClientError) as caught:
        cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(caught) == "InvalidParameterException"
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    stopping = cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert stopping["Status"] == "Stopping"
    stopped = wait_for(cognito, pool_id, job["JobId"], "Stopped")
    assert stopped["Status"] == "Stopped" and stopped["ImportedUsers"] < 1500

    idle = new_job(cognito, pool_id)
    http.post("/_emulator/clock", json={"advance_seconds": 25 * 3600}).raise_for_status()
    assert (
        cognito.describe_user_import_job(UserPoolId=pool_id, JobId=idle["JobId"])["UserImportJob"]["Status"]
        == "Expired"
    )
    assert httpx.put(idle["PreSignedUrl"], content="x").status_code == 403
    with pytest.raises(ClientError) as caught:
        cognito.describe_user_import_job(UserPoolId=pool_id, JobId="import-0000000000")
    assert error_code(caught) == "ResourceNotFoundException"
