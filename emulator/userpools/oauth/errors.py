"""``OAuthError``: an error of the OAuth 2.0 endpoints, as Cognito answers it (``{"error": "<code>"}``).

A CognitoError, so ``Emulator.run`` rolls back and re-raises it like any other; ``error`` is the OAuth error
code (``invalid_request``, ``invalid_client``, ``invalid_grant``, ``unauthorized_client``,
``unsupported_grant_type``, ``invalid_scope``, ...), ``status`` the HTTP status (400, or 401 for a client that
failed to authenticate), ``message`` an optional ``error_description``.
"""

from __future__ import annotations

from emulator.protocol.errors import CognitoError


class OAuthError(CognitoError):
    def __init__(self, error: str, description: str | None = None, *, status: int = 400) -> None:
        super().__init__(description or "")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        """The JSON body of the token endpoint's answer."""
        result = {"error": self.error}
        if self.description:
            result["error_description"] = self.description
        return result
