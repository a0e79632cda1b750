"""signInWithRedirect() with Amplify JS v6 on plain Node, through its ``authSessionOpener`` option
(redirect-node.mjs): the opener signs in on the emulator's login page with fetch and a cookie jar and returns the
redirect back to the app; Amplify exchanges the code itself at https://<oauth.domain>/oauth2/token, trusting the
emulator's local CA through NODE_EXTRA_CA_CERTS (no TLS check switched off). Then getCurrentUser,
fetchUserAttributes and a forced refresh; the domain session answers a second authorize at once; signOut() goes
through /logout back to the app, after which the login page is shown again, where the user with TOTP MFA signs in.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import oauth_world, real_clients
from tests.conftest import make_boto_client

HERE = Path(__file__).resolve().parent
APP = "http://localhost:3000/"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    folder = tmp_path_factory.mktemp("redirect-node")
    settings = Settings(port=0, database=f"sqlite:///{folder / 'emulator.db'}")
    with ServerThread(settings, tls=True) as server:
        oauth_world.load(server.emulator, folder, APP)
        yield server


def run_node(
    emulator: ServerThread, *, trust: bool = True, world: dict | None = None
) -> subprocess.CompletedProcess[str]:
    real_clients.node_project(HERE, "aws-amplify")
    world = world or {
        "userPoolId": oauth_world.POOL,
        "userPoolClientId": oauth_world.CLIENT,
        "userPoolEndpoint": emulator.endpoint,
        "domain": f"{emulator.tls_endpoint.removeprefix('https://')}/{oauth_world.DOMAIN}",
        "scopes": oauth_world.SCOPES,
        "redirect": APP,
        "first": {"username": oauth_world.ALICE["username"], "password": oauth_world.PASSWORD},
        "second": {
            "username": oauth_world.BOB["username"],
            "password": oauth_world.PASSWORD,
            "totpSecret": oauth_world.TOTP_SECRET,
        },
    }
    environ = {key: value for key, value in os.environ.items() if key != "NODE_EXTRA_CA_CERTS"}
    environ["REDIRECT_WORLD"] = json.dumps(world)
    if trust:
        environ["NODE_EXTRA_CA_CERTS"] = str(emulator.ca_path)
    return subprocess.run(
        ["node", "redirect-node.mjs"], cwd=HERE, capture_output=True, text=True, timeout=120, env=environ
    )


def test_sign_in_with_redirect_through_the_auth_session_opener(emulator: ServerThread) -> None:
    result = run_node(emulator)
    assert result.returncode == 0, result.stderr + result.stdout
    report = json.loads(result.stdout.strip().splitlines()[-1])
    first = report["first"]
    domain_url = f"{emulator.tls_endpoint}/{oauth_world.DOMAIN}"
    # What Amplify asked for: the code flow with PKCE S256 on the domain by path, Cognito's login page.
    assert first["authorizeOrigin"] == f"{domain_url}/oauth2/authorize"
    assert first["authorize"]["code_challenge_method"] == "S256"
    assert first["authorize"]["identity_provider"] == "COGNITO"
    assert first["authorize"]["response_type"] == "code"
    assert first["pages"][0]["login"] is True  # the login page was shown and filled in
    assert first["back"]["state"] == first["authorize"]["state"] and first["back"]["code"]
    # Amplify exchanged the code: the user, the attributes (GetUser needs the admin scope), the tokens.
    assert first["user"] == {"username": "alice", "userId": first["id"]["sub"]}
    assert first["attributes"]["email"] == oauth_world.ALICE["email"]
    assert set(first["access"]["scope"].split()) == set(oauth_world.SCOPES)
    assert first["access"]["origin_jti"] and first["id"]["aud"] == oauth_world.CLIENT
    assert first["refreshedAccess"]["jti"] != first["access"]["jti"]
    assert first["refreshedAccess"]["origin_jti"] == first["access"]["origin_jti"]
    # The domain session: a second authorize for the client comes back with a code at once.
    assert report["sessionCookie"] == {"status": 302, "backWithCode": True}
    # signOut navigated to /logout, which went back to the app and ended the session.
    assert any(url.startswith(f"{domain_url}/logout?client_id=") for url in report["signOutNavigations"])
    assert report["logout"]["url"].startswith(APP)
    assert report["afterLogout"]["backWithCode"] is False
    assert report["signedInAfterSignOut"] is False
    # Then the login page again, and the user with MFA: password, then the TOTP code page.
    second = report["second"]
    assert second["pages"][0]["login"] is True and len(second["pages"]) >= 2
    assert second["user"]["username"] == "bob"
    assert second["attributes"]["email"] == oauth_world.BOB["email"]


def test_without_the_ca_node_refuses_the_https_listener(emulator: ServerThread) -> None:
    """NODE_EXTRA_CA_CERTS is what makes Node trust the listener: without it the first fetch fails."""
    result = run_node(emulator, trust=False)
    assert result.returncode != 0
    assert "fetch failed" in result.stderr, result.stderr
    assert any(
        reason in result.stderr
        for reason in (
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            "SELF_SIGNED_CERT_IN_CHAIN",
            "UNABLE_TO_GET_ISSUER_CERT",
        )
    ), result.stderr


OUTPUTS = HERE.parents[0] / "api" / "data" / "my-app" / "amplify_outputs.json"


def test_an_amplify_gen2_app_configured_from_its_outputs(tmp_path: Path) -> None:
    """An amplify_outputs.json with an oauth section (defineAuth's externalProviders): the emulator makes the
    domain and the client's OAuth settings from it, and the app, configured from the file with the README's
    changes (endpoint, no identity pool, oauth.domain on the emulator), signs in with signInWithRedirect."""
    outputs = json.loads(OUTPUTS.read_text())
    outputs["auth"]["oauth"] = {
        "identity_providers": [],
        "domain": "my-app-login.auth.eu-west-1.amazoncognito.com",
        "scopes": ["phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"],
        "redirect_sign_in_uri": [APP],
        "redirect_sign_out_uri": [APP],
        "response_type": "code",
    }
    project = tmp_path / "my-app"
    project.mkdir()
    (project / "amplify_outputs.json").write_text(json.dumps(outputs))
    settings = Settings(
        port=0,
        database=f"sqlite:///{tmp_path / 'emulator.db'}",
        region="eu-west-1",
        amplify_outputs=str(project / "amplify_outputs.json"),
    )
    with ServerThread(settings, tls=True) as server:
        cognito = make_boto_client(server.endpoint, region="eu-west-1")
        pool_id = outputs["auth"]["user_pool_id"]
        attributes = {"email": "zoe@example.com", "email_verified": "true", "given_name": "Zoe"}
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username="zoe@example.com",
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username="zoe@example.com", Password="Correct-Horse-9", Permanent=True
        )
        world = {
            "outputs": str(project / "amplify_outputs.json"),
            "httpsHost": server.tls_endpoint.removeprefix("https://"),
            "userPoolEndpoint": server.endpoint,
            "redirect": APP,
            "first": {"username": "zoe@example.com", "password": "Correct-Horse-9"},
        }
        result = run_node(server, world=world)
    assert result.returncode == 0, result.stderr + result.stdout
    report = json.loads(result.stdout.strip().splitlines()[-1])
    first = report["first"]
    assert first["authorizeOrigin"] == f"{server.tls_endpoint}/my-app-login/oauth2/authorize"
    assert first["authorize"]["client_id"] == outputs["auth"]["user_pool_client_id"]
    assert first["attributes"]["email"] == "zoe@example.com" and first["attributes"]["given_name"] == "Zoe"
    assert first["id"]["aud"] == outputs["auth"]["user_pool_client_id"]
    assert report["logout"]["url"].startswith(APP) and report["signedInAfterSignOut"] is False
