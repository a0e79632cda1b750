"""A small test browser for the hosted pages: keeps cookies as a browser does (Path, expiry by Max-Age=0),
never follows redirects by itself, and reads the forms of a page (action, hidden fields)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx


@dataclass
class Form:
    action: str
    method: str
    name: str | None
    fields: dict[str, str] = field(default_factory=dict)
    inputs: list[dict[str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get"), values.get("name")))
        elif tag == "input" and self.forms:
            self.forms[-1].inputs.append(values)
            if values.get("type") in ("hidden", "text", "email", None, "tel") and values.get("name"):
                self.forms[-1].fields.setdefault(values["name"], values.get("value", ""))
            if values.get("type") == "radio" and "checked" in values:
                self.forms[-1].fields[values["name"]] = values.get("value", "")


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """Cookies by name (the emulator sets them for the domain's path); Secure ones are kept over plain HTTP too,
    as Chromium keeps them for localhost."""

    def __init__(self, base_url: str, verify: Any = True, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(timeout=20, follow_redirects=False, verify=verify, headers=headers)
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def close(self) -> None:
        self.http.close()

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        if path.startswith("/"):
            parts = urlsplit(self.base_url)
            return f"{parts.scheme}://{parts.netloc}{path}"
        return f"{self.base_url}/{path}"

    def _keep(self, response: httpx.Response) -> None:
        self.http.cookies.clear()  # this class is the cookie jar (httpx's own would send them again)
        for header in response.headers.get_list("set-cookie"):
            self.set_cookies.append(header)
            parsed = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def _headers(self) -> dict[str, str]:
        return {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def get(self, path: str, **params: Any) -> httpx.Response:
        response = self.http.get(self.url(path), params=params or None, headers=self._headers())
        self._keep(response)
        return response

    def post(self, path: str, data: dict[str, str], **headers: str) -> httpx.Response:
        response = self.http.post(self.url(path), data=data, headers={**self._headers(), **headers})
        self._keep(response)
        return response

    def follow(self, response: httpx.Response) -> httpx.Response:
        """One redirect, resolved against the response's URL."""
        assert response.status_code in (302, 303), response.text
        return self.get(urljoin(str(response.url), response.headers["location"]))

    def submit(self, page: httpx.Response, values: dict[str, str], *, form: int = 0) -> httpx.Response:
        """Fill the page's form and post it to its action (resolved against the page's URL)."""
        found = forms_of(page.text)
        assert found, f"no form in the page: {page.text[:500]}"
        chosen = found[form]
        data = {**chosen.fields, **values}
        return self.post(urljoin(str(page.url), chosen.action), data)


def query_of(location: str) -> dict[str, str]:
    return {
        key: values[0] for key, values in parse_qs(urlsplit(location).query, keep_blank_values=True).items()
    }


def fragment_of(location: str) -> dict[str, str]:
    return {
        key: values[0]
        for key, values in parse_qs(urlsplit(location).fragment, keep_blank_values=True).items()
    }
