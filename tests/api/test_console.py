"""The web console at /_emulator/: its pages over plain HTTP, and a real browser (headless Chromium, driven by
Playwright) clicking through it: pools, clients, users, the TOTP QR code, actions, the live outbox, the clock.

The browser tests need Debian's ``chromium`` and ``pip install playwright`` (see tests/console_browser.py);
without them they are skipped.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select

from emulator.config import Settings
from emulator.crypto import totp
from emulator.store.models import User
from emulator.testing import ServerThread
from tests import console_browser
from tests.conftest import make_boto_client
from tests.console_browser import screenshot
from tests.helpers import PASSWORD, console_csrf, last_code, make_client, make_pool, make_user

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# One headless Chromium for this module, a fresh page per test.
browser = console_browser.browser
page = console_browser.page


@pytest.fixture
def world(cognito, server) -> dict:
    """A pool with MFA, a client, a group and three users (one unconfirmed, one with TOTP)."""
    pool_id = make_pool(
        cognito,
        PoolName="shop",
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": {"MinimumLength": 10}},
    )
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    client = make_client(cognito, pool_id)
    cognito.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1, Description="Staff")
    cognito.sign_up(
        ClientId=client["ClientId"],
        Username="alice",
        Password="Passw0rd!-long",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    make_user(
        cognito, pool_id, "bob", "Passw0rd!-long", {"email": "bob@example.com", "email_verified": "true"}
    )
    make_user(cognito, pool_id, "carol", "Passw0rd!-long")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="bob", GroupName="admins")
    with server.emulator.database.session() as session, session.begin():
        bob = session.scalar(select(User).where(User.pool_id == pool_id, User.username == "bob"))
        bob.totp_secret = SECRET
        bob.mfa_totp_enabled = True
        bob.mfa_preferred = "SOFTWARE_TOKEN_MFA"
        subs = {row.username: row.sub for row in session.scalars(select(User).where(User.pool_id == pool_id))}
    return {"pool_id": pool_id, "client_id": client["ClientId"], "subs": subs}


def user_path(world: dict, name: str) -> str:
    return f"/_emulator/pools/{world['pool_id']}/users/{world['subs'][name]}"


# --- over plain HTTP ---------------------------------------------------------------------------------
def csrf_token(http) -> str:
    return console_csrf(http)["csrf_token"]


def test_pages_render(http, world):
    home = http.get("/_emulator/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "shop" in home.text and world["pool_id"] in home.text
    assert http.get("/_emulator").status_code == 307 or http.get("/_emulator").history
    pool = http.get(f"/_emulator/pools/{world['pool_id']}").text
    for text in ("app", world["client_id"], "admins", "alice", "bob", "carol", "UNCONFIRMED", "at least 10 characters",
                 "OPTIONAL (TOTP)", f"userPoolClientId: '{world['client_id']}'"):  # fmt: skip
        assert text in pool
    user = http.get(user_path(world, "bob")).text
    assert "<svg" in user and "otpauth://totp/shop:bob%40example.com?secret=" + SECRET in user
    assert "admins" in user
    outbox = http.get("/_emulator/outbox").text
    assert "alice@example.com" in outbox and "SIGN_UP" in outbox
    assert http.get("/_emulator/static/console.css").status_code == 200
    assert http.get("/_emulator/static/console.js").status_code == 200


def test_a_pools_domain_and_each_oauth_clients_login_url(http, world, cognito, server):
    pool = http.get(f"/_emulator/pools/{world['pool_id']}").text
    assert "none (CreateUserPoolDomain gives the pool its hosted UI)" in pool and "login page" not in pool
    cognito.create_user_pool_domain(UserPoolId=world["pool_id"], Domain="shop-login")
    # A callback URL with characters that mean something in HTML: the page must show them as text.
    callback = "https://app.example.com/cb?next='<b>x</b>'&\"q\""
    web = cognito.create_user_pool_client(
        UserPoolId=world["pool_id"],
        ClientName="hosted",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[callback],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    page_text = http.get(f"/_emulator/pools/{world['pool_id']}").text
    assert "<b>x</b>" not in page_text
    domain_cell = re.search(r'<td id="pool-domain">(.*?)</td></tr>', page_text, re.S).group(1)
    domain_url = f"{server.settings.base_url}/shop-login"
    assert "shop-login" in domain_cell and domain_url in domain_cell
    links = re.findall(r'<td class="login-url"><a href="([^"]+)"', page_text)
    assert len(links) == 1  # the client without OAuth flows has no login page
    expected = f"{domain_url}/login?" + urllib.parse.urlencode(
        {"client_id": web, "response_type": "code", "scope": "openid email", "redirect_uri": callback}
    )
    assert html.unescape(links[0]) == expected
    # The link is a live page of the domain, not only a string.
    opened = http.get(expected.removeprefix(server.settings.base_url))
    assert opened.status_code == 200 and 'name="username"' in opened.text


def test_with_the_https_listener_the_login_url_is_on_it(tmp_path):
    settings = Settings(port=0, database=f"sqlite:///{tmp_path / 'e.db'}")
    with ServerThread(settings, tls=True) as served:
        cognito = make_boto_client(served.endpoint)
        pool_id = make_pool(cognito, PoolName="secure")
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="secure-login")
        cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="web",
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid"],
            CallbackURLs=["http://localhost:3000/"],
            SupportedIdentityProviders=["COGNITO"],
        )
        page_text = httpx.get(f"{served.endpoint}/_emulator/pools/{pool_id}").text
        link = html.unescape(re.search(r'<td class="login-url"><a href="([^"]+)"', page_text).group(1))
        assert link.startswith(f"{served.tls_endpoint}/secure-login/login?client_id=")
        # The browser's way in: the page opens over HTTPS, verified with the emulator's CA.
        opened = httpx.get(link, verify=served.ssl_context())
        assert opened.status_code == 200 and 'id="signInFormUsername"' in opened.text


def test_unknown_pool_and_user_are_404(http, world):
    assert http.get("/_emulator/pools/us-east-1_Nope12345").status_code == 404
    response = http.get(f"/_emulator/pools/{world['pool_id']}/users/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and "no user" in response.text


def test_user_search(http, world):
    page = http.get(f"/_emulator/pools/{world['pool_id']}", params={"q": "ALI"}).text
    assert "alice" in page and ">bob<" not in page
    page = http.get(f"/_emulator/pools/{world['pool_id']}", params={"q": "bob@ex"}).text
    assert ">bob<" in page and ">alice<" not in page


def test_actions_run_the_api_operations(http, world, cognito):
    origin = {"origin": str(http.base_url).rstrip("/")}
    token = {"csrf_token": csrf_token(http)}
    response = http.post(user_path(world, "alice") + "/confirm", data=token, headers=origin)
    assert response.status_code == 303 and "notice=User+confirmed" in response.headers["location"]
    assert cognito.admin_get_user(UserPoolId=world["pool_id"], Username="alice")["UserStatus"] == "CONFIRMED"
    http.post(user_path(world, "alice") + "/disable", data=token, headers=origin)
    assert cognito.admin_get_user(UserPoolId=world["pool_id"], Username="alice")["Enabled"] is False
    http.post(user_path(world, "alice") + "/enable", data=token, headers=origin)
    assert cognito.admin_get_user(UserPoolId=world["pool_id"], Username="alice")["Enabled"] is True
    # The API's own errors come back as the page's error message.
    response = http.post(
        user_path(world, "carol") + "/set-password", data={"password": "short", **token}, headers=origin
    )
    assert "error=InvalidPasswordException" in response.headers["location"]
    http.post(
        user_path(world, "carol") + "/set-password",
        data={"password": "N3w-Passw0rd!", **token},
        headers=origin,
    )
    carol = cognito.admin_get_user(UserPoolId=world["pool_id"], Username="carol")
    assert carol["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # not "permanent"
    response = http.post(user_path(world, "carol") + "/delete", data=token, headers=origin)
    assert response.headers["location"].startswith(f"/_emulator/pools/{world['pool_id']}?notice=")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=world["pool_id"], Username="carol")


def test_cross_site_posts_are_refused(http, world, cognito):
    token = csrf_token(http)
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}, {"origin": "null"}):
        assert http.post(user_path(world, "bob") + "/delete", headers=headers).status_code == 403
        assert (
            http.post("/_emulator/console/clock", data={"advance": "60"}, headers=headers).status_code == 403
        )
        assert http.post("/_emulator/console/reset", headers=headers).status_code == 403
        # Even with the token (which no foreign page can read): the origin is refused first.
        form = {"csrf_token": token}
        assert http.post("/_emulator/console/reset", data=form, headers=headers).status_code == 403
    assert cognito.admin_get_user(UserPoolId=world["pool_id"], Username="bob")["Username"] == "bob"
    assert http.get("/_emulator/clock").json()["offset_seconds"] == 0


@pytest.mark.parametrize("form", [{}, {"csrf_token": ""}, {"csrf_token": "guessed"}])
def test_forms_without_the_csrf_token_are_refused(http, world, cognito, form):
    same_origin = {"origin": str(http.base_url).rstrip("/")}
    response = http.post(user_path(world, "bob") + "/delete", data=form, headers=same_origin)
    assert response.status_code == 403 and "CSRF token" in response.json()["error"]
    assert http.post("/_emulator/console/clock", data={"advance": "60", **form}).status_code == 403
    assert cognito.admin_get_user(UserPoolId=world["pool_id"], Username="bob")["Username"] == "bob"
    assert http.get("/_emulator/clock").json()["offset_seconds"] == 0


def test_the_csrf_token_survives_a_reset(http, world):
    token = csrf_token(http)
    http.post("/_emulator/reset", json={})
    assert csrf_token(http) == token


def test_clock_form(http, world):
    token = {"csrf_token": csrf_token(http)}
    response = http.post(
        "/_emulator/console/clock", data={"advance": "3600", "back": "/_emulator/outbox", **token}
    )
    assert response.status_code == 303 and response.headers["location"] == "/_emulator/outbox"
    assert http.get("/_emulator/clock").json()["offset_seconds"] == 3600
    response = http.post(
        "/_emulator/console/clock", data={"advance": "x", "back": "https://evil.example/", **token}
    )
    assert response.headers["location"].startswith("/_emulator/?error=")
    http.post("/_emulator/console/clock", data={"reset": "1", **token})
    assert http.get("/_emulator/clock").json()["offset_seconds"] == 0


# --- in a browser (tests/console_browser.py) ----------------------------------------------------


def test_browse_from_the_pools_to_a_user_with_a_qr_code(page, world, server):
    page.goto("/_emulator/")
    assert page.title() == "User pools · Cognito Emulator"
    screenshot(page, "pools")
    page.get_by_role("link", name="shop").click()
    page.wait_for_url(re.compile(f"/_emulator/pools/{world['pool_id']}$"))
    assert page.locator("#users tbody tr").count() == 3
    assert page.locator(f"#client-{world['client_id']}").is_visible()
    assert "OPTIONAL (TOTP)" in page.locator("#pool-settings").inner_text()
    screenshot(page, "pool")
    page.get_by_role("link", name="bob", exact=True).click()
    page.wait_for_url(re.compile(world["subs"]["bob"]))
    qr = page.locator(".qr svg")
    assert qr.count() == 1 and qr.bounding_box()["width"] > 100
    shown = page.locator("[data-code]").inner_text()
    with server.emulator.database.session(write=False) as session:
        now = server.emulator.now(session)
    assert shown in {
        totp.code_at(SECRET, now),
        totp.code_at(SECRET, datetime.fromtimestamp(now.timestamp() - 30)),
    }
    assert "admins" in page.locator(".card", has_text="Account").inner_text()
    screenshot(page, "user")


def test_buttons_confirm_disable_reset_and_delete(page, world, cognito):
    page.goto(user_path(world, "alice"))
    page.get_by_role("button", name="Confirm sign-up").click()
    page.wait_for_selector(".flash-ok")
    assert "User confirmed." in page.locator(".flash-ok").inner_text()
    assert page.locator(".page-head .badge").first.inner_text() == "CONFIRMED"
    page.get_by_role("button", name="Disable").click()
    page.wait_for_selector(".badge-error:has-text('DISABLED')")
    assert cognito.admin_get_user(UserPoolId=world["pool_id"], Username="alice")["Enabled"] is False
    page.get_by_role("button", name="Enable").click()
    page.wait_for_selector(".flash-ok:has-text('User enabled.')")
    page.get_by_role("button", name="Reset password").click()
    page.wait_for_selector(".badge:has-text('RESET_REQUIRED')")
    page.fill("#new-password", "An0ther-Passw0rd!")
    page.get_by_role("button", name="Set", exact=True).click()
    page.wait_for_selector(".flash-ok:has-text('Password set.')")
    assert page.locator(".page-head .badge").first.inner_text() == "CONFIRMED"
    cognito.initiate_auth(
        ClientId=world["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "An0ther-Passw0rd!"},
    )
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete user").click()
    page.wait_for_url(re.compile(f"/_emulator/pools/{world['pool_id']}\\?notice="))
    assert page.locator("#users tbody tr").count() == 2
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=world["pool_id"], Username="alice")


def test_reset_password_sends_a_code_shown_on_the_users_page(page, world):
    page.goto(user_path(world, "bob"))
    page.get_by_role("button", name="Reset password").click()
    page.wait_for_selector(".flash-ok")
    row = page.locator("table[data-outbox] tbody tr", has_text="FORGOT_PASSWORD")
    assert re.fullmatch(r"[0-9]{6}", row.locator(".code-pill").inner_text())
    assert "RESET_REQUIRED" in page.locator(".page-head").inner_text()


def test_a_dismissed_confirmation_deletes_nothing(page, world, cognito):
    page.goto(user_path(world, "carol"))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete user").click()
    page.wait_for_timeout(200)
    assert cognito.admin_get_user(UserPoolId=world["pool_id"], Username="carol")["Username"] == "carol"


def test_outbox_updates_live(page, world, cognito, http):
    page.goto("/_emulator/outbox")
    assert page.locator("table[data-outbox] tbody tr").count() == 1
    cognito.sign_up(
        ClientId=world["client_id"],
        Username="dave",
        Password=PASSWORD + "-long",
        UserAttributes=[{"Name": "email", "Value": "dave@example.com"}],
    )
    row = page.locator("table[data-outbox] tbody tr").first
    row.filter(has_text="dave@example.com").wait_for(timeout=10_000)
    code = last_code(http, username="dave")
    assert row.locator(".code-pill").inner_text() == code
    assert page.locator("table[data-outbox] tbody tr").count() == 2
    screenshot(page, "outbox")


def test_clock_buttons(page, world, http):
    page.goto(f"/_emulator/pools/{world['pool_id']}")
    page.get_by_role("button", name="+1 hour").click()
    page.wait_for_selector("#clock-offset:has-text('+1 h')")
    assert page.url.endswith(f"/_emulator/pools/{world['pool_id']}")
    assert http.get("/_emulator/clock").json()["offset_seconds"] == 3600
    page.get_by_role("button", name="+1 day").click()
    page.wait_for_selector("#clock-offset:has-text('+1 d 1 h')")
    # Another client moves the clock: the page follows within a few seconds.
    http.post("/_emulator/clock", json={"reset": True})
    page.wait_for_selector("#clock-offset:has-text('real time')", timeout=10_000)
