"""The hosted login pages of a user pool domain: /oauth2/authorize, /login, /signup, the MFA pages, /logout, /error.

``routes`` are relative to the domain's root; the domain site (http/domain_site.py) serves them under every pool
domain, by path prefix (``/<domain>/login``) and by Host name.
"""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
