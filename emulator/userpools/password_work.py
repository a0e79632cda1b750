"""Password and SRP arithmetic done before a writing operation takes the database's write lock.

Writers take turns on one write lock (store.write_lock), held from a writer's first statement to its
commit. An argon2id hash or check is about 4.6 ms of a sign-in or sign-up, spent in C with the GIL
released: done inside the lock it keeps every other writer waiting, done before it another thread's writer
runs meanwhile. The SRP exponentiations (0.6-0.8 ms each, three per USER_SRP_AUTH sign-in) hold the GIL, but
done before the lock they no longer hold up the writers of other workers. ``prepare`` works out, from the
request and a read of what is stored, what the operation is going to ask:

- a hash of each new password in the request;
- the check of a sign-in's password against the stored hash of the user(s) the login can name;
- for a sign-in with SRP_A, a fresh server secret b with its g^b (B = k*v + g^b needs only a product then);
- for a PASSWORD_VERIFIER answer, the premaster secret of its challenge session's A, v and b.

Inside the lock an answer from here is taken only for exactly the same question (the same stored hash
string and password; the same A, v and b): these are pure functions of their inputs, so it is the answer the
operation would have computed. A prepared hash or server secret is a fresh one, used at most once. Anything
not prepared (another user, a hash changed in between, a flow not listed here) is computed in the lock.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from sqlalchemy import bindparam, select, union

from emulator.crypto import passwords, srp
from emulator.store.models import AuthSession, User, UserAlias, UserPoolClient
from emulator.userpools.signin import sessions
from emulator.userpools.users import hasher_for

if TYPE_CHECKING:
    from emulator.engine.core import Emulator

# Request members that carry a password the operation will hash.
NEW_PASSWORDS = {
    "SignUp": ("Password",),
    "AdminSetUserPassword": ("Password",),
    "ConfirmForgotPassword": ("Password",),
    "ChangePassword": ("ProposedPassword",),
    "AdminCreateUser": ("TemporaryPassword",),
}
CHALLENGE_ANSWERS = ("RespondToAuthChallenge", "AdminRespondToAuthChallenge")
SIGN_INS = ("InitiateAuth", "AdminInitiateAuth")
# At most this many stored hashes are checked ahead for one login (normally there is exactly one).
MAX_CANDIDATES = 2

_USERS = User.__table__
_ALIASES = UserAlias.__table__
_CLIENTS = UserPoolClient.__table__
# Built once: building and compiling them for each sign-in took longer than running them.
_SESSION_STATE = select(AuthSession.__table__.c.state).where(AuthSession.__table__.c.id == bindparam("id"))
_CLIENT_POOL = select(_CLIENTS.c.pool_id).where(_CLIENTS.c.id == bindparam("client_id"))
_HASHES = union(
    select(_USERS.c.password_hash).where(
        _USERS.c.pool_id == bindparam("pool_id"), _USERS.c.username_key.in_(bindparam("keys", expanding=True))
    ),
    select(_USERS.c.password_hash)
    .join(_ALIASES, _ALIASES.c.user_id == _USERS.c.id)
    .where(_ALIASES.c.pool_id == bindparam("pool_id"), _ALIASES.c.key.in_(bindparam("keys", expanding=True))),
).limit(MAX_CANDIDATES + 1)


@dataclass
class PasswordWork:
    """Answers computed ahead: password -> a fresh hash of it; (stored hash, password) -> does it match;
    SRP: a fresh server secret with its g^b, and (A, verifier, b) -> (u, S) of a PASSWORD_VERIFIER answer."""

    hashes: dict[str, str] = field(default_factory=dict)
    checks: dict[tuple[str, str], bool] = field(default_factory=dict)
    ephemeral: tuple[int, int] | None = None
    premasters: dict[tuple[str, str, str], tuple[int, int] | None] = field(default_factory=dict)

    def take_ephemeral(self) -> tuple[int, int] | None:
        ephemeral, self.ephemeral = self.ephemeral, None
        return ephemeral

    def take_hash(self, password: str) -> str | None:
        return self.hashes.pop(password, None)

    def check(self, stored_hash: str, password: str) -> bool | None:
        return self.checks.get((stored_hash, password))


def applies(name: str) -> bool:
    return name in NEW_PASSWORDS or name in CHALLENGE_ANSWERS or name in SIGN_INS


def prepare(emulator: Emulator, name: str, body: dict[str, Any]) -> PasswordWork | None:
    """The argon2id and SRP work ``name`` with ``body`` will ask for, done now (outside the write lock)."""
    hasher = hasher_for(emulator.settings.password_hashing)
    work = PasswordWork()
    for member in NEW_PASSWORDS.get(name, ()):
        _hash_ahead(work, hasher, body.get(member))
    if name in CHALLENGE_ANSWERS:
        _hash_ahead(work, hasher, (body.get("ChallengeResponses") or {}).get("NEW_PASSWORD"))
    if name in SIGN_INS:
        parameters = body.get("AuthParameters") or {}
        login, password = parameters.get("USERNAME"), parameters.get("PASSWORD")
        if isinstance(login, str) and login and isinstance(password, str):
            for stored in _stored_hashes(emulator, body, login):
                work.checks[(stored, password)] = passwords.verify_password(hasher, stored, password)
        if parameters.get("SRP_A"):
            work.ephemeral = srp.new_ephemeral_secret()
    if name in CHALLENGE_ANSWERS and body.get("ChallengeName") == "PASSWORD_VERIFIER":
        _premaster_ahead(emulator, work, body)
    return work if work.hashes or work.checks or work.ephemeral or work.premasters else None


def _premaster_ahead(emulator: Emulator, work: PasswordWork, body: dict[str, Any]) -> None:
    """The SRP premaster secret of a PASSWORD_VERIFIER answer, from the challenge session's state."""
    value = sessions.answered_value(body)
    if not isinstance(value, str) or not value:
        return
    try:
        session_id = sessions.session_id(value)
    except UnicodeError:
        return  # not a value this emulator handed out; the operation answers it
    with emulator.database.engine.connect() as connection:
        state = connection.scalar(_SESSION_STATE, {"id": session_id})
    if not isinstance(state, dict):
        return
    key = (state.get("srp_a"), state.get("srp_verifier"), state.get("srp_b_secret"))
    if all(isinstance(part, str) for part in key):
        # A value that is not hex is left for the operation to answer.
        with contextlib.suppress(ValueError):
            work.premasters[key] = srp.server_premaster(*key)


def _hash_ahead(work: PasswordWork, hasher: PasswordHasher, password: Any) -> None:
    if isinstance(password, str) and password and password not in work.hashes:
        # A password that cannot be UTF-8 encoded is left for the operation to answer.
        with contextlib.suppress(ValueError):
            work.hashes[password] = passwords.hash_password(hasher, password)


def _stored_hashes(emulator: Emulator, body: dict[str, Any], login: str) -> list[str]:
    """The password hashes of the users ``login`` can name (username or alias, either case): a superset of
    what users.find_user picks, read without the write lock."""
    keys = sorted({login, login.lower()})
    with emulator.database.engine.connect() as connection:
        pool_id = body.get("UserPoolId")
        if pool_id is None:
            pool_id = connection.scalar(_CLIENT_POOL, {"client_id": body.get("ClientId")})
        if not isinstance(pool_id, str):
            return []
        found = connection.scalars(_HASHES, {"pool_id": pool_id, "keys": keys}).all()
    stored = [value for value in found if isinstance(value, str)]
    return stored if len(stored) <= MAX_CANDIDATES else []
