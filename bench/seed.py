"""Filling pools with many users quickly, for the 1,000 vs 100,000 users measurements.

* The emulator: rows go straight into its database through its own models (users and their attributes, as
  SignUp + AdminConfirmSignUp would leave them), while it runs: all its state is in the database, so the
  running workers see them at once. Each filler user gets a real argon2id hash of the shared password
  (hashed once: a hash carries its own salt, so it verifies for every user) and its own SRP verifier.
* moto: AdminCreateUser requests through wrk (moto keeps its state in memory; only its API can fill it).
* cognito-local: user records added to its pool's JSON file while it is stopped (the file is its store).
"""

from __future__ import annotations

import copy
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from systems import REPO


def seed_emulator(database: Path, pool_id: str, count: int, password: str, prefix: str) -> float:
    """Insert ``count`` confirmed users into ``pool_id``; returns the seconds it took."""
    sys.path.insert(0, str(REPO))
    from sqlalchemy import create_engine, insert, select

    from emulator import ids
    from emulator.crypto import passwords, srp
    from emulator.store.models import User, UserAttribute

    started = time.perf_counter()
    engine = create_engine(f"sqlite:///{database}", connect_args={"timeout": 60})
    password_hash = passwords.hash_password(passwords.make_hasher("fast"), password)
    realm = ids.pool_name_for_srp(pool_id)
    now = datetime.now(UTC)
    batch = 5000
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=60000")
        connection.commit()
        for first in range(0, count, batch):
            rows = []
            for i in range(first, min(count, first + batch)):
                username = f"{prefix}{i}@example.com"
                salt, verifier = srp.compute_verifier(realm, username, password)
                rows.append(
                    {
                        "pool_id": pool_id,
                        "username": username,
                        "username_key": username,
                        "sub": ids.sub(),
                        "status": "CONFIRMED",
                        "enabled": True,
                        "password_hash": password_hash,
                        "srp_salt": salt,
                        "srp_verifier": verifier,
                        "password_set_at": now,
                        "password_temporary": False,
                        "mfa_sms_enabled": False,
                        "mfa_totp_enabled": False,
                        "mfa_email_enabled": False,
                        "failed_attempts": 0,
                        "created_at": now,
                        "modified_at": now,
                    }
                )
            with connection.begin():
                connection.execute(insert(User), rows)
                names = [row["username"] for row in rows]
                user_ids = dict(
                    connection.execute(
                        select(User.username, User.id).where(
                            User.pool_id == pool_id, User.username.in_(names)
                        )
                    ).all()
                )
                attributes = []
                for name in names:
                    attributes.append(
                        {
                            "user_id": user_ids[name],
                            "pool_id": pool_id,
                            "name": "email",
                            "value": name,
                            "value_key": name.lower(),
                        }
                    )
                    attributes.append(
                        {
                            "user_id": user_ids[name],
                            "pool_id": pool_id,
                            "name": "email_verified",
                            "value": "true",
                            "value_key": "true",
                        }
                    )
                connection.execute(insert(UserAttribute), attributes)
    engine.dispose()
    return time.perf_counter() - started


def seed_cognito_local(pool_file: Path, count: int, prefix: str) -> float:
    """Add ``count`` users to a stopped cognito-local's pool file, cloned from the user record already there.

    cognito-local treats an email-shaped user name as the email (its default UsernameAttributes): a user's
    record is keyed by a UUID that is also its sub, with the email as an attribute.
    """
    started = time.perf_counter()
    data = json.loads(pool_file.read_text())
    template = next(iter(data["Users"].values()))
    for i in range(count):
        email = f"{prefix}{i}@example.com"
        sub = f"00000000-0000-4000-8000-{i:012d}"
        user = copy.deepcopy(template)
        user["Username"] = sub
        user["RefreshTokens"] = []
        for attribute in user.get("Attributes", []):
            if attribute["Name"] == "email":
                attribute["Value"] = email
            elif attribute["Name"] == "sub":
                attribute["Value"] = sub
        data["Users"][sub] = user
    pool_file.write_text(json.dumps(data, indent=2))
    return time.perf_counter() - started
