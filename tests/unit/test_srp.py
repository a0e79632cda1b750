"""Server-side SRP (emulator.crypto.srp) against pycognito's AWSSRP as the independent client.

pycognito talks to a tiny in-memory fake of the two cognito-idp calls it makes, so the whole
USER_SRP_AUTH -> PASSWORD_VERIFIER exchange runs exactly as the client library runs it.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pycognito import aws_srp

from emulator.crypto import srp

POOL_ID = "us-east-1_Demo00001"
POOL_NAME = "Demo00001"
CLIENT_ID = "testclient123"


class NotAuthorized(Exception):
    pass


class FakeCognito:
    """Just enough of a boto3 cognito-idp client for AWSSRP.authenticate_user, built on the server module.

    ``tamper`` may rewrite the client's ChallengeResponses before they are checked.
    """

    def __init__(self, pool_name: str = POOL_NAME) -> None:
        self.pool_name = pool_name
        self.users: dict[str, tuple[str, str]] = {}
        self.sessions: dict[str, dict[str, str]] = {}
        self.tamper: Any = None
        self.last_timestamp: str | None = None

    def add_user(self, username: str, password: str, salt: bytes | None = None) -> None:
        self.users[username] = srp.compute_verifier(self.pool_name, username, password, salt)

    # boto3 signatures (keyword arguments)
    def initiate_auth(self, *, AuthFlow: str, AuthParameters: dict[str, str], ClientId: str) -> dict:  # noqa: N803
        assert AuthFlow == "USER_SRP_AUTH"
        username = AuthParameters["USERNAME"]
        salt_hex, verifier_hex = self.users[username]
        b_hex, big_b_hex = srp.new_server_ephemeral(verifier_hex)
        secret_block = base64.b64encode(secrets.token_bytes(48)).decode()
        self.sessions[secret_block] = {"b": b_hex, "A": AuthParameters["SRP_A"], "user": username}
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": "s" * 20,
            "ChallengeParameters": {
                "SALT": salt_hex,
                "SRP_B": big_b_hex,
                "SECRET_BLOCK": secret_block,
                "USER_ID_FOR_SRP": username,
                "USERNAME": username,
            },
        }

    def respond_to_auth_challenge(
        self,
        *,
        ClientId: str,
        ChallengeName: str,
        ChallengeResponses: dict[str, str],
        **_: Any,  # noqa: N803
    ) -> dict:
        assert ChallengeName == "PASSWORD_VERIFIER"
        responses = dict(ChallengeResponses)
        issued_block = responses["PASSWORD_CLAIM_SECRET_BLOCK"]
        if self.tamper is not None:
            responses = self.tamper(responses)
        session = self.sessions.pop(issued_block)
        username = responses["USERNAME"]
        assert username == session["user"]
        salt_hex, verifier_hex = self.users[username]
        self.last_timestamp = responses["TIMESTAMP"]
        srp.parse_timestamp(responses["TIMESTAMP"])
        ok = srp.verify_password_claim(
            pool_name=self.pool_name,
            user_id_for_srp=username,
            salt_hex=salt_hex,
            verifier_hex=verifier_hex,
            b_hex=session["b"],
            A_hex=session["A"],
            secret_block_b64=responses["PASSWORD_CLAIM_SECRET_BLOCK"],
            timestamp=responses["TIMESTAMP"],
            signature_b64=responses["PASSWORD_CLAIM_SIGNATURE"],
        )
        if not ok:
            raise NotAuthorized("Incorrect username or password.")
        return {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "RefreshToken": "r"}}


def sign_in(fake: FakeCognito, username: str, password: str) -> dict:
    client = aws_srp.AWSSRP(username, password, POOL_ID, CLIENT_ID, client=fake)
    return client.authenticate_user()


@pytest.fixture
def fake_cognito() -> FakeCognito:
    s = FakeCognito()
    s.add_user("alice", "Correct-Horse-1")
    return s


# ---------------------------------------------------------------------------------------------- constants


def test_group_constants_match_the_clients() -> None:
    assert aws_srp.hex_to_long(aws_srp.N_HEX) == srp.N
    assert srp.N.bit_length() == 3072
    assert srp.g == 2
    assert srp.k == aws_srp.AWSSRP("u", "p", POOL_ID, CLIENT_ID, client=object()).val_k


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "00"),
        (1, "01"),
        (0x7F, "7f"),
        (0x80, "0080"),
        (0x123, "0123"),
        (0xFF00, "00ff00"),
        (0x7FFF, "7fff"),
    ],
)
def test_pad_hex(value: int, expected: str) -> None:
    assert srp.pad_hex(value) == expected
    assert srp.pad_hex(value) == aws_srp.pad_hex(value)


def test_pad_hex_matches_pycognito_on_random_values() -> None:
    for bits in (1, 7, 8, 9, 255, 256, 3071, 3072):
        for _ in range(20):
            v = secrets.randbits(bits)
            assert srp.pad_hex(v) == aws_srp.pad_hex(v)


# ---------------------------------------------------------------------------------------------- full flow


def test_correct_password_is_accepted(fake_cognito: FakeCognito) -> None:
    assert sign_in(fake_cognito, "alice", "Correct-Horse-1")["AuthenticationResult"]["AccessToken"] == "a"


def test_wrong_password_is_rejected(fake_cognito: FakeCognito) -> None:
    with pytest.raises(NotAuthorized):
        sign_in(fake_cognito, "alice", "Correct-Horse-2")


def test_other_pool_name_is_rejected() -> None:
    # Same user and password, verifier made for another pool: the client mixes in POOL_NAME.
    other = FakeCognito(pool_name="Other0001")
    other.add_user("alice", "Correct-Horse-1")
    other.pool_name = POOL_NAME
    with pytest.raises(NotAuthorized):
        sign_in(other, "alice", "Correct-Horse-1")


@pytest.mark.parametrize(
    "salt",
    [
        bytes(16),  # all zero: the salt integer is 0
        b"\x00\x00" + secrets.token_bytes(14),  # leading zero bytes vanish from the canonical hex
        b"\x80" + secrets.token_bytes(15),  # high bit set: canonical hex gets "00" in front
        b"\x7f" + secrets.token_bytes(15),
        b"\x0f" + secrets.token_bytes(15),  # high nibble 0: no odd-length trouble
    ],
    ids=["zero", "leading-zero-bytes", "high-bit", "7f", "0f"],  # fixed ids: xdist needs stable names
)
def test_salt_edge_cases_interoperate(salt: bytes) -> None:
    s = FakeCognito()
    s.add_user("bob", "pw", salt=salt)
    salt_hex, _ = s.users["bob"]
    assert salt_hex == srp.pad_hex(int.from_bytes(salt, "big"))
    # pycognito pads the string, Amplify re-pads the parsed integer: canonical form makes them agree.
    assert aws_srp.pad_hex(salt_hex) == srp.pad_hex(int(salt_hex, 16)) == salt_hex
    assert sign_in(s, "bob", "pw")
    with pytest.raises(NotAuthorized):
        sign_in(s, "bob", "pw!")


def test_unicode_user_and_password() -> None:
    s = FakeCognito()
    s.add_user("zoë@example.com", "pässwörd-日本")
    assert sign_in(s, "zoë@example.com", "pässwörd-日本")
    with pytest.raises(NotAuthorized):
        sign_in(s, "zoë@example.com", "passwörd-日本")


def test_verifier_is_g_to_the_x_with_client_formula() -> None:
    salt_hex, verifier_hex = srp.compute_verifier(POOL_NAME, "alice", "pw", bytes.fromhex("11" * 16))
    inner = aws_srp.hash_sha256(f"{POOL_NAME}alice:pw".encode())
    x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt_hex) + inner))
    assert int(verifier_hex, 16) == pow(2, x, srp.N)
    assert salt_hex == "11" * 16


def test_fresh_salt_and_ephemeral_each_time() -> None:
    a = srp.compute_verifier(POOL_NAME, "alice", "pw")
    b = srp.compute_verifier(POOL_NAME, "alice", "pw")
    assert a[0] != b[0] and a[1] != b[1]
    b1, big_b1 = srp.new_server_ephemeral(a[1])
    b2, big_b2 = srp.new_server_ephemeral(a[1])
    assert b1 != b2 and big_b1 != big_b2
    assert 0 < int(big_b1, 16) < srp.N


# ---------------------------------------------------------------------------------------------- tampering


def _flip_b64(value: str) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: {**r, "PASSWORD_CLAIM_SECRET_BLOCK": _flip_b64(r["PASSWORD_CLAIM_SECRET_BLOCK"])},
        lambda r: {**r, "PASSWORD_CLAIM_SIGNATURE": _flip_b64(r["PASSWORD_CLAIM_SIGNATURE"])},
        lambda r: {
            **r,
            "TIMESTAMP": srp.format_timestamp(srp.parse_timestamp(r["TIMESTAMP"]) + timedelta(seconds=1)),
        },
    ],
    ids=["secret_block", "signature", "timestamp"],
)
def test_tampered_responses_are_rejected(fake_cognito: FakeCognito, tamper: Any) -> None:
    fake_cognito.tamper = tamper
    with pytest.raises(NotAuthorized):
        sign_in(fake_cognito, "alice", "Correct-Horse-1")


def _client_answer(
    timestamp: str, password: str = "Correct-Horse-1"
) -> tuple[dict[str, Any], dict[str, str]]:
    """One PASSWORD_VERIFIER round computed by pycognito with a chosen TIMESTAMP string.

    Returns (kwargs for verify_password_claim, the client's ChallengeResponses).
    """
    salt_hex, verifier_hex = srp.compute_verifier(POOL_NAME, "alice", "Correct-Horse-1")
    client = aws_srp.AWSSRP("alice", password, POOL_ID, CLIENT_ID, client=object())
    # pycognito stamps the current time; pin it (an instance attribute shadows the staticmethod).
    client.get_cognito_formatted_timestamp = lambda _dt: timestamp
    b_hex, big_b_hex = srp.new_server_ephemeral(verifier_hex)
    block = base64.b64encode(b"opaque session handle").decode()
    params = {"SALT": salt_hex, "SRP_B": big_b_hex, "SECRET_BLOCK": block, "USER_ID_FOR_SRP": "alice"}
    answer = client.process_challenge(params, {"USERNAME": "alice"})
    kwargs = {
        "pool_name": POOL_NAME,
        "user_id_for_srp": "alice",
        "salt_hex": salt_hex,
        "verifier_hex": verifier_hex,
        "b_hex": b_hex,
        "A_hex": client.get_auth_params()["SRP_A"],
        "secret_block_b64": answer["PASSWORD_CLAIM_SECRET_BLOCK"],
        "timestamp": answer["TIMESTAMP"],
        "signature_b64": answer["PASSWORD_CLAIM_SIGNATURE"],
    }
    return kwargs, answer


@pytest.fixture(scope="module")
def claim() -> dict[str, Any]:
    """A valid claim by the right password, shared by the tests that only alter one field of it."""
    return _client_answer("Mon Nov 2 03:04:05 UTC 2026")[0]


@pytest.mark.parametrize("timestamp", ["Mon Nov 2 03:04:05 UTC 2026", "Mon Nov 02 03:04:05 UTC 2026"])
def test_padded_and_unpadded_timestamps(timestamp: str) -> None:
    kwargs, answer = _client_answer(timestamp)
    assert answer["TIMESTAMP"] == timestamp
    assert srp.verify_password_claim(**kwargs)
    assert srp.parse_timestamp(timestamp) == datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)
    # The signature covers the exact string: the other spelling of the same instant does not verify.
    other = timestamp.replace(" 2 ", " 02 ") if " 2 " in timestamp else timestamp.replace(" 02 ", " 2 ")
    assert not srp.verify_password_claim(**{**kwargs, "timestamp": other})


@pytest.mark.parametrize(
    ("timestamp", "accepted"),
    [
        ("Mon Nov 2 03:04:05 UTC 2026", True),  # canonical, as Amplify and pycognito send it
        ("Mon Nov 02 03:04:05 UTC 2026", False),  # zero-padded day
        ("Tue Nov 2 03:04:05 UTC 2026", False),  # wrong weekday
    ],
)
def test_cognito_faithful_canonical_timestamp(timestamp: str, accepted: bool) -> None:
    """Verifying over format_timestamp(parse_timestamp(ts)) reproduces Cognito's reported behaviour."""
    kwargs, _ = _client_answer(timestamp)
    canonical = srp.format_timestamp(srp.parse_timestamp(timestamp))
    assert srp.verify_password_claim(**{**kwargs, "timestamp": canonical}) is accepted
    assert srp.verify_password_claim(**kwargs) is True  # verbatim: the signature itself is fine


def test_wrong_password_direct() -> None:
    kwargs, _ = _client_answer("Mon Nov 2 03:04:05 UTC 2026", password="nope")
    assert srp.verify_password_claim(**kwargs) is False


def test_other_user_id_or_pool_is_rejected(claim: dict[str, Any]) -> None:
    kwargs = claim
    assert srp.verify_password_claim(**kwargs) is True
    assert srp.verify_password_claim(**{**kwargs, "user_id_for_srp": "alicE"}) is False
    assert srp.verify_password_claim(**{**kwargs, "pool_name": "Demo00002"}) is False


def test_signature_without_base64_padding_or_wrong_length(claim: dict[str, Any]) -> None:
    kwargs = claim
    short = base64.b64encode(base64.b64decode(kwargs["signature_b64"])[:31]).decode()
    assert srp.verify_password_claim(**{**kwargs, "signature_b64": short}) is False
    assert srp.verify_password_claim(**{**kwargs, "signature_b64": ""}) is False


# ---------------------------------------------------------------------------------------------- bad A, u


@pytest.mark.parametrize("big_a", [0, srp.N, 2 * srp.N, 5 * srp.N])
def test_a_multiple_of_n_is_rejected(claim: dict[str, Any], big_a: int) -> None:
    kwargs = claim
    # With A = 0 mod N the server's S is 0: a forged signature from S = 0 must still fail.
    b = int(kwargs["b_hex"], 16)
    big_b = srp.compute_server_public(int(kwargs["verifier_hex"], 16), b)
    u = srp.compute_u(big_a, big_b)
    forged_key = srp.derive_key(0, u)
    forged = srp.compute_claim_signature(
        forged_key, POOL_NAME, "alice", base64.b64decode(kwargs["secret_block_b64"]), kwargs["timestamp"]
    )
    forged_kwargs = {
        **kwargs,
        "A_hex": format(big_a, "x"),
        "signature_b64": base64.b64encode(forged).decode(),
    }
    assert srp.verify_password_claim(**forged_kwargs) is False
    assert srp.verify_password_claim(**{**forged_kwargs, "A_hex": srp.pad_hex(big_a)}) is False


def test_u_zero_is_rejected(claim: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = claim
    assert srp.verify_password_claim(**kwargs) is True
    monkeypatch.setattr(srp, "compute_u", lambda _a, _b: 0)
    assert srp.verify_password_claim(**kwargs) is False


# ---------------------------------------------------------------------------------------------- malformed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("A_hex", ""),
        ("A_hex", "-1"),
        ("A_hex", "0x1f"),
        ("A_hex", "1_f"),
        ("A_hex", " 1f"),
        ("A_hex", "1f\n"),
        ("A_hex", "xyz"),
        ("A_hex", "é"),
        ("A_hex", "f" * 5000),
        ("A_hex", None),
        ("A_hex", 12345),
        ("verifier_hex", "nothex"),
        ("b_hex", ""),
        ("salt_hex", "zz"),
        ("secret_block_b64", "not base64!"),
        ("secret_block_b64", "abc"),  # bad padding
        ("secret_block_b64", "ü"),
        ("secret_block_b64", None),
        ("signature_b64", "%%%"),
        ("signature_b64", "é"),
        ("timestamp", None),
        ("timestamp", "\ud800"),  # a lone surrogate (JSON can carry one) cannot be UTF-8 encoded
        ("user_id_for_srp", "\udfff"),
        ("pool_name", 7),
    ],
)
def test_malformed_input_raises_only_value_error(claim: dict[str, Any], field: str, value: Any) -> None:
    kwargs = claim
    with pytest.raises(ValueError):
        srp.verify_password_claim(**{**kwargs, field: value})


def test_parse_hex_int() -> None:
    assert srp.parse_hex_int("00Ff") == 255
    for bad in ("", "+1", "-1", "0x1", "1 ", "٣"):  # the last one is an Arabic-Indic digit
        with pytest.raises(ValueError):
            srp.parse_hex_int(bad)


def test_lone_surrogate_password_raises_value_error() -> None:
    with pytest.raises(ValueError):
        srp.compute_verifier(POOL_NAME, "alice", "pw\ud800")


def test_new_server_ephemeral_rejects_bad_verifier() -> None:
    with pytest.raises(ValueError):
        srp.new_server_ephemeral("not hex")


# ---------------------------------------------------------------------------------------------- timestamps


def test_format_timestamp_examples() -> None:
    assert (
        srp.format_timestamp(datetime(2026, 11, 22, 2, 14, 3, tzinfo=UTC)) == "Sun Nov 22 02:14:03 UTC 2026"
    )
    assert srp.format_timestamp(datetime(2026, 11, 2, 2, 4, 3, tzinfo=UTC)) == "Mon Nov 2 02:04:03 UTC 2026"
    # Naive datetimes are taken as UTC; aware ones are converted.
    assert srp.format_timestamp(datetime(2026, 1, 1, 0, 0, 0)) == "Thu Jan 1 00:00:00 UTC 2026"
    plus_two = timezone(timedelta(hours=2))
    assert (
        srp.format_timestamp(datetime(2026, 1, 1, 1, 0, 0, tzinfo=plus_two)) == "Wed Dec 31 23:00:00 UTC 2025"
    )


def test_format_timestamp_matches_pycognito_every_day_of_a_leap_year() -> None:
    start = datetime(2028, 1, 1, 0, 0, 0)
    for i in range(366):
        dt = start + timedelta(days=i, seconds=i * 7919)
        text = srp.format_timestamp(dt)
        assert text == aws_srp.AWSSRP.get_cognito_formatted_timestamp(dt)
        assert srp.parse_timestamp(text) == dt.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "Sun Nov 22 02:14:03 UTC 2026\n",
        " Sun Nov 22 02:14:03 UTC 2026",
        "Sun Nov  2 02:14:03 UTC 2026",  # asctime-style space padding
        "Sun Nov 022 02:14:03 UTC 2026",
        "Sun Nov 22 2:14:03 UTC 2026",
        "Sun Nov 22 02:14:03 GMT 2026",
        "Sun Nov 22 02:14:03 UTC 26",
        "sun nov 22 02:14:03 UTC 2026",
        "Sunday Nov 22 02:14:03 UTC 2026",
        "Sun Foo 22 02:14:03 UTC 2026",
        "Xyz Nov 22 02:14:03 UTC 2026",
        "Mon Feb 30 02:14:03 UTC 2026",
        "Sun Nov 22 24:14:03 UTC 2026",
        "Sun Nov 22 02:60:03 UTC 2026",
        "Sun Nov 22 02:14:03 UTC ٢٠٢٦",
        "2026-11-22T02:14:03Z",
    ],
)
def test_parse_timestamp_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        srp.parse_timestamp(bad)


def test_parse_timestamp_does_not_cross_check_the_weekday() -> None:
    # 22 Nov 2026 is a Sunday; see test_cognito_faithful_canonical_timestamp for what happens next.
    assert srp.parse_timestamp("Mon Nov 22 02:14:03 UTC 2026") == datetime(2026, 11, 22, 2, 14, 3, tzinfo=UTC)


def test_parse_timestamp_rejects_non_string() -> None:
    with pytest.raises(ValueError):
        srp.parse_timestamp(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- device SRP


def test_generic_helpers_verify_a_device_claim() -> None:
    """DEVICE_PASSWORD_VERIFIER uses the same math with realm=DeviceGroupKey, identity=DeviceKey."""
    group_key, device_key = "-Xa1b2c3d4", "us-east-1_0f1e2d3c-aaaa-bbbb-cccc-111122223333"
    device_password, config = aws_srp.generate_hash_device(group_key, device_key)
    verifier_hex = base64.b64decode(config["PasswordVerifier"]).hex()
    salt_hex = base64.b64decode(config["Salt"]).hex()
    b_hex, big_b_hex = srp.new_server_ephemeral(verifier_hex)
    client = aws_srp.AWSSRP(
        "alice",
        "unused",
        POOL_ID,
        CLIENT_ID,
        client=object(),
        device_key=device_key,
        device_group_key=group_key,
        device_password=device_password,
    )
    block = base64.b64encode(b"device session").decode()
    answer = client.process_device_challenge(
        {"USERNAME": "alice", "SALT": salt_hex, "SRP_B": big_b_hex, "SECRET_BLOCK": block}
    )
    kwargs = {
        "pool_name": group_key,
        "user_id_for_srp": device_key,
        "salt_hex": salt_hex,
        "verifier_hex": verifier_hex,
        "b_hex": b_hex,
        "A_hex": client.get_auth_params()["SRP_A"],
        "secret_block_b64": answer["PASSWORD_CLAIM_SECRET_BLOCK"],
        "timestamp": answer["TIMESTAMP"],
        "signature_b64": answer["PASSWORD_CLAIM_SIGNATURE"],
    }
    srp.parse_timestamp(answer["TIMESTAMP"])
    assert srp.verify_password_claim(**kwargs) is True
    assert srp.verify_password_claim(**{**kwargs, "pool_name": POOL_NAME}) is False


def test_pure_python_powmod_gives_the_same_answers(
    claim: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback used when gmpy2 is missing."""
    monkeypatch.setattr(srp, "_powmod", pow)
    assert srp.verify_password_claim(**claim) is True
    assert srp.verify_password_claim(**{**claim, "user_id_for_srp": "bob"}) is False
