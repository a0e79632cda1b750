"""Pure parts of emulator.userpools.tokens: keys and their JWK, role claims, attribute claims, refresh token values."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import jwt

from emulator.userpools import tokens
from emulator.userpools.tokens import keys, minting, refresh_tokens, verify


def group(name: str, precedence: int | None = None, role: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(name=name, precedence=precedence, role_arn=role)


def client(**config: object) -> SimpleNamespace:
    return SimpleNamespace(config=config)


def test_new_key_publishes_a_jwk_matching_the_private_key():
    pool = SimpleNamespace(id="us-east-1_Abc123456")
    row = keys._new_key(pool, "id", datetime.now(UTC))
    assert row.token_use == "id" and row.pool_id == pool.id and row.kid == row.public_jwk["kid"]
    assert "PRIVATE KEY" in row.private_pem and "d" not in row.public_jwk
    loaded = keys._load(row)
    token = minting._sign({"sub": "x"}, loaded)
    public = jwt.PyJWK(row.public_jwk).key
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"sub": "x"}
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": row.kid}
    # The kid is a digest of the public key: another key, another kid.
    assert keys._new_key(pool, "id", datetime.now(UTC)).kid != row.kid


def test_roles_and_preferred_role():
    assert minting._role_claims([group("a"), group("b", 1)]) == {}
    claims = minting._role_claims([group("a", 2, "r2"), group("b", 1, "r1"), group("c", None, "r3")])
    assert claims["cognito:roles"] == ["r2", "r1", "r3"] and claims["cognito:preferred_role"] == "r1"
    tie = minting._role_claims([group("a", 1, "r1"), group("b", 1, "r2")])
    assert "cognito:preferred_role" not in tie and tie["cognito:roles"] == ["r1", "r2"]
    same_role = minting._role_claims([group("a", 1, "r1"), group("b", 1, "r1")])
    assert same_role == {"cognito:roles": ["r1"], "cognito:preferred_role": "r1"}
    # A group without a role does not take the preferred role away from one that has it.
    assert minting._role_claims([group("a", 0), group("b", 3, "r3")])["cognito:preferred_role"] == "r3"


def test_attribute_claims():
    attributes = {
        "sub": "s",
        "email": "a@example.com",
        "email_verified": "true",
        "phone_number_verified": "False",
        "custom:tier": "gold",
        "dev:custom:secret": "hidden",
        "identities": json.dumps([{"providerName": "Google", "userId": "1"}]),
    }
    claims = minting._attribute_claims(client(), attributes)
    assert claims == {
        "email": "a@example.com",
        "email_verified": True,
        "phone_number_verified": False,
        "custom:tier": "gold",
        "identities": [{"providerName": "Google", "userId": "1"}],
    }
    limited = minting._attribute_claims(client(ReadAttributes=["email", "dev:custom:secret"]), attributes)
    assert limited == {"email": "a@example.com"}


def test_claims_override_sets_and_removes():
    claims = {"a": 1, "b": 2}
    minting._apply_override(claims, {"a": None, "c": [1]})
    assert claims == {"b": 2, "c": [1]}


def test_refresh_token_values():
    first, second = refresh_tokens._new_refresh_token_value(), refresh_tokens._new_refresh_token_value()
    assert first != second
    segments = first.split(".")
    assert len(segments) == 5
    assert json.loads(jwt.utils.base64url_decode(segments[0])) == {
        "cty": "JWT",
        "enc": "A256GCM",
        "alg": "RSA-OAEP",
    }
    assert len(jwt.utils.base64url_decode(segments[1])) == 256
    assert tokens.token_hash(first) == tokens.token_hash(first) != tokens.token_hash(second)
    assert len(tokens.token_hash(first)) == 64


def test_looks_like_jwt():
    assert tokens.looks_like_jwt(jwt.encode({"token_use": "access"}, "k" * 32, algorithm="HS256")) == "access"
    assert tokens.looks_like_jwt(refresh_tokens._new_refresh_token_value()) is None
    assert tokens.looks_like_jwt("a.b.c") is None


def test_rotation_settings():
    assert tokens.rotation_settings(client()) == (False, 0)
    enabled = client(RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 30})
    assert tokens.rotation_settings(enabled) == (True, 30)
    assert tokens.rotation_settings(client(RefreshTokenRotation={"Feature": "DISABLED"})) == (False, 0)


def test_signature_check_accepts_only_the_keys_own_rs256_signature():
    pool = SimpleNamespace(id="us-east-1_Abc123456")
    key = keys._load(keys._new_key(pool, "access", datetime.now(UTC)))
    other = keys._load(keys._new_key(pool, "access", datetime.now(UTC)))
    token = minting._sign({"sub": "x", "token_use": "access"}, key)
    head, payload, signature = token.split(".")
    assert verify._signature_valid(token, key.public_key)
    assert not verify._signature_valid(token, other.public_key)
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    other_payload = jwt.utils.base64url_encode(b'{"sub":"y","token_use":"access"}').decode()
    for forged in (
        f"{head}.{payload}.{flipped}",
        f"{head}.{other_payload}.{signature}",
        f"{head}.{payload}.",
        f"{head}.{payload}.{signature}=",
        f"{head}.{payload}.{signature[:-1]}+",
        f"{head}.{payload}.{signature[:-2]}",
        f"{head}.{payload}",
    ):
        assert not verify._signature_valid(forged, key.public_key), forged


def test_tokens_are_signed_after_the_transaction_by_sign_pending():
    pool = SimpleNamespace(id="us-east-1_Abc123456")
    row = keys._new_key(pool, "access", datetime.now(UTC))
    key = keys._load(row)
    result = {
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "AccessToken": tokens.UnsignedToken({"sub": "x", "token_use": "access"}, key),
            "ExpiresIn": 3600,
            "RefreshToken": "opaque",
        },
    }
    assert tokens.sign_pending(result) is result
    access = result["AuthenticationResult"]["AccessToken"]
    assert isinstance(access, str) and verify._signature_valid(access, key.public_key)
    assert jwt.decode(access, jwt.PyJWK(row.public_jwk).key, algorithms=["RS256"]) == {
        "sub": "x",
        "token_use": "access",
    }
    assert result["AuthenticationResult"]["RefreshToken"] == "opaque"
    assert tokens.sign_pending({"Username": "x"}) == {"Username": "x"}
