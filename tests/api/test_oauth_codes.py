"""Authorization codes (emulator.userpools.oauth.codes) and the authorize-side scope rules
(emulator.userpools.oauth.scopes), in process through Emulator.run: hashes only, single use, 5 minutes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from emulator.store.models import UserPoolClient
from emulator.store.models_oauth import AuthorizationCode
from emulator.testing.oauth import authorization_code, pkce_pair
from emulator.userpools.oauth import codes, issue, scopes
from emulator.userpools.oauth.errors import OAuthError
from tests.helpers import make_pool, make_user

REDIRECT = "http://localhost:3000/"


@pytest.fixture
def app(cognito) -> dict:  # type: ignore[no-untyped-def]
    pool = make_pool(cognito, PoolName="codes")
    cognito.create_resource_server(
        UserPoolId=pool, Identifier="api", Name="api", Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}]
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="web",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code", "implicit"],
        AllowedOAuthScopes=["openid", "email", "aws.cognito.signin.user.admin", "api/read"],
        CallbackURLs=[REDIRECT],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    make_user(cognito, pool, "alice", attributes={"email": "alice@example.com"})
    return {"pool": pool, "client": client["ClientId"]}


def _redeem(server, client_id: str, **kwargs):  # type: ignore[no-untyped-def]
    def run(ctx):  # type: ignore[no-untyped-def]
        client = ctx.db.get(UserPoolClient, client_id)
        return codes.redeem_code(ctx, client, **kwargs).scopes

    return server.emulator.run(run, name="OAuth2Token")


def _error(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(OAuthError) as caught:
        call()
    return caught.value.error


def test_a_code_is_stored_as_a_hash_and_redeemed_once(server, app):
    verifier, challenge = pkce_pair()
    code = authorization_code(
        server.emulator,
        client_id=app["client"],
        username="alice",
        redirect_uri=REDIRECT,
        scopes=["openid", "api/read"],
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    with server.emulator.database.session(write=False) as session:
        stored = session.scalars(select(AuthorizationCode.code_hash)).all()
    assert stored == [codes.code_hash(code)] and code not in stored

    redeem = dict(code=code, redirect_uri=REDIRECT)
    assert _error(lambda: _redeem(server, app["client"], code_verifier=None, **redeem)) == "invalid_grant"
    wrong = pkce_pair()[0]
    assert _error(lambda: _redeem(server, app["client"], code_verifier=wrong, **redeem)) == "invalid_grant"
    assert (
        _error(
            lambda: _redeem(
                server, app["client"], code=code, redirect_uri=REDIRECT + "x", code_verifier=verifier
            )
        )
        == "invalid_grant"
    )
    # The failures above did not use it up; the right verifier does.
    assert _redeem(server, app["client"], code_verifier=verifier, **redeem) == ["openid", "api/read"]
    assert _error(lambda: _redeem(server, app["client"], code_verifier=verifier, **redeem)) == "invalid_grant"


def test_a_code_expires_after_five_minutes_of_the_emulators_clock(server, app):
    code = authorization_code(
        server.emulator, client_id=app["client"], username="alice", redirect_uri=REDIRECT
    )
    server.emulator.set_clock_offset(301)
    try:
        assert (
            _error(
                lambda: _redeem(server, app["client"], code=code, redirect_uri=REDIRECT, code_verifier=None)
            )
            == "invalid_grant"
        )
    finally:
        server.emulator.set_clock_offset(0)
    code = authorization_code(
        server.emulator, client_id=app["client"], username="alice", redirect_uri=REDIRECT
    )
    server.emulator.set_clock_offset(299)
    try:
        assert _redeem(server, app["client"], code=code, redirect_uri=REDIRECT, code_verifier=None)
    finally:
        server.emulator.set_clock_offset(0)


def test_plain_pkce_and_a_challenge_without_method_are_refused(server, app):
    for method, challenge in (("plain", "x" * 43), (None, "x" * 43), ("S256", None)):
        assert (
            _error(
                lambda method=method, challenge=challenge: authorization_code(
                    server.emulator,
                    client_id=app["client"],
                    username="alice",
                    redirect_uri=REDIRECT,
                    code_challenge=challenge,
                    code_challenge_method=method,
                )
            )
            == "invalid_request"
        )


def test_scope_rules_at_authorize(server, app, cognito):
    def granted(requested):  # type: ignore[no-untyped-def]
        def run(ctx):  # type: ignore[no-untyped-def]
            return scopes.granted_scopes(ctx, ctx.db.get(UserPoolClient, app["client"]), requested)

        return server.emulator.run(run, name="Authorize", writes=False)

    assert granted(None) == ["openid", "email", "aws.cognito.signin.user.admin", "api/read"]
    assert granted("  ") == ["openid", "email", "aws.cognito.signin.user.admin", "api/read"]
    assert granted("openid api/read openid") == ["openid", "api/read"]
    # Not enabled on the client (a standard scope, a custom one, an unknown one), malformed: invalid_scope.
    for bad in ("openid phone", "openid api/write", "openid nonsense", 'openid "quoted"', "profile"):
        assert _error(lambda bad=bad: granted(bad)) == "invalid_scope"
    # A custom scope its resource server no longer defines is inactive: left out, without an error.
    cognito.update_resource_server(UserPoolId=app["pool"], Identifier="api", Name="api", Scopes=[])
    assert granted("openid api/read") == ["openid"]
    assert granted(None) == ["openid", "email", "aws.cognito.signin.user.admin"]


def test_implicit_tokens_have_no_refresh_token_and_an_id_token_only_with_openid(server, app):
    import jwt

    def run(requested, nonce=None):  # type: ignore[no-untyped-def]
        return server.emulator.run(
            lambda ctx: issue.implicit_tokens(
                ctx, client_id=app["client"], username="alice", scopes=requested, nonce=nonce
            ),
            name="Authorize",
        )

    fields = issue.oauth_fields(run(["openid", "api/read"], nonce="n-0S6_WzA2Mj"))
    assert set(fields) == {"id_token", "access_token", "expires_in", "token_type"}
    assert fields["token_type"] == "Bearer" and fields["expires_in"] == 3600
    access = jwt.decode(fields["access_token"], options={"verify_signature": False})
    assert access["scope"] == "openid api/read" and "event_id" not in access
    identity = jwt.decode(fields["id_token"], options={"verify_signature": False})
    assert identity["nonce"] == "n-0S6_WzA2Mj" and identity["at_hash"] and "event_id" not in identity

    fields = issue.oauth_fields(run(["api/read"]))
    assert set(fields) == {"access_token", "expires_in", "token_type"}


def test_deleting_the_pool_or_the_user_deletes_its_codes_and_grants(server, app, cognito):
    from emulator.store.models_oauth import OAuthGrant

    authorization_code(server.emulator, client_id=app["client"], username="alice", redirect_uri=REDIRECT)
    server.emulator.run(
        lambda ctx: issue.implicit_tokens(ctx, client_id=app["client"], username="alice", scopes=["openid"]),
        name="Authorize",
    )

    def count(model) -> int:  # type: ignore[no-untyped-def]
        with server.emulator.database.session(write=False) as session:
            return len(session.scalars(select(model)).all())

    assert count(AuthorizationCode) == 1 and count(OAuthGrant) == 1
    cognito.admin_delete_user(UserPoolId=app["pool"], Username="alice")
    assert count(AuthorizationCode) == 0
    cognito.delete_user_pool(UserPoolId=app["pool"])
    assert count(OAuthGrant) == 0
