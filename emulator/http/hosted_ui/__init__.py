"""The hosted login pages of a user pool domain: /oauth2/authorize, /login, /signup, the MFA pages, /logout, /error.

``routes`` are relative to the domain's root; the domain site (http/domain_site.py) serves them under every pool
domain, by path prefix (``/<domain>/login``) and by Host name. The pages are Cognito's classic hosted UI
(server-rendered, Jinja2 with autoescaping, the pool's UI customization), driven by the sign-in engine and the
API's own operations; the rules behind them are in ``emulator.userpools.oauth`` (authorize parameters, the
browser session, the hosted sign-in, the code or tokens handed back).
"""

from starlette.routing import BaseRoute

from emulator.http.hosted_ui import account, login, logout

routes: list[BaseRoute] = [*login.routes, *account.routes, *logout.routes]
