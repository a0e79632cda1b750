"""The README's "Every sign-in step" table must tell the truth about fixtures/signin-steps.yaml: all fourteen
signInSteps and signInWithRedirect, each with a pool, client, user and password the demo world really declares."""

from __future__ import annotations

import re
from pathlib import Path

from emulator.worlds import fixtures

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- signin-steps:start -->", "<!-- signin-steps:end -->"
STEPS = {
    "CONFIRM_SIGN_IN_WITH_SMS_CODE",
    "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
    "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
    "CONFIRM_SIGN_IN_WITH_PASSWORD",
    "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
    "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
    "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
    "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
    "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
    "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
    "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
    "RESET_PASSWORD",
    "CONFIRM_SIGN_UP",
    "DONE",
}
# Not a signInStep: the row of the pool with a domain and an OAuth client.
REDIRECT = "signInWithRedirect"


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def table_rows() -> list[list[str]]:
    text = readme()
    block = text[text.index(START) : text.index(END)]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def first_code(cell: str) -> str:
    found = re.search(r"`([^`]+)`", cell)
    assert found, cell
    return found.group(1)


def test_the_start_command_loads_the_demo_world() -> None:
    first_block = readme().split("```sh\n", 1)[1].split("```", 1)[0]
    assert (
        first_block.strip()
        == "pip install -e '.[test]' && cognito-emulator serve --fixtures fixtures/signin-steps.yaml"
    )


def test_the_block_sits_after_the_configuration_section() -> None:
    text = readme()
    assert text.count(START) == 1 and text.count(END) == 1
    assert (
        text.index("## Configuration") < text.index(START) < text.index(END) < text.index("## Emulator API")
    )


def test_every_step_has_a_row_that_matches_the_fixture() -> None:
    world = fixtures.read(ROOT / "fixtures" / "signin-steps.yaml")
    pools = {pool.id: pool for pool in world.pools}
    rows = table_rows()
    assert sorted(first_code(row[0]) for row in rows) == sorted(STEPS | {REDIRECT})
    for row in rows:
        step, pool_id, client_id, username, password = (first_code(cell) for cell in row[:5])
        pool = pools[pool_id]
        assert client_id in {client.id for client in pool.clients}, step
        users = {user.username: user for user in pool.users}
        assert username in users, step
        assert users[username].password == password, step
        for secret in re.findall(r"secret `([A-Z2-7]{16,})`", row[6]):
            assert secret == users[username].totp_secret, step


def test_the_redirect_row_names_a_pool_with_a_domain_and_an_oauth_client() -> None:
    world = fixtures.read(ROOT / "fixtures" / "signin-steps.yaml")
    pools = {pool.id: pool for pool in world.pools}
    row = next(row for row in table_rows() if first_code(row[0]) == REDIRECT)
    pool = pools[first_code(row[1])]
    assert pool.domain == {"Domain": re.search(r"domain `([a-z0-9-]+)`", row[5]).group(1)}
    client = next(client for client in pool.clients if client.id == first_code(row[2]))
    settings = client.settings
    assert settings["AllowedOAuthFlowsUserPoolClient"] is True and settings["AllowedOAuthFlows"] == ["code"]
    assert "aws.cognito.signin.user.admin" in settings["AllowedOAuthScopes"]
    for url in re.findall(r"`(http://localhost:\d+/)`", row[6]):
        assert url in settings["CallbackURLs"], url
    # The sentence about the MFA user of the same pool.
    found = re.search(
        r"The user `([^`]+)` \(pool `([^`]+)`, `([^`]+)`\) has TOTP MFA: .* secret `([A-Z2-7]+)`",
        readme().replace("\n", " "),
    )
    assert found, "README.md names no TOTP user for signInWithRedirect"
    username, pool_id, password, secret = found.groups()
    assert pool_id == pool.id
    user = next(user for user in pool.users if user.username == username)
    assert (user.password, user.totp_secret, user.mfa_totp) == (password, secret, True)
