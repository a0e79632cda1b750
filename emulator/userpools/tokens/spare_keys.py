"""A small stock of RSA key pairs made ahead of need, so that creating a pool does not wait for them.

Every pool has its own two RSA-2048 keys (one for ID tokens, one for access tokens), as in Cognito, and making
one takes about 50 ms of CPU: without a stock, CreateUserPool spent most of its time there. The stock lives in
the database (``spare_signing_keys``), so every worker and every host on one database shares it; a pool takes
the oldest spare key inside its own transaction (on PostgreSQL with ``SKIP LOCKED``, so two workers never take
the same one), and when the stock is empty it makes its key inline, as before. A background thread per
process (``SpareKeys``) tops the stock up after a key was taken; it starts with the first pool this process
creates, so processes that never create a pool never spend CPU on keys. A reset keeps the stock.

A deleted pool's key pairs go back into the stock under new key ids (``recycle``), so a test suite that makes
and deletes a pool per test makes no RSA keys at all once it runs. This is safe: a token of the deleted pool
names its old ``kid`` (no longer any pool's) and its old issuer, and nobody outside the server ever saw the
private halves. The one thing an observer could tell is that a new pool's JWKS modulus equals a deleted pool's. An in-memory
database has no background filler: its one connection is shared by every thread, and a second thread's
transaction would interleave with a request's.
"""

from __future__ import annotations

import base64
import logging
import secrets
import threading

from sqlalchemy import delete, func, select

from emulator.clock import utcnow
from emulator.crypto.rsa_keys import new_key_material
from emulator.protocol.context import Context
from emulator.store import Database
from emulator.store.models import SigningKey, SpareSigningKey, UserPool

log = logging.getLogger("emulator")

# Keys kept in stock: the keys of two pools. A test suite's setup creates pools one at a time; more would only
# cost CPU at start.
STOCK = 4


def take(ctx: Context, pool: UserPool, token_use: str) -> SigningKey | None:
    """The oldest spare key, now ``pool``'s key for ``token_use``; None when the stock is empty."""
    query = select(SpareSigningKey).order_by(SpareSigningKey.created_at, SpareSigningKey.kid).limit(1)
    if ctx.db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    spare = ctx.db.scalar(query)
    stock: SpareKeys | None = getattr(ctx.emulator, "spare_keys", None)
    if stock is not None:
        stock.wanted()
    if spare is None:
        return None
    ctx.db.execute(delete(SpareSigningKey).where(SpareSigningKey.kid == spare.kid))
    ctx.db.expunge(spare)
    return SigningKey(
        kid=spare.kid,
        pool_id=pool.id,
        token_use=token_use,
        private_pem=spare.private_pem,
        public_jwk=dict(spare.public_jwk),
        created_at=ctx.now,
    )


# At most this many spare keys after a deleted pool's keys came back: enough for a suite's pools, bounded.
RECYCLED_STOCK = 16


def _fresh_kid() -> str:
    # The same form as a new key's kid (base64 of 32 bytes), never a kid that was given out before.
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def recycle(ctx: Context, pool_id: str) -> int:
    """Put a pool's key pairs back into the stock under new kids, before the pool is deleted."""
    count = ctx.db.scalar(select(func.count()).select_from(SpareSigningKey)) or 0
    rows = list(ctx.db.scalars(select(SigningKey).where(SigningKey.pool_id == pool_id)))
    added = 0
    for row in rows[: max(0, RECYCLED_STOCK - count)]:
        kid = _fresh_kid()
        ctx.db.add(
            SpareSigningKey(
                kid=kid,
                private_pem=row.private_pem,
                public_jwk={**row.public_jwk, "kid": kid},
                created_at=ctx.now,
            )
        )
        added += 1
    return added


class SpareKeys:
    """The thread that keeps ``STOCK`` spare keys in one database, woken when a key was taken."""

    def __init__(self, database: Database, stock: int = STOCK) -> None:
        self.database = database
        self.stock = stock
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # One filler at a time in this process (the thread, or a caller of fill), so the stock is not overfilled.
        self._filling = threading.Lock()

    def wanted(self) -> None:
        """A key was taken (or was missing): top the stock up, starting the thread the first time."""
        if self.database.is_memory:
            return
        with self._lock:
            if self._stopping.is_set():
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="spare-signing-keys", daemon=True)
                self._thread.start()
        self._wake.set()

    def fill(self) -> int:
        """Make keys until the stock is full; returns how many were added. Safe to call from any thread."""
        with self._filling:
            return self._fill()

    def _fill(self) -> int:
        added = 0
        while not self._stopping.is_set():
            with self.database.session(write=False) as session:
                count = session.scalar(select(func.count()).select_from(SpareSigningKey)) or 0
            if count >= self.stock:
                break
            # Made before the write transaction, so that the write lock is held only for the insert.
            kid, pem, jwk = new_key_material()
            with self.database.session() as session, session.begin():
                session.add(SpareSigningKey(kid=kid, private_pem=pem, public_jwk=jwk, created_at=utcnow()))
            added += 1
        return added

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.fill()
            except Exception:  # a full disk or a closed database must not kill the server; try again later
                log.exception("could not make spare signing keys")
                self._stopping.wait(5)

    def close(self) -> None:
        """Stop the thread (before the database is disposed, and before a fork)."""
        with self._lock:
            self._stopping.set()
            thread, self._thread = self._thread, None
        self._wake.set()
        if thread is not None:
            thread.join()
