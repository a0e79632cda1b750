"""What every request passes before any route sees it, in this order (``chain.RequestGuard``):

1. ``hosts``: the Host header is one this server is reached by (DNS rebinding);
2. ``origins``: a browser request comes from an allowed origin (CORS is enforced, not only advertised);
3. ``body_limit``: the body is no larger than ``--max-body-size``, counted while it is read;
4. ``csrf``: a state-changing ``/_emulator`` request is one no foreign page can make (JSON or a custom
   header, or a console form carrying its CSRF token).
"""
