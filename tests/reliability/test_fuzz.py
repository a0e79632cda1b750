"""Fuzzing from the service model over HTTP: whatever arrives, the answer is a Cognito error or a success,
never a 500, and the server keeps answering normally. A longer run: scripts/fuzz_long.py."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from tests.helpers import PASSWORD, make_client, make_pool, make_user
from tests.reliability import fuzzing

# Bounded for the suite (about 20 s together); FUZZ_EXAMPLES raises them for a one-off deeper run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or None
PER_OPERATION = EXAMPLES or 10
MIXED = EXAMPLES or 100
SUITE = settings(
    max_examples=700,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def make_world(cognito, world: fuzzing.World | None = None) -> fuzzing.World:  # type: ignore[no-untyped-def]
    """A pool with users, clients, a group, tokens and a live sign-in session, for requests to aim at
    (written into ``world`` when given: strategies built on it draw the new values)."""
    pool_id = make_pool(
        cognito,
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True},
    )
    client = make_client(cognito, pool_id)
    secret_client = make_client(cognito, pool_id, GenerateSecret=True)
    make_user(cognito, pool_id, "alice", attributes={"email": "alice@example.com", "email_verified": "true"})
    make_user(cognito, pool_id, "bob", permanent=False)
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    # Identifiers of the newer operations (client secrets, sessions, import jobs, terms, CIMD policies).
    cognito.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 100}
    )
    secret_id = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=secret_client["ClientId"])[
        "ClientSecrets"
    ][0]["ClientSecretId"]
    job_id = cognito.create_user_import_job(
        UserPoolId=pool_id, JobName="fuzz", CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/Import"
    )["UserImportJob"]["JobId"]
    terms_id = cognito.create_terms(
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        TermsName="terms-of-use",
        TermsSource="LINK",
        Enforcement="NONE",
        Links={"cognito:default": "https://example.com/terms"},
    )["Terms"]["TermsId"]
    policy_id = cognito.create_cimd_policy(
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        PolicyName="fuzz",
        URLPatterns=["https://example.com/*"],
    )["CIMDPolicy"]["CIMDPolicyId"]
    tokens = cognito.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    challenge = cognito.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
    )
    world = world or fuzzing.World()
    world.known.update(
        {
            "UserPoolId": [pool_id],
            "ClientId": [client["ClientId"], secret_client["ClientId"]],
            "ClientSecret": [secret_client["ClientSecret"]],
            "Secret": [secret_client["ClientSecret"]],
            "Username": ["alice", "bob", "nobody"],
            "Password": [PASSWORD],
            "ProposedPassword": [PASSWORD],
            "PreviousPassword": [PASSWORD],
            "TemporaryPassword": [PASSWORD],
            "AccessToken": [tokens["AccessToken"]],
            "RefreshToken": [tokens["RefreshToken"]],
            "Token": [tokens["RefreshToken"]],
            "Session": [challenge["Session"]],
            "GroupName": ["admins"],
            "ConfirmationCode": ["123456"],
            "Code": ["123456"],
            "UserCode": ["123456"],
            "ResourceArn": [f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}"],
            "DeviceKey": [tokens["NewDeviceMetadata"]["DeviceKey"]],
            "ClientSecretId": [secret_id],
            "JobId": [job_id],
            "TermsId": [terms_id],
            "CIMDPolicyId": [policy_id],
            "SubjectToken": [tokens["AccessToken"]],
            "SessionId": [
                item["SessionId"]
                for item in cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]
            ],
        }
    )
    return world


def test_requests_drawn_from_the_service_model_get_cognito_answers(http, cognito):
    """Every operation the emulator has built gets its own examples, then any operation of the model."""
    world = make_world(cognito)

    def check(drawn: tuple[str, object]) -> None:
        operation, body = drawn
        response = fuzzing.send_operation(http, operation, body)
        fuzzing.check_answer(response, f"{operation} {body!r:.300}")
        if fuzzing.spoils_world(operation, response):
            make_world(cognito, world)

    for operation in fuzzing.BUILT:
        settings(SUITE, max_examples=PER_OPERATION)(given(fuzzing.request(world, operation))(check))()
    settings(SUITE, max_examples=MIXED)(given(fuzzing.request(world))(check))()
    fuzzing.check_alive(http)


def make_identity_world(cognito, identity, world: fuzzing.World | None = None) -> fuzzing.World:  # type: ignore[no-untyped-def]
    """An identity pool trusting a user pool's client, with a developer provider, a guest and a signed-in
    identity, for identity pool requests to aim at."""
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "alice")
    id_token = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    pool = identity.create_identity_pool(
        IdentityPoolName="fuzz",
        AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=True,
        DeveloperProviderName="login.fuzz",
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id}],
    )["IdentityPoolId"]
    identity.set_identity_pool_roles(
        IdentityPoolId=pool,
        Roles={
            "authenticated": "arn:aws:iam::123456789012:role/a",
            "unauthenticated": "arn:aws:iam::123456789012:role/u",
        },
    )
    guest = identity.get_id(IdentityPoolId=pool)["IdentityId"]
    user = identity.get_id(IdentityPoolId=pool, Logins={provider: id_token})["IdentityId"]
    developer = identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool, Logins={"login.fuzz": "dev-1"}
    )
    world = world or fuzzing.World(service=fuzzing.IDENTITY)
    world.known.update(
        {
            "IdentityPoolId": [pool],
            "IdentityId": [guest, user, developer["IdentityId"]],
            "IdentityIdsToDelete": [guest],
            "DeveloperProviderName": ["login.fuzz"],
            "DeveloperUserIdentifier": ["dev-1", "dev-2"],
            "SourceUserIdentifier": ["dev-1"],
            "DestinationUserIdentifier": ["dev-2"],
            "IdentityProviderName": [provider],
            "ResourceArn": [f"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{pool}"],
            "CustomRoleArn": ["arn:aws:iam::123456789012:role/a"],
        }
    )
    return world


def test_identity_pool_requests_drawn_from_its_model_get_cognito_answers(http, cognito, identity):
    """The same for cognito-identity: every operation of its registry, then any operation of its model."""
    world = make_identity_world(cognito, identity)

    def check(drawn: tuple[str, object]) -> None:
        operation, body = drawn
        response = fuzzing.send_operation(http, operation, body, fuzzing.IDENTITY)
        fuzzing.check_answer(response, f"{operation} {body!r:.300}")
        if response.status_code == 200 and operation.startswith(("Delete", "Merge", "Unlink", "Update")):
            make_identity_world(cognito, identity, world)

    for operation in fuzzing.IDENTITY_BUILT:
        settings(SUITE, max_examples=PER_OPERATION)(given(fuzzing.request(world, operation))(check))()
    settings(SUITE, max_examples=MIXED)(given(fuzzing.request(world))(check))()
    fuzzing.check_alive(http)


def test_protocol_garbage_gets_cognito_answers(http):
    @settings(SUITE, max_examples=EXAMPLES or 200)
    @given(fuzzing.raw_request())
    def one(drawn: tuple[str, bytes, dict[str, str]]) -> None:
        target, body, headers = drawn
        fuzzing.check_answer(
            fuzzing.send(http, target, body, headers), f"{target!r} {body[:200]!r} {headers}"
        )

    one()
    fuzzing.check_alive(http)


def test_every_operation_with_an_empty_and_a_wrong_typed_body(http):
    """The deterministic corner: each operation once with {} and once with every member of the wrong type."""
    for operation in fuzzing.OPERATIONS:
        fuzzing.check_answer(fuzzing.send_operation(http, operation, {}), f"{operation} {{}}")
        shape_name = fuzzing.service_model.input_shape_name(operation)
        members = fuzzing._shapes()[shape_name].get("members", {}) if shape_name else {}
        for wrong in ([1], {"a": None}, 3.5, True):
            body = {name: wrong for name in members}
            fuzzing.check_answer(fuzzing.send_operation(http, operation, body), f"{operation} {body!r:.200}")
    for operation in fuzzing.IDENTITY_OPERATIONS:
        what = f"cognito-identity {operation}"
        fuzzing.check_answer(fuzzing.send_operation(http, operation, {}, fuzzing.IDENTITY), f"{what} {{}}")
        shape_name = fuzzing.service_model.input_shape_name(operation, fuzzing.IDENTITY)
        members = fuzzing._shapes(fuzzing.IDENTITY)[shape_name].get("members", {}) if shape_name else {}
        for wrong in ([1], {"a": None}, 3.5, True):
            body = {name: wrong for name in members}
            response = fuzzing.send_operation(http, operation, body, fuzzing.IDENTITY)
            fuzzing.check_answer(response, f"{what} {body!r:.200}")
    fuzzing.check_alive(http)
