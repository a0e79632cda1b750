"""Tokens over HTTP: keys and discovery, Cognito's claims, standard verification, refresh, revocation."""

from __future__ import annotations

import time

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa
from test_tokens_support import (
    add_user,
    check_access_token,
    claims,
    delete_user,
    header,
    issue,
    make_client,
    make_pool,
    sign_in,
    update_user,
)

from tests.helpers import error_of

ROLE_ADMIN = "arn:aws:iam::123456789012:role/admin"
ROLE_READER = "arn:aws:iam::123456789012:role/reader"
REVOKED = ("NotAuthorizedException", "Access Token has been revoked")
INVALID = ("NotAuthorizedException", "Invalid Access Token")


@pytest.fixture
def world(server, cognito):
    pool_id = make_pool(
        cognito,
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
    )
    client = make_client(cognito, pool_id)
    alice = add_user(
        server,
        pool_id,
        "alice",
        {
            "email": "alice@example.com",
            "email_verified": "true",
            "phone_number": "+15555550100",
            "phone_number_verified": "false",
            "given_name": "Alice",
            "custom:tier": "gold",
        },
        groups=[("readers", 5, ROLE_READER), ("plain", None, None), ("admins", 1, ROLE_ADMIN)],
    )
    return {"pool_id": pool_id, "client_id": client["ClientId"], "alice": alice}


# --- keys and discovery --------------------------------------------------------------------------------
def test_jwks_has_two_rsa_keys_and_discovery_names_issuer(server, http, world):
    pool_id = world["pool_id"]
    keys = http.get(f"/{pool_id}/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 2 and keys[0]["kid"] != keys[1]["kid"]
    for key in keys:
        assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (key["alg"], key["kty"], key["use"], key["e"]) == ("RS256", "RSA", "sig", "AQAB")
        assert len(jwt.utils.base64url_decode(key["n"])) == 256  # RSA-2048
        assert "d" not in key
    discovery = http.get(f"/{pool_id}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == f"{server.endpoint}/{pool_id}"
    assert discovery["jwks_uri"] == f"{server.endpoint}/{pool_id}/.well-known/jwks.json"
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]


def test_keys_are_per_pool_and_stable(http, cognito, world):
    pool_id = world["pool_id"]
    first = http.get(f"/{pool_id}/.well-known/jwks.json").json()
    assert http.get(f"/{pool_id}/.well-known/jwks.json").json() == first
    other = make_pool(cognito, PoolName="other")
    other_kids = {key["kid"] for key in http.get(f"/{other}/.well-known/jwks.json").json()["keys"]}
    assert other_kids.isdisjoint(key["kid"] for key in first["keys"])


def test_unknown_pool_well_known_is_404(http):
    for path in ("jwks.json", "openid-configuration"):
        response = http.get(f"/us-east-1_Nope12345/.well-known/{path}")
        assert response.status_code == 404
        assert response.json()["__type"] == "ResourceNotFoundException"


# --- standard verification -----------------------------------------------------------------------------
def test_tokens_verify_with_pyjwkclient(server, cognito, world):
    pool_id, client_id = world["pool_id"], world["client_id"]
    result = sign_in(cognito, client_id, "alice")
    issuer = f"{server.endpoint}/{pool_id}"
    jwks = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json")
    id_key = jwks.get_signing_key_from_jwt(result["IdToken"])
    access_key = jwks.get_signing_key_from_jwt(result["AccessToken"])
    id_claims = jwt.decode(
        result["IdToken"], id_key.key, algorithms=["RS256"], issuer=issuer, audience=client_id
    )
    access_claims = jwt.decode(result["AccessToken"], access_key.key, algorithms=["RS256"], issuer=issuer)
    assert id_claims["token_use"] == "id" and access_claims["token_use"] == "access"
    # As in Cognito: only kid and alg in the header, and ID and access tokens use different keys.
    assert header(result["IdToken"]).keys() == {"kid", "alg"} == header(result["AccessToken"]).keys()
    assert id_key.key_id != access_key.key_id
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(result["AccessToken"], id_key.key, algorithms=["RS256"], issuer=issuer)


# --- claims --------------------------------------------------------------------------------------------
def test_id_token_claims(server, cognito, world):
    pool_id, client_id, alice = world["pool_id"], world["client_id"], world["alice"]
    before = int(time.time())
    result = sign_in(cognito, client_id, "alice")
    after = int(time.time())
    id_claims = claims(result["IdToken"])
    assert set(id_claims) == {
        "sub",
        "cognito:groups",
        "cognito:roles",
        "cognito:preferred_role",
        "email",
        "email_verified",
        "phone_number",
        "phone_number_verified",
        "given_name",
        "custom:tier",
        "iss",
        "cognito:username",
        "origin_jti",
        "aud",
        "event_id",
        "token_use",
        "auth_time",
        "exp",
        "iat",
        "jti",
    }
    assert id_claims["sub"] == alice["sub"]
    assert id_claims["cognito:username"] == "alice"
    assert id_claims["aud"] == client_id
    assert id_claims["iss"] == f"{server.endpoint}/{pool_id}"
    assert id_claims["token_use"] == "id"
    assert id_claims["cognito:groups"] == ["admins", "readers", "plain"]  # by precedence, none last
    assert id_claims["cognito:roles"] == [ROLE_ADMIN, ROLE_READER]
    assert id_claims["cognito:preferred_role"] == ROLE_ADMIN
    assert id_claims["email"] == "alice@example.com" and id_claims["email_verified"] is True
    assert id_claims["phone_number"] == "+15555550100" and id_claims["phone_number_verified"] is False
    assert id_claims["given_name"] == "Alice" and id_claims["custom:tier"] == "gold"
    assert before <= id_claims["iat"] <= after and id_claims["auth_time"] == id_claims["iat"]
    assert id_claims["exp"] - id_claims["iat"] == 3600
    assert result["ExpiresIn"] == 3600 and result["TokenType"] == "Bearer"


def test_access_token_claims(server, cognito, world):
    pool_id, client_id, alice = world["pool_id"], world["client_id"], world["alice"]
    result = sign_in(cognito, client_id, "alice")
    access = claims(result["AccessToken"])
    id_claims = claims(result["IdToken"])
    assert set(access) == {
        "sub",
        "cognito:groups",
        "iss",
        "client_id",
        "origin_jti",
        "event_id",
        "token_use",
        "scope",
        "auth_time",
        "exp",
        "iat",
        "jti",
        "username",
    }
    assert access["sub"] == alice["sub"] and access["username"] == "alice"
    assert access["client_id"] == client_id and access["iss"] == f"{server.endpoint}/{pool_id}"
    assert access["token_use"] == "access" and access["scope"] == "aws.cognito.signin.user.admin"
    assert access["cognito:groups"] == ["admins", "readers", "plain"]
    assert access["exp"] - access["iat"] == 3600
    # One sign-in: same origin_jti, event_id and auth_time in both tokens; each token its own jti.
    for name in ("origin_jti", "event_id", "auth_time", "iat"):
        assert access[name] == id_claims[name]
    assert access["jti"] != id_claims["jti"]
    # A second sign-in is another session.
    again = claims(sign_in(cognito, client_id, "alice")["AccessToken"])
    assert again["origin_jti"] != access["origin_jti"] and again["event_id"] != access["event_id"]


def test_device_key_claim(server, world):
    result = issue(
        server,
        world["pool_id"],
        world["client_id"],
        "alice",
        device_key="us-east-1_0a1b2c3d-0000-4000-8000-000000000001",
    )
    assert claims(result["AccessToken"])["device_key"] == "us-east-1_0a1b2c3d-0000-4000-8000-000000000001"
    assert "device_key" not in claims(result["IdToken"])


def test_read_attributes_limit_the_id_token(server, cognito, world):
    client = make_client(cognito, world["pool_id"], ReadAttributes=["email", "custom:tier"])
    id_claims = claims(sign_in(cognito, client["ClientId"], "alice")["IdToken"])
    assert id_claims["email"] == "alice@example.com" and id_claims["custom:tier"] == "gold"
    for hidden in ("given_name", "email_verified", "phone_number", "phone_number_verified"):
        assert hidden not in id_claims
    assert id_claims["sub"] == world["alice"]["sub"]


def test_user_without_groups_has_no_group_claims(server, cognito, world):
    add_user(server, world["pool_id"], "bob", {"email": "bob@example.com"})
    result = sign_in(cognito, world["client_id"], "bob")
    for token in (result["IdToken"], result["AccessToken"]):
        assert not {"cognito:groups", "cognito:roles", "cognito:preferred_role"} & set(claims(token))
    assert "email_verified" not in claims(result["IdToken"])


def test_preferred_role_needs_a_single_best_group(server, cognito, world):
    add_user(
        server,
        world["pool_id"],
        "carol",
        groups=[("left", 3, ROLE_ADMIN), ("right", 3, ROLE_READER), ("low", 9, "arn:aws:iam::1:role/x")],
    )
    id_claims = claims(sign_in(cognito, world["client_id"], "carol")["IdToken"])
    assert set(id_claims["cognito:roles"]) == {ROLE_ADMIN, ROLE_READER, "arn:aws:iam::1:role/x"}
    assert "cognito:preferred_role" not in id_claims


def test_lifetimes_follow_the_client_validity_and_units(cognito, world):
    client = make_client(
        cognito,
        world["pool_id"],
        AccessTokenValidity=5,
        IdTokenValidity=2,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours"},
    )
    result = sign_in(cognito, client["ClientId"], "alice")
    access, id_claims = claims(result["AccessToken"]), claims(result["IdToken"])
    assert access["exp"] - access["iat"] == 300 and result["ExpiresIn"] == 300
    assert id_claims["exp"] - id_claims["iat"] == 7200


def test_client_without_token_revocation(cognito, world):
    client = make_client(cognito, world["pool_id"], EnableTokenRevocation=False)
    result = sign_in(cognito, client["ClientId"], "alice")
    for token in (result["IdToken"], result["AccessToken"]):
        assert "origin_jti" not in claims(token) and "jti" not in claims(token)
    with pytest.raises(ClientError) as excinfo:
        cognito.revoke_token(Token=result["RefreshToken"], ClientId=client["ClientId"])
    assert error_of(excinfo)[0] == "UnsupportedOperationException"


def test_username_attributes_pool_uses_the_sub_as_username(server, cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client = make_client(cognito, pool_id)
    dave = add_user(server, pool_id, "dave@example.com", {"email_verified": "true"})
    result = sign_in(cognito, client["ClientId"], "dave@example.com")
    assert claims(result["IdToken"])["cognito:username"] == dave["sub"] == dave["username"]
    assert claims(result["IdToken"])["email"] == "dave@example.com"
    assert claims(result["AccessToken"])["username"] == dave["sub"]


# --- refresh -------------------------------------------------------------------------------------------
def test_get_tokens_from_refresh_token(server, cognito, world):
    client_id = world["client_id"]
    first = sign_in(cognito, client_id, "alice")
    server.emulator.set_clock_offset(120)
    result = cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client_id)[
        "AuthenticationResult"
    ]
    assert "RefreshToken" not in result  # no rotation: the client keeps its refresh token
    old, new = claims(first["AccessToken"]), claims(result["AccessToken"])
    assert new["iat"] >= old["iat"] + 120 and new["exp"] == new["iat"] + 3600
    assert new["origin_jti"] == old["origin_jti"] and new["auth_time"] == old["auth_time"]
    assert new["jti"] != old["jti"]
    new_id = claims(result["IdToken"])
    assert new_id["iat"] == new["iat"] and new_id["origin_jti"] == old["origin_jti"]
    assert new_id["email"] == "alice@example.com"
    assert check_access_token(server, cognito, result["AccessToken"]) is None


def test_refresh_token_auth_through_initiate_auth(server, cognito, world):
    pool_id, client_id = world["pool_id"], world["client_id"]
    first = sign_in(cognito, client_id, "alice")
    server.emulator.set_clock_offset(60)
    for flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        result = cognito.initiate_auth(
            ClientId=client_id, AuthFlow=flow, AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}
        )["AuthenticationResult"]
        assert claims(result["AccessToken"])["iat"] >= claims(first["AccessToken"])["iat"] + 60
        assert "RefreshToken" not in result
    admin = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )["AuthenticationResult"]
    assert claims(admin["IdToken"])["origin_jti"] == claims(first["IdToken"])["origin_jti"]


def test_bad_refresh_tokens(server, cognito, world):
    pool_id, client_id = world["pool_id"], world["client_id"]
    first = sign_in(cognito, client_id, "alice")
    other_client = make_client(cognito, pool_id)["ClientId"]
    for token, client in (
        ("not-a-token", client_id),
        (first["RefreshToken"][:-4] + "AAAA", client_id),
        (first["RefreshToken"], other_client),  # issued to another client
    ):
        with pytest.raises(ClientError) as excinfo:
            cognito.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client)
        assert error_of(excinfo) == ("NotAuthorizedException", "Invalid Refresh Token.")
    server.emulator.set_clock_offset(30 * 86400)  # the default RefreshTokenValidity: 30 days
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client_id)
    assert error_of(excinfo) == ("NotAuthorizedException", "Refresh Token has expired")


def test_refresh_token_shape(cognito, world):
    token = sign_in(cognito, world["client_id"], "alice")["RefreshToken"]
    segments = token.split(".")
    assert len(segments) == 5 and all(segments)
    assert jwt.utils.base64url_decode(segments[0]) == b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}'


def test_refresh_with_client_secret(server, cognito, world):
    client = make_client(cognito, world["pool_id"], GenerateSecret=True)
    first = issue(server, world["pool_id"], client["ClientId"], "alice")
    for secret, expected in ((None, "NotAuthorizedException"), ("x" * 51, "NotAuthorizedException")):
        with pytest.raises(ClientError) as excinfo:
            cognito.get_tokens_from_refresh_token(
                RefreshToken=first["RefreshToken"],
                ClientId=client["ClientId"],
                **({"ClientSecret": secret} if secret else {}),
            )
        assert error_of(excinfo)[0] == expected
    result = cognito.get_tokens_from_refresh_token(
        RefreshToken=first["RefreshToken"], ClientId=client["ClientId"], ClientSecret=client["ClientSecret"]
    )["AuthenticationResult"]
    assert claims(result["IdToken"])["aud"] == client["ClientId"]


def test_rotation(server, cognito, world):
    client = make_client(
        cognito,
        world["pool_id"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
    )
    client_id = client["ClientId"]
    first = sign_in(cognito, client_id, "alice")
    server.emulator.set_clock_offset(5)
    rotated = cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client_id)[
        "AuthenticationResult"
    ]
    assert rotated["RefreshToken"] != first["RefreshToken"]
    assert claims(rotated["AccessToken"])["origin_jti"] == claims(first["AccessToken"])["origin_jti"]
    server.emulator.set_clock_offset(12)  # within the grace period, the old token still works (retries)
    cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client_id)
    server.emulator.set_clock_offset(15)
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client_id)
    assert error_of(excinfo)[0] == "RefreshTokenReuseException"
    newer = cognito.get_tokens_from_refresh_token(RefreshToken=rotated["RefreshToken"], ClientId=client_id)[
        "AuthenticationResult"
    ]
    assert "RefreshToken" in newer
    # A rotated refresh token runs out when the original would have (30 days after sign-in).
    server.emulator.set_clock_offset(30 * 86400)
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(RefreshToken=newer["RefreshToken"], ClientId=client_id)
    assert error_of(excinfo) == ("NotAuthorizedException", "Refresh Token has expired")


def test_rotation_without_grace_and_refresh_token_auth_refused(server, cognito, world):
    client = make_client(
        cognito,
        world["pool_id"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )
    first = sign_in(cognito, client["ClientId"], "alice")
    with pytest.raises(ClientError) as excinfo:
        cognito.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"
    cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client["ClientId"])
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client["ClientId"])
    assert error_of(excinfo)[0] == "RefreshTokenReuseException"


# --- revocation ----------------------------------------------------------------------------------------
def test_revoke_token(server, cognito, world):
    client_id = world["client_id"]
    session = sign_in(cognito, client_id, "alice")
    other = sign_in(cognito, client_id, "alice")
    refreshed = cognito.get_tokens_from_refresh_token(
        RefreshToken=session["RefreshToken"], ClientId=client_id
    )["AuthenticationResult"]
    assert cognito.revoke_token(Token=session["RefreshToken"], ClientId=client_id)["ResponseMetadata"]
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(RefreshToken=session["RefreshToken"], ClientId=client_id)
    assert error_of(excinfo) == ("NotAuthorizedException", "Refresh Token has been revoked")
    # Every access token issued from the revoked refresh token stops working, the other session doesn't.
    assert check_access_token(server, cognito, session["AccessToken"]) == REVOKED
    assert check_access_token(server, cognito, refreshed["AccessToken"]) == REVOKED
    assert check_access_token(server, cognito, other["AccessToken"]) is None
    cognito.get_tokens_from_refresh_token(RefreshToken=other["RefreshToken"], ClientId=client_id)


def test_revoke_token_errors(server, cognito, world):
    pool_id, client_id = world["pool_id"], world["client_id"]
    session = sign_in(cognito, client_id, "alice")
    with pytest.raises(ClientError) as excinfo:
        cognito.revoke_token(Token=session["AccessToken"], ClientId=client_id)
    assert error_of(excinfo)[0] == "UnsupportedTokenTypeException"
    # An unknown token, or one of another client, is answered with success and revokes nothing.
    cognito.revoke_token(Token="abc.def.ghi.jkl.mno", ClientId=client_id)
    other_client = make_client(cognito, pool_id)["ClientId"]
    cognito.revoke_token(Token=session["RefreshToken"], ClientId=other_client)
    assert check_access_token(server, cognito, session["AccessToken"]) is None
    secret_client = make_client(cognito, pool_id, GenerateSecret=True)
    secret_session = issue(server, pool_id, secret_client["ClientId"], "alice")
    for secret in (None, "wrongsecretwrongsecretwrongsecret"):
        with pytest.raises(ClientError) as excinfo:
            cognito.revoke_token(
                Token=secret_session["RefreshToken"],
                ClientId=secret_client["ClientId"],
                **({"ClientSecret": secret} if secret else {}),
            )
        assert error_of(excinfo)[0] == "UnauthorizedException"
    cognito.revoke_token(
        Token=secret_session["RefreshToken"],
        ClientId=secret_client["ClientId"],
        ClientSecret=secret_client["ClientSecret"],
    )
    assert check_access_token(server, cognito, secret_session["AccessToken"]) == REVOKED


def test_global_sign_out(server, cognito, world):
    client_id = world["client_id"]
    phone = sign_in(cognito, client_id, "alice")
    laptop = sign_in(cognito, client_id, "alice")
    cognito.global_sign_out(AccessToken=phone["AccessToken"])
    for session in (phone, laptop):
        assert check_access_token(server, cognito, session["AccessToken"]) == REVOKED
        with pytest.raises(ClientError) as excinfo:
            cognito.get_tokens_from_refresh_token(RefreshToken=session["RefreshToken"], ClientId=client_id)
        assert error_of(excinfo) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError) as excinfo:
        cognito.global_sign_out(AccessToken=phone["AccessToken"])
    assert error_of(excinfo) == REVOKED
    # Signing in again (even within the same second) gives working tokens.
    fresh = sign_in(cognito, client_id, "alice")
    assert check_access_token(server, cognito, fresh["AccessToken"]) is None


def test_global_sign_out_for_client_without_revocation(server, cognito, world):
    client = make_client(cognito, world["pool_id"], EnableTokenRevocation=False)
    session = sign_in(cognito, client["ClientId"], "alice")
    cognito.global_sign_out(AccessToken=session["AccessToken"])
    assert check_access_token(server, cognito, session["AccessToken"]) == REVOKED
    server.emulator.set_clock_offset(2)
    fresh = sign_in(cognito, client["ClientId"], "alice")
    assert check_access_token(server, cognito, fresh["AccessToken"]) is None


def test_disabled_and_deleted_users(server, cognito, world):
    pool_id, client_id = world["pool_id"], world["client_id"]
    session = sign_in(cognito, client_id, "alice")
    update_user(server, pool_id, "alice", enabled=False)
    assert check_access_token(server, cognito, session["AccessToken"]) == (
        "NotAuthorizedException",
        "User is disabled.",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(RefreshToken=session["RefreshToken"], ClientId=client_id)
    assert error_of(excinfo) == ("NotAuthorizedException", "User is disabled.")
    update_user(server, pool_id, "alice", enabled=True)
    assert check_access_token(server, cognito, session["AccessToken"]) is None
    delete_user(server, pool_id, "alice")
    assert check_access_token(server, cognito, session["AccessToken"]) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(RefreshToken=session["RefreshToken"], ClientId=client_id)
    assert error_of(excinfo) == ("NotAuthorizedException", "Invalid Refresh Token.")


# --- refused access tokens -----------------------------------------------------------------------------
def _forge(token: str, key: rsa.RSAPrivateKey, **changes: object) -> str:
    payload = {**claims(token), **changes}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": header(token)["kid"], "typ": None})


def test_expired_access_token(server, cognito, world):
    session = sign_in(cognito, world["client_id"], "alice")
    server.emulator.set_clock_offset(3590)
    assert check_access_token(server, cognito, session["AccessToken"]) is None
    server.emulator.set_clock_offset(3601)
    expired = ("NotAuthorizedException", "Access Token has expired")
    assert check_access_token(server, cognito, session["AccessToken"]) == expired
    with pytest.raises(ClientError) as excinfo:
        cognito.global_sign_out(AccessToken=session["AccessToken"])
    assert error_of(excinfo) == expired


def test_forged_altered_and_foreign_access_tokens_are_refused(server, cognito, world):
    client_id = world["client_id"]
    session = sign_in(cognito, client_id, "alice")
    access = session["AccessToken"]
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    head, payload, signature = access.split(".")
    altered_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"alice"', b'"mallo"')
    ).decode()
    other_pool = make_pool(cognito, PoolName="other")
    other_client = make_client(cognito, other_pool)
    add_user(server, other_pool, "alice")
    foreign = sign_in(cognito, other_client["ClientId"], "alice")["AccessToken"]
    refused = {
        "signed by another key": _forge(access, stranger),
        "altered payload": f"{head}.{altered_payload}.{signature}",
        "signature stripped": f"{head}.{payload}.",
        "alg none": jwt.encode(claims(access), None, algorithm="none"),
        "id token": session["IdToken"],
        "garbage": "eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
        # Signed by the other pool's key but claiming to come from this pool.
        "other pool, this iss": _forge(
            foreign, stranger, iss=claims(access)["iss"], client_id=client_id, sub=world["alice"]["sub"]
        ),
    }
    for label, token in refused.items():
        assert check_access_token(server, cognito, token) == INVALID, label
    # A genuine token of the other pool is the other pool's user, not this pool's.
    assert claims(foreign)["iss"].endswith(other_pool)
    assert check_access_token(server, cognito, foreign) is None


def test_token_of_another_pool_refused_where_a_pool_is_expected(server, world, cognito):
    from test_tokens_support import store

    from emulator.protocol.errors import NotAuthorizedException
    from emulator.store.models import UserPool
    from emulator.userpools import tokens

    session = sign_in(cognito, world["client_id"], "alice")
    other_pool = make_pool(cognito, PoolName="other")
    with store(server) as ctx:
        assert tokens.authenticate(ctx, session["AccessToken"]).user.username == "alice"
        with pytest.raises(NotAuthorizedException, match="^Invalid Access Token$"):
            tokens.authenticate(ctx, session["AccessToken"], pool=ctx.db.get(UserPool, other_pool))


def test_refresh_token_auth_with_client_secret(server, cognito, world):
    from emulator.crypto.secret_hash import compute_secret_hash

    client = make_client(cognito, world["pool_id"], GenerateSecret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    first = issue(server, world["pool_id"], client_id, "alice")

    def refresh(**parameters: str) -> dict:
        return cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"], **parameters},
        )["AuthenticationResult"]

    with pytest.raises(ClientError) as excinfo:
        refresh()
    assert error_of(excinfo) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured with secret but SECRET_HASH was not received",
    )
    with pytest.raises(ClientError) as excinfo:
        refresh(SECRET_HASH=compute_secret_hash(client_id, secret, "mallory"))
    assert error_of(excinfo) == (
        "NotAuthorizedException",
        f"SecretHash does not match for the client: {client_id}",
    )
    result = refresh(SECRET_HASH=compute_secret_hash(client_id, secret, "alice"))
    assert claims(result["AccessToken"])["username"] == "alice"


def test_refresh_with_another_device_key_is_refused(server, cognito, world):
    client_id = world["client_id"]
    first = issue(
        server,
        world["pool_id"],
        client_id,
        "alice",
        device_key="us-east-1_0a1b2c3d-0000-4000-8000-00000000000a",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(
            RefreshToken=first["RefreshToken"],
            ClientId=client_id,
            DeviceKey="us-east-1_0a1b2c3d-0000-4000-8000-00000000000b",
        )
    assert error_of(excinfo) == ("NotAuthorizedException", "Invalid Refresh Token.")
    result = cognito.get_tokens_from_refresh_token(
        RefreshToken=first["RefreshToken"],
        ClientId=client_id,
        DeviceKey="us-east-1_0a1b2c3d-0000-4000-8000-00000000000a",
    )["AuthenticationResult"]
    assert claims(result["AccessToken"])["device_key"] == "us-east-1_0a1b2c3d-0000-4000-8000-00000000000a"


def test_admin_operations_end_sessions(server, cognito, world):
    pool_id, client_id = world["pool_id"], world["client_id"]
    session = sign_in(cognito, client_id, "alice")
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=session["AccessToken"])
    assert error_of(excinfo) == REVOKED
    session = sign_in(cognito, client_id, "alice")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=session["AccessToken"])
    assert error_of(excinfo) == ("NotAuthorizedException", "User is disabled.")
    # AdminDisableUser also revoked the user's tokens: enabling the user again doesn't bring them back.
    cognito.admin_enable_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=session["AccessToken"])
    assert error_of(excinfo) == REVOKED
    session = sign_in(cognito, client_id, "alice")
    assert cognito.get_user(AccessToken=session["AccessToken"])["Username"] == "alice"
    cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=session["AccessToken"])
    assert error_of(excinfo) == ("UserNotFoundException", "User does not exist.")
