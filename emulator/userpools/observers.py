"""A few moments of the user pools' rules that other features watch, without the rules knowing them.

``notify(ctx, moment, user, **facts)`` calls every function ``watch(moment)`` registered, in order. Moments:

- ``"tokens_issued"``: a sign-in finished with tokens (facts: ``client``, ``origin_jti``);
- ``"tokens_refreshed"``: a refresh token was used (facts: ``origin_jti``);
- ``"password_failed"``: a wrong password was counted, just before that is committed and refused;
- ``"password_set"``: a user's password was set (ChangePassword, ConfirmForgotPassword, SignUp, ...);
- ``"code_issued"``: a one-time code was sent (facts: ``purpose``, ``channel``).

Watchers (user sessions, auth events) live in modules of their own and register when imported; this module
imports nothing of the emulator, so any rule module may notify.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Watcher = Callable[..., None]
_WATCHERS: dict[str, list[Watcher]] = {}


def watch(moment: str) -> Callable[[Watcher], Watcher]:
    def register(function: Watcher) -> Watcher:
        _WATCHERS.setdefault(moment, []).append(function)
        return function

    return register


def notify(ctx: Any, moment: str, user: Any, **facts: Any) -> None:
    for function in _WATCHERS.get(moment, ()):
        function(ctx, user, **facts)
