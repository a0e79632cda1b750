"""Cognito's messages about tokens, as clients see them."""

from __future__ import annotations

# Cognito's messages (as seen by clients; note the period only in "Invalid Refresh Token.").
ACCESS_TOKEN_EXPIRED = "Access Token has expired"
ACCESS_TOKEN_REVOKED = "Access Token has been revoked"
INVALID_ACCESS_TOKEN = "Invalid Access Token"
REFRESH_TOKEN_EXPIRED = "Refresh Token has expired"
REFRESH_TOKEN_REVOKED = "Refresh Token has been revoked"
INVALID_REFRESH_TOKEN = "Invalid Refresh Token."
USER_DISABLED = "User is disabled."
