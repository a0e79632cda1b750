"""OAuth helpers for tests, in process: an authorization code for a user without the login pages, and PKCE.

``authorization_code(emulator, client_id=..., username=..., redirect_uri=..., scopes=None, nonce=None,
code_challenge=None, code_challenge_method=None) -> str`` runs ``emulator.userpools.oauth.codes.issue_code``
through ``Emulator.run``, as /oauth2/authorize does once the user has signed in (``scopes`` default to the
client's AllowedOAuthScopes). ``pkce_pair() -> (verifier, challenge)`` makes an S256 pair as Amplify does.
"""

from __future__ import annotations

import secrets
import string

from emulator.engine import Emulator
from emulator.store.models import UserPoolClient
from emulator.userpools.oauth import codes
from emulator.userpools.oauth import scopes as oauth_scopes


def authorization_code(
    emulator: Emulator,
    *,
    client_id: str,
    username: str,
    redirect_uri: str,
    scopes: list[str] | None = None,
    nonce: str | None = None,
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
) -> str:
    def issue(ctx):  # type: ignore[no-untyped-def]
        granted = scopes
        if granted is None:
            client = ctx.db.get(UserPoolClient, client_id)
            granted = oauth_scopes.client_scopes(client) if client is not None else []
        return codes.issue_code(
            ctx,
            client_id=client_id,
            username=username,
            redirect_uri=redirect_uri,
            scopes=granted,
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
        )

    return emulator.run(issue, name="Authorize")


def pkce_pair() -> tuple[str, str]:
    """A 128-character verifier of letters and digits (as Amplify makes it) and its S256 challenge."""
    alphabet = string.ascii_letters + string.digits
    verifier = "".join(secrets.choice(alphabet) for _ in range(128))
    return verifier, codes.pkce_challenge(verifier)
