"""Cognito Identity (identity pools, the ``cognito-identity`` service): beside the user pools, on the same
engine and store.

``operations/`` has one function per API operation (its own registry, ``@operation("GetId")``); the rules
behind them: ``pools`` (identity pools and their settings), ``logins`` (a ``Logins`` map checked for real:
user pool ID tokens against the emulator's own keys, the identity service's own OpenID tokens),
``identities`` (identity ids, linking, merging), ``roles`` (roles and role mappings), ``credentials`` (STS-shaped
credentials, accepted by the emulator's own SigV4 check), ``openid`` (the service's signing key, JWKS, OpenID
tokens).

It may read the user pools (their keys and issuers, to check a user pool's ID token); the user pools know
nothing of it.
"""

SERVICE = "cognito-identity"
