"""Small builders shared by the API tests: pools, clients, users, codes from the outbox."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

PASSWORD = "Passw0rd!"


def make_pool(cognito: Any, **settings: Any) -> str:
    return cognito.create_user_pool(PoolName=settings.pop("PoolName", "pool"), **settings)["UserPool"]["Id"]


def make_client(cognito: Any, pool_id: str, **settings: Any) -> dict[str, Any]:
    settings.setdefault(
        "ExplicitAuthFlows",
        [
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_AUTH",
            "ALLOW_CUSTOM_AUTH",
        ],
    )
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **settings)["UserPoolClient"]


def make_user(
    cognito: Any,
    pool_id: str,
    username: str,
    password: str | None = PASSWORD,
    attributes: dict[str, str] | None = None,
    permanent: bool = True,
) -> None:
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": name, "Value": value} for name, value in (attributes or {}).items()],
        MessageAction="SUPPRESS",
        **({"TemporaryPassword": password} if password and not permanent else {}),
    )
    if password and permanent:
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=password, Permanent=True
        )


def messages(http: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    response = http.get("/_emulator/messages", params=filters)
    response.raise_for_status()
    return response.json()["messages"]


def last_code(http: httpx.Client, **filters: Any) -> str:
    found = [message for message in messages(http, **filters) if message.get("code")]
    assert found, f"no code in the outbox for {filters}"
    return found[0]["code"]


def error_code(excinfo: Any) -> str:
    return excinfo.value.response["Error"]["Code"]


def error_message(excinfo: Any) -> str:
    return excinfo.value.response["Error"]["Message"]


def error_of(excinfo: Any) -> tuple[str, str]:
    """(code, message) of a botocore ClientError caught by pytest.raises."""
    return error_code(excinfo), error_message(excinfo)


def console_csrf(http: httpx.Client) -> dict[str, str]:
    """The CSRF field every console form carries (emulator.http.guard.csrf), read from a page as a browser would."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/_emulator/").text)
    assert found, "the console's forms carry no CSRF token"
    return {"csrf_token": found.group(1)}


SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module (the scripts are not a package), loaded once per test run."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
