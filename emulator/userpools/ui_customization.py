"""The classic hosted UI's customization: CSS limited to Cognito's customizable classes, and a logo.

Stored per app client, or for the whole pool under the client id ``ALL``; a client without its own gets the
pool's. The login pages read them from here.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.store.models import UICustomization, UserPool
from emulator.userpools.domains import PREFIX_CLOUDFRONT

ALL_CLIENTS = "ALL"
# The classes (and states) the classic hosted UI lets a pool restyle.
CUSTOMIZABLE_SELECTORS = frozenset(
    {
        ".background-customizable",
        ".banner-customizable",
        ".errorMessage-customizable",
        ".idpButton-customizable",
        ".idpButton-customizable:hover",
        ".inputField-customizable",
        ".inputField-customizable:focus",
        ".label-customizable",
        ".legalText-customizable",
        ".logo-customizable",
        ".submitButton-customizable",
        ".submitButton-customizable:hover",
        ".textDescription-customizable",
    }
)
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
# The logo: a PNG or a JPEG, told by its first bytes.
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def check_css(css: str) -> None:
    """Only rules whose selectors are customizable classes; no at-rules, nothing outside a rule."""
    text = _COMMENT.sub("", css)
    rest = _RULE.sub("", text)
    if rest.strip():
        raise InvalidParameterException(f"Invalid CSS: could not parse '{rest.strip()[:80]}'.")
    for selectors, _body in _RULE.findall(text):
        for selector in selectors.split(","):
            selector = selector.strip()
            if selector not in CUSTOMIZABLE_SELECTORS:
                raise InvalidParameterException(
                    f"Invalid CSS: {selector or '(empty selector)'} is not a customizable class."
                )


def check_image(image_base64: str) -> None:
    try:
        data = base64.b64decode(image_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterException("ImageFile is not valid base64.") from None
    if not data.startswith(_IMAGE_MAGIC):
        raise InvalidParameterException("ImageFile must be a PNG or JPEG image.")


def image_bytes(row: UICustomization) -> bytes | None:
    return base64.b64decode(row.image_base64) if row.image_base64 else None


def effective(ctx: Context, pool: UserPool, client_id: str | None) -> UICustomization | None:
    """What the pages show for a client: its own customization, else the pool's."""
    for key in (client_id, ALL_CLIENTS):
        if key is None:
            continue
        row = ctx.db.get(UICustomization, (pool.id, key))
        if row is not None and (row.css is not None or row.image_base64 is not None):
            return row
    return None


def set_customization(
    ctx: Context, pool: UserPool, client_id: str, css: str | None, image: str | None
) -> UICustomization:
    if css is not None:
        check_css(css)
    if image:
        check_image(image)
    row = ctx.db.get(UICustomization, (pool.id, client_id))
    if row is None:
        row = UICustomization(pool_id=pool.id, client_id=client_id, created_at=ctx.now, modified_at=ctx.now)
        ctx.db.add(row)
    elif row.css is None and row.image_base64 is None:
        row.created_at = ctx.now
    version = ctx.now.strftime("%Y%m%d%H%M%S")
    # A request without CSS or image takes them away: that is how a customization is removed.
    row.css = css
    row.css_version = version if css is not None else row.css_version
    row.image_base64 = image or None
    row.image_version = version if image else None
    row.modified_at = ctx.now
    ctx.db.flush()
    return row


def view(pool: UserPool, client_id: str, row: UICustomization | None) -> dict[str, Any]:
    """UICustomizationType. With nothing set, only the ids (and the CSS version left from before)."""
    result: dict[str, Any] = {"UserPoolId": pool.id, "ClientId": row.client_id if row else client_id}
    if row is None:
        return result
    if row.css_version:
        result["CSSVersion"] = row.css_version
    if row.css is None and row.image_base64 is None:
        return result
    if row.css is not None:
        result["CSS"] = row.css
    if row.image_base64:
        result["ImageUrl"] = (
            f"https://{PREFIX_CLOUDFRONT}/{pool.id}/{row.client_id}/{row.image_version}/assets/images/image.jpg"
        )
    result["LastModifiedDate"] = row.modified_at
    result["CreationDate"] = row.created_at
    return result
