"""The console's create forms (a pool, an app client, a user, a group) over plain HTTP and in headless Chromium,
the effective auth flows of a client created without ExplicitAuthFlows, and pages that fit a 1,280 px window
(no sideways scrolling) even with long emails and long messages.
"""

from __future__ import annotations

import re

import pytest

from tests import console_browser
from tests.console_browser import screenshot
from tests.helpers import console_csrf, make_client, make_pool

# One headless Chromium for this module, a fresh 1,280 px page per test.
browser = console_browser.browser
page = console_browser.page

PASSWORD = "Passw0rd!-long"
LONG_EMAIL = "a.very.long.mailbox.name.for.testing.overflow@subdomain.of.an.example-company.example.com"
LONG_LINK = "https://app.example.com/verify-your-account?code={####}&token=" + "x" * 160


@pytest.fixture
def origin(http) -> dict[str, str]:
    """What a browser sends with a console form post: its Origin header..."""
    return {"origin": str(http.base_url).rstrip("/")}


@pytest.fixture
def csrf(http) -> dict[str, str]:
    """... and, in the form, the console's CSRF token."""
    return console_csrf(http)


def _query(location: str, name: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(location).query).get(name, [""])[0]


# --- over plain HTTP ---------------------------------------------------------------------------------
def test_a_client_without_explicit_flows_shows_cognitos_defaults(http, cognito):
    pool_id = make_pool(cognito, PoolName="defaults")
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="bare")["UserPoolClient"]
    assert "ExplicitAuthFlows" not in client
    explicit = make_client(cognito, pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    page_text = http.get(f"/_emulator/pools/{pool_id}").text
    bare = page_text.split(f'id="client-{client["ClientId"]}"', 1)[1].split('class="client"', 1)[0]
    flows = re.search(r'class="auth-flows">(.*?)</td>', bare, re.S).group(1)
    for flow in ("REFRESH_TOKEN_AUTH", "USER_SRP_AUTH", "CUSTOM_AUTH"):
        assert f">{flow}<" in flows
    assert "(Cognito's defaults)" in flows and ">none<" not in flows
    chosen = page_text.split(f'id="client-{explicit["ClientId"]}"', 1)[1]
    flows = re.search(r'class="auth-flows">(.*?)</td>', chosen, re.S).group(1)
    assert ">USER_PASSWORD_AUTH<" in flows and "defaults" not in flows and "SRP" not in flows


def test_create_forms_run_the_api_operations(http, cognito, origin, csrf):
    response = http.post(
        "/_emulator/console/pools", data={**csrf, "name": "shop", "sign_in": "email"}, headers=origin
    )
    assert response.status_code == 303
    pool_id = response.headers["location"].split("/_emulator/pools/", 1)[1].split("?", 1)[0]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "shop" and pool["UsernameAttributes"] == ["email"]
    assert "User pool shop created" in _query(response.headers["location"], "notice")

    base = f"/_emulator/pools/{pool_id}"
    response = http.post(
        base + "/clients",
        data={
            **csrf,
            "name": "server",
            "secret": "on",
            "flows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
        headers=origin,
    )
    assert "App client server created" in _query(response.headers["location"], "notice")
    (listed,) = cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=listed["ClientId"])[
        "UserPoolClient"
    ]
    assert client["ClientSecret"] and client["ExplicitAuthFlows"] == [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]

    response = http.post(
        base + "/groups",
        data={**csrf, "name": "admins", "precedence": "3", "description": "Staff"},
        headers=origin,
    )
    assert _query(response.headers["location"], "notice") == "Group admins created."
    group = cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]
    assert group["Precedence"] == 3 and group["Description"] == "Staff"

    # A user with a permanent password signs in at once; an invited one gets the invitation message.
    response = http.post(
        base + "/users",
        data={
            **csrf,
            "username": "ann@example.com",
            "email": "ann@example.com",
            "verified": "on",
            "mode": "password",
            "password": PASSWORD,
        },  # fmt: skip
        headers=origin,
    )
    assert response.headers["location"].startswith(base + "/users/")
    assert "permanent password" in _query(response.headers["location"], "notice")
    ann = cognito.admin_get_user(UserPoolId=pool_id, Username="ann@example.com")
    assert ann["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in ann["UserAttributes"]
    assert not http.get("/_emulator/messages", params={"pool_id": pool_id}).json()["messages"]

    response = http.post(
        base + "/users",
        data={
            **csrf,
            "username": "bob@example.com",
            "email": "bob@example.com",
            "mode": "invite",
            "password": "",
        },
        headers=origin,
    )
    assert "invitation" in _query(response.headers["location"], "notice")
    bob = cognito.admin_get_user(UserPoolId=pool_id, Username="bob@example.com")
    assert bob["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {"Name": "email_verified", "Value": "true"} not in bob["UserAttributes"]
    (invitation,) = http.get("/_emulator/messages", params={"pool_id": pool_id}).json()["messages"]
    assert invitation["purpose"] == "INVITATION" and invitation["destination"] == "bob@example.com"


@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        ("groups", {"name": "admins"}, "GroupExistsException: A group with the name admins already exists."),
        ("groups", {"name": "ops", "precedence": "high"}, "Precedence must be a whole number"),
        ("groups", {"name": ""}, "InvalidParameterException"),
        ("clients", {"name": ""}, "InvalidParameterException"),
        ("users", {"username": "eve", "mode": "password", "password": "short"}, "InvalidPasswordException"),
        ("users", {"username": "eve", "mode": "password", "password": ""}, "a password is needed"),
        ("users", {"username": "eve", "email": "not-an-email"}, "InvalidParameterException"),
    ],
)
def test_create_errors_are_cognitos_and_shown_in_the_page(http, cognito, origin, csrf, path, data, expected):
    pool_id = make_pool(cognito, PoolName="errors")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    response = http.post(f"/_emulator/pools/{pool_id}/{path}", data={**data, **csrf}, headers=origin)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/_emulator/pools/{pool_id}?error=")
    assert expected in _query(location, "error")
    assert expected.replace("'", "&#39;") in http.get(location).text
    assert [user["Username"] for user in cognito.list_users(UserPoolId=pool_id)["Users"]] == []


def test_a_pool_signing_in_with_phone_numbers(http, cognito, origin, csrf):
    response = http.post(
        "/_emulator/console/pools", data={**csrf, "name": "phones", "sign_in": "phone_number"}, headers=origin
    )
    pool_id = response.headers["location"].split("/_emulator/pools/", 1)[1].split("?", 1)[0]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["phone_number"] and pool["AutoVerifiedAttributes"] == [
        "phone_number"
    ]
    assert pool["SmsConfiguration"]["SnsCallerArn"].startswith("arn:aws:iam::")
    response = http.post(
        f"/_emulator/pools/{pool_id}/users",
        data={**csrf, "username": "+15555550123", "phone_number": "+15555550123", "mode": "invite"},
        headers=origin,
    )
    assert "invitation" in _query(response.headers["location"], "notice")
    (sms,) = http.get("/_emulator/messages", params={"pool_id": pool_id}).json()["messages"]
    assert sms["channel"] == "SMS" and sms["purpose"] == "INVITATION"


def test_create_pool_errors_and_unknown_pools(http, origin, csrf):
    response = http.post("/_emulator/console/pools", data={**csrf, "name": ""}, headers=origin)
    assert response.headers["location"].startswith("/_emulator/?error=InvalidParameterException")
    response = http.post(
        "/_emulator/console/pools", data={**csrf, "name": "x", "sign_in": "carrier-pigeon"}, headers=origin
    )
    assert "carrier-pigeon" in _query(response.headers["location"], "error")
    response = http.post(
        "/_emulator/pools/us-east-1_Nope12345/groups", data={**csrf, "name": "a"}, headers=origin
    )
    assert response.status_code == 404
    response = http.post(
        "/_emulator/pools/us-east-1_Nope12345/widgets", data={**csrf, "name": "a"}, headers=origin
    )
    assert response.status_code == 404


def test_cross_site_create_posts_are_refused(http, cognito):
    pool_id = make_pool(cognito, PoolName="guarded")
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}):
        assert (
            http.post("/_emulator/console/pools", data={"name": "evil"}, headers=headers).status_code == 403
        )
        for path, data in (
            ("groups", {"name": "evil"}),
            ("users", {"username": "evil"}),
            ("clients", {"name": "e"}),
        ):
            response = http.post(f"/_emulator/pools/{pool_id}/{path}", data=data, headers=headers)
            assert response.status_code == 403
    assert len(cognito.list_user_pools(MaxResults=10)["UserPools"]) == 1
    assert cognito.list_groups(UserPoolId=pool_id)["Groups"] == []


# --- in a browser ------------------------------------------------------------------------------------
def _assert_no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["client"] > console_browser.VIEWPORT["width"] - 30  # the window, less a vertical scrollbar
    assert widths["scroll"] <= widths["client"], f"the page scrolls sideways: {widths}"


def test_pages_fit_a_1280px_window_with_long_messages(page, cognito, http):
    pool_id = make_pool(
        cognito,
        PoolName="a-pool-with-a-rather-long-name-for-the-crumbs-and-the-heading-of-every-page",
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailMessage": f"Welcome! Open {LONG_LINK} or type the code {{####}} in the app.",
            "EmailSubject": "Please verify the address you gave us when you signed up for the service",
        },
    )
    client = make_client(cognito, pool_id)
    cognito.sign_up(
        ClientId=client["ClientId"],
        Username=LONG_EMAIL.split("@", 1)[0] + "-" + "u" * 60,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": LONG_EMAIL}],
    )
    username = cognito.list_users(UserPoolId=pool_id)["Users"][0]["Username"]
    for _ in range(4):  # the resend limit is 5 codes an hour
        cognito.resend_confirmation_code(ClientId=client["ClientId"], Username=username)
    messages = http.get("/_emulator/messages", params={"pool_id": pool_id}).json()["messages"]
    assert len(messages) == 5
    sub = cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    sub = next(item["Value"] for item in sub if item["Name"] == "sub")

    for path in ("/_emulator/", f"/_emulator/pools/{pool_id}", f"/_emulator/pools/{pool_id}/users/{sub}",
                 "/_emulator/outbox"):  # fmt: skip
        page.goto(path)
        page.locator("table[data-outbox] tbody tr, #users tbody tr").first.wait_for()
        _assert_no_sideways_scroll(page)
    screenshot(page, "outbox-long")
    page.goto(f"/_emulator/pools/{pool_id}/users/{sub}")
    # The live refresh re-renders the rows: still no overflow after it ran.
    page.locator("table[data-outbox] tbody tr").nth(4).wait_for()
    page.wait_for_function("() => !document.querySelector('.live.stale')")
    _assert_no_sideways_scroll(page)
    screenshot(page, "user-long")


def test_create_a_pool_client_user_and_group_in_the_browser(page, cognito):
    page.goto("/_emulator/")
    # No pools yet: the form is open.
    page.fill("#new-pool input[name=name]", "browser-made")
    page.select_option("#new-pool select[name=sign_in]", "email")
    page.get_by_role("button", name="Create pool").click()
    page.wait_for_selector(".flash-ok:has-text('User pool browser-made created')")
    pool_id = page.url.split("/_emulator/pools/", 1)[1].split("?", 1)[0]
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UsernameAttributes"] == ["email"]
    _assert_no_sideways_scroll(page)

    page.locator("#new-client summary").click()
    page.fill("#new-client input[name=name]", "web")
    page.get_by_role("button", name="Create app client").click()
    page.wait_for_selector(".flash-ok:has-text('App client web created')")
    client_box = page.locator(".client", has_text="web")
    assert "(Cognito's defaults)" in client_box.locator(".auth-flows").inner_text()

    page.locator("#new-group summary").click()
    page.fill("#new-group input[name=name]", "admins")
    page.fill("#new-group input[name=precedence]", "1")
    page.get_by_role("button", name="Create group").click()
    page.wait_for_selector(".flash-ok:has-text('Group admins created.')")
    assert page.locator("#groups tbody tr", has_text="admins").count() == 1

    # The same group again: Cognito's error, in the page.
    page.locator("#new-group summary").click()
    page.fill("#new-group input[name=name]", "admins")
    page.get_by_role("button", name="Create group").click()
    page.wait_for_selector(".flash-error")
    assert "GroupExistsException" in page.locator(".flash-error").inner_text()

    page.locator("#new-user summary").click()
    page.fill("#new-user input[name=username]", "zoe@example.com")
    page.fill("#new-user input[name=email]", "zoe@example.com")
    page.check("#new-user input[value=password]")
    page.fill("#new-user input[name=password]", PASSWORD)
    screenshot(page, "create-user")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_selector(".flash-ok:has-text('created with a permanent password')")
    assert "CONFIRMED" in page.locator(".page-head").inner_text()

    client_id = cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"][0]["ClientId"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        # Cognito's default flows do not include USER_PASSWORD_AUTH: the defaults shown are the ones applied.
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "zoe@example.com", "PASSWORD": PASSWORD},
        )
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="zoe@example.com")["UserStatus"] == "CONFIRMED"

    # An invitation: a temporary password in the outbox, shown on the new user's page.
    page.goto(f"/_emulator/pools/{pool_id}")
    page.locator("#new-user summary").click()
    page.fill("#new-user input[name=username]", "yan@example.com")
    page.fill("#new-user input[name=email]", "yan@example.com")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_selector(".flash-ok:has-text('invitation')")
    page.locator("table[data-outbox] tbody tr", has_text="INVITATION").wait_for()
    assert "FORCE_CHANGE_PASSWORD" in page.locator(".page-head").inner_text()
