"""The world of the signInWithRedirect tests (issue 18's "Done when"): a pool with a domain, an OAuth client
(code flow, no secret) whose callback and sign-out URL is the test's app, and two users, one with TOTP MFA.
Declared as a fixture file, as a person would, and loaded with the emulator's own loader.

Also a plain-HTTP walk through the hosted login page (``walk_login``): what a person does in the browser
(open the page, type the username and password, then the TOTP code when asked), done with httpx, stopping at
the redirect back to the app. The Python OAuth client test uses it; the Node test has its own in JavaScript.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from emulator.worlds import fixtures

POOL = "us-east-1_Redirect01"
CLIENT = "redirectappclient000000001"
DOMAIN = "redirect-app"
PASSWORD = "Passw0rd!-long"
TOTP_SECRET = "REDIRECTTOTPUSERREDIRECTTOTPUSER"
SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
ALICE = {"username": "alice", "email": "alice@example.com", "name": "Alice Liddell"}
BOB = {"username": "bob", "email": "bob@example.com"}


@dataclass(frozen=True)
class World:
    pool_id: str
    client_id: str
    domain: str
    app_url: str


def load(emulator: object, tmp_path: Path, app_url: str, *more_app_urls: str) -> World:
    """The pool, its domain, the client for ``app_url`` (and ``more_app_urls``) and the users, loaded into
    ``emulator``."""
    urls = ", ".join(f'"{url}"' for url in (app_url, *more_app_urls))
    text = f"""
version: 1
pools:
  - id: {POOL}
    name: redirect-app
    settings:
      UsernameConfiguration: {{CaseSensitive: false}}
    mfa:
      MfaConfiguration: OPTIONAL
      SoftwareTokenMfaConfiguration: {{Enabled: true}}
    domain: {DOMAIN}
    clients:
      - id: {CLIENT}
        name: web
        settings:
          ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
          EnableTokenRevocation: true
          AllowedOAuthFlowsUserPoolClient: true
          AllowedOAuthFlows: [code]
          AllowedOAuthScopes: [{", ".join(SCOPES)}]
          CallbackURLs: [{urls}]
          LogoutURLs: [{urls}]
          SupportedIdentityProviders: [COGNITO]
    users:
      - username: {ALICE["username"]}
        password: "{PASSWORD}"
        attributes: {{email: {ALICE["email"]}, email_verified: true, name: {ALICE["name"]}}}
      - username: {BOB["username"]}
        password: "{PASSWORD}"
        attributes: {{email: {BOB["email"]}, email_verified: true}}
        totp_secret: {TOTP_SECRET}
        mfa: {{totp: true, preferred: TOTP}}
"""
    path = tmp_path / "redirect-world.yaml"
    path.write_text(text, encoding="utf-8")
    fixtures.load_file(emulator, path)  # type: ignore[arg-type]
    return World(POOL, CLIENT, DOMAIN, app_url)


# --- the login page over plain HTTP ----------------------------------------------------------------------------
ONE_TIME_CODE = "<one-time code>"
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_INPUT = re.compile(r"<input\b([^>]*)>", re.S | re.I)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.S)


def _attributes(tag: str) -> dict[str, str]:
    return {name.lower(): html.unescape(a if a is not None else b) for name, a, b in _ATTRIBUTE.findall(tag)}


@dataclass
class Form:
    action: str
    fields: dict[str, str]  # every named input with its value (hidden ones: _csrf and the like)
    submit: dict[str, str]  # the submit button's name and value, if it has a name
    codes: list[str]  # the fields for a one-time code (autocomplete=one-time-code)


def forms(page: str, base: str) -> list[Form]:
    found = []
    for form_attributes, body in _FORM.findall(page):
        attributes = _attributes(form_attributes)
        fields: dict[str, str] = {}
        submit: dict[str, str] = {}
        codes: list[str] = []
        for tag in _INPUT.findall(body):
            attrs = _attributes(tag)
            if "name" not in attrs:
                continue
            if "one-time-code" in tag:
                codes.append(attrs["name"])
            if attrs.get("type", "text").lower() == "submit":
                submit.setdefault(attrs["name"], attrs.get("value", ""))
            elif attrs.get("type", "").lower() not in ("checkbox", "radio") or "checked" in tag.lower():
                fields[attrs["name"]] = attrs.get("value", "")
        for name, value in re.findall(
            r"<button\b[^>]*\bname=\"([^\"]+)\"[^>]*?(?:\bvalue=\"([^\"]*)\")?[^>]*>", body, re.I
        ):
            submit.setdefault(html.unescape(name), html.unescape(value))
        found.append(Form(urljoin(base, attributes.get("action") or base), fields, submit, codes))
    return found


def walk_login(
    http: httpx.Client,
    start: str,
    answers: Mapping[str, str | Callable[[], str]],
    back_to: str,
    *,
    max_steps: int = 12,
) -> tuple[str, list[str]]:
    """Open ``start`` (an authorize URL), and on every page with a form that asks for one of ``answers``'
    fields, fill it in and submit it (a callable answer is asked for its value then: a TOTP code; the answer
    ``ONE_TIME_CODE`` fills a field marked autocomplete=one-time-code, whatever its name), following
    redirects until one goes to ``back_to``. Returns that URL and the pages' URLs on the way."""
    url, method, data = start, "GET", None
    visited: list[str] = []
    for _ in range(max_steps):
        response = http.request(method, url, data=data)
        visited.append(f"{method} {url} -> {response.status_code}")
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            method, data = "GET", None
            if url.startswith(back_to):
                return url, visited
            continue
        assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:500]}"
        page_forms = [
            form
            for form in forms(response.text, str(response.url))
            if set(form.fields) & set(answers) or (form.codes and ONE_TIME_CODE in answers)
        ]
        assert page_forms, f"{url} asks for nothing known ({sorted(answers)}): {response.text[:2000]}"
        form = page_forms[0]
        data = dict(form.fields)
        for name in form.fields:
            answer = answers.get(name)
            if answer is None and name in form.codes:
                answer = answers.get(ONE_TIME_CODE)
            if answer is not None:
                data[name] = answer() if callable(answer) else answer
        data.update(dict(list(form.submit.items())[:1]))
        url, method = form.action, "POST"
    raise AssertionError(f"no redirect to {back_to} after {max_steps} steps: {visited}")
