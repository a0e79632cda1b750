"""Done when: Amplify JS v6 configured from a realistic amplify_outputs.json with an identity pool (plus
``userPoolEndpoint`` and ``identityPoolEndpoint``) signs in and ``fetchAuthSession()`` returns tokens,
credentials and an identityId; after signing out it gives guest credentials when the pool allows guests and an
error when it does not; the same user has the same identityId after the server restarts. Before signing in
the app is a guest: the first sign-in makes that guest identity the user's; a later guest that signs in is
merged into the identity the user already has.

The server is started here with ``--amplify-outputs`` (ServerThread with the setting) on a SQLite file, and
started again on the same file. identity.mjs drives the real client (see its header).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import real_clients
from tests.conftest import make_boto_client, make_identity_client

HERE = Path(__file__).parent
OUTPUTS = HERE.parents[0] / "api" / "data" / "my-app" / "amplify_outputs.json"
POOL_ID = "eu-west-1_Kp9xQ2mTz"
IDENTITY_POOL_ID = "eu-west-1:3f6b7c1e-2d4a-4e8b-9c0d-1a2b3c4d5e6f"
USERNAME, PASSWORD = "ida@example.com", "Correct-Horse-9"


@pytest.fixture(scope="module", autouse=True)
def amplify_js() -> Path:
    return real_clients.node_project(HERE, "aws-amplify")


def outputs_file(tmp_path: Path, *, guests: bool) -> Path:
    document = json.loads(OUTPUTS.read_text(encoding="utf-8"))
    document["auth"]["unauthenticated_identities_enabled"] = guests
    project = tmp_path / ("guests" if guests else "members-only")
    project.mkdir()
    path = project / "amplify_outputs.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def serve(outputs: Path, database: Path) -> ServerThread:
    return ServerThread(
        Settings(port=0, database=f"sqlite:///{database}", amplify_outputs=str(outputs), region="eu-west-1")
    )


def add_user(server: ServerThread) -> None:
    cognito = make_boto_client(server.endpoint, region="eu-west-1")
    cognito.admin_create_user(
        UserPoolId=POOL_ID,
        Username=USERNAME,
        UserAttributes=[
            {"Name": "email", "Value": USERNAME},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "given_name", "Value": "Ida"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=POOL_ID, Username=USERNAME, Password=PASSWORD, Permanent=True)


def run(server: ServerThread, outputs: Path, guests: str = "file") -> dict[str, Any]:
    result = subprocess.run(
        ["node", str(HERE / "identity.mjs")],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "OUTPUTS": str(outputs),
            "ENDPOINT": server.endpoint,
            "USERNAME": USERNAME,
            "PASSWORD": PASSWORD,
            "GUESTS": guests,
        },
    )
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0 and lines, result.stdout + result.stderr
    return json.loads(lines[-1])


def assert_credentials(session: dict[str, Any]) -> None:
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", session["accessKeyId"])
    assert session["hasSecret"] and session["hasSessionToken"]
    expiration = datetime.fromisoformat(session["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=55) < expiration - datetime.now(UTC) <= timedelta(hours=1, minutes=1)


def test_fetch_auth_session_gets_credentials_and_guests_get_theirs(tmp_path: Path) -> None:
    assert shutil.which("node")
    outputs = outputs_file(tmp_path, guests=True)
    database = tmp_path / "emulator.db"
    with serve(outputs, database) as server:
        add_user(server)
        first = run(server, outputs)
    assert first["allowGuestAccess"] is True and first["signInStep"] == "DONE"
    before = first["before"]["ok"]
    assert_credentials(before)
    signed_in = first["signedIn"]["ok"]
    # The guest that signed in for the first time is the user's identity from now on.
    assert signed_in["identityId"] == before["identityId"]
    assert signed_in["hasIdToken"] and signed_in["userSub"]
    assert signed_in["identityId"].startswith("eu-west-1:")
    assert_credentials(signed_in)
    # Read again: the same identity (Amplify keeps its credentials until they are near expiry).
    assert first["again"]["ok"]["identityId"] == signed_in["identityId"]
    # Signed out: a guest identity of its own, with guest credentials.
    guest = first["guest"]["ok"]
    assert guest["identityId"].startswith("eu-west-1:") and guest["identityId"] != signed_in["identityId"]
    assert_credentials(guest)
    assert guest["hasIdToken"] is False
    assert "GetId 200" in first["operations"] and "GetCredentialsForIdentity 200" in first["operations"]

    # The server restarts on the same database: the same user gets the same identity.
    with serve(outputs, database) as server:
        second = run(server, outputs)
        identity = make_identity_client(server.endpoint, region="eu-west-1")
        described = identity.describe_identity(IdentityId=signed_in["identityId"])
        with pytest.raises(ClientError) as merged:
            identity.describe_identity(IdentityId=second["before"]["ok"]["identityId"])
    assert merged.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert second["signedIn"]["ok"]["identityId"] == signed_in["identityId"]
    # This run's guest (before signing in) was merged into the user's identity.
    assert second["before"]["ok"]["identityId"] != signed_in["identityId"]
    assert second["signedIn"]["ok"]["accessKeyId"] != signed_in["accessKeyId"]
    assert described["Logins"] == [f"cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}"]


def test_without_guest_access_a_signed_out_session_has_no_credentials(tmp_path: Path) -> None:
    outputs = outputs_file(tmp_path, guests=False)
    with serve(outputs, tmp_path / "emulator.db") as server:
        add_user(server)
        as_configured = run(server, outputs)
        forced = run(server, outputs, guests="forced")
    # Configured from the file (guests off), Amplify asks for no guest credentials at all.
    assert as_configured["allowGuestAccess"] is False
    assert as_configured["before"]["ok"]["accessKeyId"] is None
    assert_credentials(as_configured["signedIn"]["ok"])
    assert as_configured["guest"]["ok"]["accessKeyId"] is None
    # An app that asks anyway gets Cognito Identity's refusal.
    assert forced["allowGuestAccess"] is True
    assert forced["before"]["error"] == "NotAuthorizedException"
    assert_credentials(forced["signedIn"]["ok"])
    assert forced["guest"] == {
        "error": "NotAuthorizedException",
        "message": "Unauthenticated access is not supported for this identity pool.",
    }
