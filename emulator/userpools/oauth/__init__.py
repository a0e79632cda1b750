"""OAuth 2.0 rules of a user pool, below HTTP: authorization codes, grants, scopes, client authentication."""
