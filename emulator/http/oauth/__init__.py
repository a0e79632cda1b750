"""The OAuth 2.0 / OpenID Connect endpoints of a user pool domain: /oauth2/token, /oauth2/userInfo, /oauth2/revoke.

``routes`` are relative to the domain's root; the domain site (http/domain_site.py) serves them under every pool
domain, by path prefix (``/<domain>/oauth2/token``) and by Host name. Each answers CORS preflights
(emulator.http.oauth.common).
"""

from starlette.routing import BaseRoute

from emulator.http.oauth.common import cors_routes
from emulator.http.oauth.revoke import revoke
from emulator.http.oauth.token import token
from emulator.http.oauth.userinfo import user_info

routes: list[BaseRoute] = [
    *cors_routes("/oauth2/token", token, ["POST"], name="oauth2_token"),
    *cors_routes("/oauth2/userInfo", user_info, ["GET", "POST"], name="oauth2_userinfo"),
    *cors_routes("/oauth2/revoke", revoke, ["POST"], name="oauth2_revoke"),
]
