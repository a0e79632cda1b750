"""The console's user page lists the user's devices (names escaped) and forgets one with AdminForgetDevice
(a form with its CSRF token, refused without it), over HTTP and by a click in headless Chromium."""

from __future__ import annotations

from sqlalchemy import select

from emulator.store.models import User
from tests import console_browser
from tests.device_srp import DeviceSecret
from tests.helpers import PASSWORD, console_csrf, make_client, make_pool, make_user

# One headless Chromium for this module, a fresh page per test.
browser = console_browser.browser
page = console_browser.page


def _world(cognito, server, names):
    """A device-tracking pool whose user alice confirmed one device per name (the last one remembered);
    (pool id, the user's console page, the device keys)."""
    pool_id = make_pool(cognito, DeviceConfiguration={"DeviceOnlyRememberedOnUserPrompt": True})
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "alice")
    keys = []
    for name in names:
        tokens = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        metadata = tokens["NewDeviceMetadata"]
        secret = DeviceSecret(metadata["DeviceGroupKey"], metadata["DeviceKey"])
        cognito.confirm_device(
            AccessToken=tokens["AccessToken"],
            DeviceKey=secret.device_key,
            DeviceSecretVerifierConfig=secret.verifier_config(),
            DeviceName=name,
        )
        keys.append(secret.device_key)
    cognito.update_device_status(
        AccessToken=tokens["AccessToken"], DeviceKey=keys[-1], DeviceRememberedStatus="remembered"
    )
    with server.emulator.database.session() as session:
        sub = session.scalar(select(User.sub).where(User.pool_id == pool_id, User.username == "alice"))
    return pool_id, f"/_emulator/pools/{pool_id}/users/{sub}", keys


def test_the_user_page_lists_and_forgets_devices(http, cognito, server):
    pool_id, path, keys = _world(cognito, server, ("<script>alert(1)</script>", "Work laptop"))
    text = http.get(path).text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert keys[0] in text and keys[1] in text and "Work laptop" in text
    assert "not_remembered" in text and ">remembered<" in text

    origin = {"origin": str(http.base_url).rstrip("/")}
    refused = http.post(path + "/forget-device", data={"device_key": keys[0]}, headers=origin)
    assert refused.status_code == 403
    assert len(cognito.admin_list_devices(UserPoolId=pool_id, Username="alice")["Devices"]) == 2
    token = console_csrf(http)
    done = http.post(path + "/forget-device", data={"device_key": keys[0], **token}, headers=origin)
    assert done.status_code == 303 and "notice=Device+forgotten" in done.headers["location"]
    left = cognito.admin_list_devices(UserPoolId=pool_id, Username="alice")["Devices"]
    assert [device["DeviceKey"] for device in left] == [keys[1]]
    again = http.post(path + "/forget-device", data={"device_key": keys[0], **token}, headers=origin)
    assert "error=ResourceNotFoundException" in again.headers["location"]
    assert keys[0] not in http.get(path).text


def test_a_pool_without_device_tracking_says_so(http, cognito, server):
    pool_id = make_pool(cognito)
    make_user(cognito, pool_id, "bob")
    with server.emulator.database.session() as session:
        sub = session.scalar(select(User.sub).where(User.pool_id == pool_id, User.username == "bob"))
    assert "does not track devices" in http.get(f"/_emulator/pools/{pool_id}/users/{sub}").text


def test_forget_a_device_in_the_browser(page, cognito, server):
    pool_id, path, keys = _world(cognito, server, ("Old phone", "Work laptop"))
    page.goto(path)
    assert page.locator("#devices tbody tr").count() == 2
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"tr[data-device='{keys[0]}']").get_by_role("button", name="Forget").click()
    page.wait_for_selector(".flash-ok:has-text('Device forgotten')")
    assert page.locator("#devices tbody tr").count() == 1
    assert "Work laptop" in page.locator("#devices").inner_text()
    left = cognito.admin_list_devices(UserPoolId=pool_id, Username="alice")["Devices"]
    assert [device["DeviceKey"] for device in left] == [keys[1]]
