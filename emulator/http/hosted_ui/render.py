"""Rendering the hosted pages: Jinja2 templates with autoescaping, and the pool's UI customization.

The CSS a pool set (SetUICustomization, already limited to Cognito's customizable classes) goes into a style
element with every ``<`` written as the CSS escape ``\\3c``: no value can close the element. The logo is shown
as a data: URL of the uploaded bytes (PNG or JPEG, checked when it was set).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from emulator.protocol.context import Context
from emulator.store.models import UserPool, UserPoolClient
from emulator.userpools import ui_customization

from . import site

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.autoescape = True


@dataclass(frozen=True)
class Branding:
    client_name: str
    pool_name: str
    css: Markup
    logo: str | None


def safe_css(css: str | None) -> Markup:
    """CSS for a style element: nothing in it can end the element (``<`` becomes the CSS escape ``\\3c ``)."""
    if not css:
        return Markup("")
    return Markup(css.replace("<", "\\3c ").replace("\x00", ""))  # noqa: S704 - made inert just above


def branding(ctx: Context, pool: UserPool, client: UserPoolClient | None) -> Branding:
    row = ui_customization.effective(ctx, pool, client.id if client is not None else None)
    logo = None
    if row is not None and row.image_base64:
        data = base64.b64decode(row.image_base64)
        kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        logo = f"data:{kind};base64,{row.image_base64}"
    return Branding(
        client_name=client.name if client is not None else "",
        pool_name=pool.name,
        css=safe_css(row.css if row is not None else None),
        logo=logo,
    )


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    """A hosted page: the template with the CSRF field, the branding and the security headers."""
    values = {
        "csrf_field": Markup('<input type="hidden" name="{}" value="{}">').format(
            site.CSRF_FIELD, site.csrf_token(request)
        ),
        "root": site.root(request),
        "error": None,
        "notice": None,
        **context,
    }
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    return site.finish(request, response)


def error_page(request: Request, message: str, *, status_code: int = 400) -> Response:
    """The hosted UI's error page (what /error shows)."""
    response = templates.TemplateResponse(
        request,
        "error.html",
        {"message": message, "branding": None, "root": site.root(request)},
        status_code=status_code,
    )
    return site.finish(request, response)


def plain(request: Request, text: str, status_code: int) -> Response:
    return site.finish(request, HTMLResponse(Markup("<p>{}</p>").format(text), status_code=status_code))
