"""Passkeys declared in fixture files: the demo world's user ``passkey`` signs in with the demo key
(fixtures/demo-passkey.pem) through boto3, the README says so truthfully, a fixture's passkey problems are
reported, and an export writes the passkeys back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization

from emulator.config import Settings
from emulator.testing import ServerThread
from emulator.worlds import fixtures
from tests.conftest import make_boto_client
from tests.helpers import error_code
from tests.passkey_authenticator import SoftwarePasskey, from_b64url

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "signin-steps.yaml"
POOL, CLIENT = "us-east-1_Demo00001", "demo00001client00000000001"
CREDENTIAL_ID = "35uqe9E4ImeGkXqlL-mzgQ"
SUB = "5e1f0c9a-7b3d-4c2e-9f8a-6d4b2a1c0e9f"


def demo_passkey() -> SoftwarePasskey:
    key = serialization.load_pem_private_key((ROOT / "fixtures" / "demo-passkey.pem").read_bytes(), None)
    return SoftwarePasskey(credential_id=from_b64url(CREDENTIAL_ID), key=key, user_handle=SUB.encode())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    database = tmp_path_factory.mktemp("demo-passkeys") / "emulator.db"
    with ServerThread(Settings(port=0, database=f"sqlite:///{database}", fixtures=[str(DEMO)])) as running:
        yield running


def _sign_in(cognito, passkey: SoftwarePasskey) -> dict:
    challenge = cognito.initiate_auth(
        ClientId=CLIENT,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "passkey", "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert challenge["ChallengeName"] == "WEB_AUTHN"
    options = json.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert options["allowCredentials"] == [{"id": CREDENTIAL_ID, "type": "public-key"}]
    return cognito.respond_to_auth_challenge(
        ClientId=CLIENT,
        ChallengeName="WEB_AUTHN",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "passkey", "CREDENTIAL": passkey.get(options)},
    )


def test_the_demo_user_signs_in_with_the_demo_key(demo: ServerThread) -> None:
    cognito = make_boto_client(demo.endpoint)
    done = _sign_in(cognito, demo_passkey())
    access = done["AuthenticationResult"]["AccessToken"]
    [listed] = cognito.list_web_authn_credentials(AccessToken=access)["Credentials"]
    assert listed["CredentialId"] == CREDENTIAL_ID and listed["RelyingPartyId"] == "localhost"
    # Another key under the same credential id is refused.
    with pytest.raises(ClientError) as refused:
        _sign_in(cognito, SoftwarePasskey(credential_id=from_b64url(CREDENTIAL_ID), user_handle=SUB.encode()))
    assert error_code(refused) == "NotAuthorizedException"
    # A reset puts the passkey back as declared, its counter too.
    demo.emulator.reset()
    again = demo_passkey()
    assert "AuthenticationResult" in _sign_in(cognito, again)


def test_the_readme_names_the_demo_passkey_user() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith("| passkey (WebAuthn) |")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    pool_id, client_id, username, password = (re.search(r"`([^`]+)`", cell).group(1) for cell in cells[1:5])
    world = fixtures.read(DEMO)
    [pool] = [pool for pool in world.pools if pool.id == pool_id]
    assert client_id in {client.id for client in pool.clients}
    [user] = [user for user in pool.users if user.username == username]
    assert user.password == password and user.sub == SUB
    assert [spec.credential_id for spec in user.passkeys] == [CREDENTIAL_ID]
    assert "fixtures/demo-passkey.pem" in row and CREDENTIAL_ID in row


def test_passkey_problems_are_reported() -> None:
    text = """
pools:
  - id: us-east-1_Passkeys1
    name: p
    users:
      - username: a
        passkeys:
          - {credential_id: "not base64!", public_key: nope, sign_count: -1, attachment: usb, colour: red}
          - {public_key: pAECAyYgASFYIA}
"""
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.check(fixtures.parse(text, "x.yaml"), "x.yaml")
    found = excinfo.value.problems
    assert any(problem.startswith("pools[0].users[0].passkeys[0].colour: unknown key") for problem in found)
    assert "pools[0].users[0].passkeys[0].credential_id: must be base64url of the raw credential id" in found
    assert any(problem.startswith("pools[0].users[0].passkeys[0].public_key: ") for problem in found)
    assert "pools[0].users[0].passkeys[0].sign_count: must be a whole number, 0 or more" in found
    assert "pools[0].users[0].passkeys[0].attachment: must be one of platform, cross-platform" in found
    assert "pools[0].users[0].passkeys[1].credential_id: is required" in found


def test_an_export_keeps_the_passkeys(demo: ServerThread) -> None:
    with demo.emulator.database.session(write=False) as session:
        document = fixtures.export(session)
    [pool] = [pool for pool in document["pools"] if pool["id"] == POOL]
    [user] = [user for user in pool["users"] if user["username"] == "passkey"]
    [passkey] = user["passkeys"]
    assert passkey["credential_id"] == CREDENTIAL_ID and passkey["relying_party_id"] == "localhost"
    # What was exported loads back (the COSE key as base64url).
    fixtures.check(json.loads(json.dumps(document)), "exported.yaml")
