"""The server side of SRP-6a exactly as Amazon Cognito user pools speak it.

The clients (Amplify JS v6 ``AuthenticationHelper``, amazon-cognito-identity-js, pycognito ``AWSSRP``)
fix every detail; this module mirrors them. Notation (all arithmetic mod N, H = SHA-256)::

    pad(n)  hex of n, even length, "00" prepended when the first nibble is >= 8
            (the unsigned form of Java's BigInteger.toByteArray())
    k       = H(pad(N) || pad(g))
    x       = H(pad(salt) || H(realm || identity || ":" || password))
    v       = g^x                               (the verifier, stored instead of the password)
    B       = k*v + g^b                         (server public value, b secret)
    u       = H(pad(A) || pad(B))
    S       = (A * v^u)^b                       (the client gets the same S as (B - k*g^x)^(a + u*x))
    K       = HMAC(HMAC(key=pad(u), msg=pad(S)), "Caldera Derived Key" || 0x01)[:16]   (one-block HKDF)
    M       = base64(HMAC(K, realm || identity || secret_block || timestamp))

"||" on hex values means concatenating the hex strings and hashing the bytes they stand for.

For a user password (USER_SRP_AUTH -> PASSWORD_VERIFIER) ``realm`` is the pool name (the part of the
pool id after "_") and ``identity`` is USER_ID_FOR_SRP. For a remembered device (DEVICE_SRP_AUTH ->
DEVICE_PASSWORD_VERIFIER) the clients use the same formulas with realm = DeviceGroupKey,
identity = DeviceKey and the random device password; the device verifier and salt arrive ready-made in
ConfirmDevice's DeviceSecretVerifierConfig. That is why the functions below take generic realm/identity
strings (named after the user case, which is the common one).

Everything here is pure: no I/O, no clock (callers pass times in), randomness only from ``secrets``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

# --------------------------------------------------------------------------------------------------
# Modular exponentiation: gmpy2 (GMP) when available, Python's pow otherwise.
#
# Measured on the development machine (2 vCPU VM, CPython 3.11, gmpy2 2.3.2 / GMP 6.3.0): one full
# verify_password_claim (three 3072-bit exponentiations with 256-bit exponents: g^b to rebuild B, v^u,
# then (A*v^u)^b) takes about 2.5 ms with gmpy2 (~400/s) and about 20 ms with pure-Python pow (~50/s).
# A whole USER_SRP_AUTH sign-in on the server (new_server_ephemeral + verify) is ~320/s vs ~40/s.
# --------------------------------------------------------------------------------------------------
try:
    import gmpy2

    def _gmpy2_powmod(base: int, exp: int, mod: int) -> int:
        return int(gmpy2.powmod(base, exp, mod))

    _powmod: Callable[[int, int, int], int] = _gmpy2_powmod
    HAVE_GMPY2 = True
except ImportError:  # pragma: no cover - depends on the environment
    _powmod = pow
    HAVE_GMPY2 = False


# --------------------------------------------------------------------------------------------------
# Group parameters
# --------------------------------------------------------------------------------------------------

#: The 3072-bit MODP group of RFC 3526 (section 4), the one all Cognito clients hard-code.
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
g = 2

#: Bytes of the HKDF "info" input: the label followed by the block counter 0x01.
HKDF_INFO = b"Caldera Derived Key\x01"

#: Length of the derived key K in bytes.
DERIVED_KEY_LEN = 16

#: Size of the server secret b. RFC 5054 asks for at least 256 bits.
SERVER_SECRET_BITS = 256

#: Default salt size, in bytes, for compute_verifier().
SALT_BYTES = 16

# Upper bound on the length of any hex input we parse. A 3072-bit value needs 768 digits (770 padded);
# the bound only stops absurd inputs from costing time, it is not a protocol rule.
_MAX_HEX_DIGITS = 2048
_HEX_RE = re.compile(r"[0-9a-fA-F]+")


def pad_hex(value: int) -> str:
    """Cognito's "padded hex" of a non-negative integer (lower case).

    Even length, with "00" in front when the first nibble is 8-f, so the bytes always read as a
    positive two's-complement number: ``pad_hex(0x80) == "0080"``, ``pad_hex(0x7f) == "7f"``,
    ``pad_hex(0x123) == "0123"``, ``pad_hex(0) == "00"``.
    """
    if value < 0:
        raise ValueError("pad_hex is only defined here for non-negative integers")
    digits = format(value, "x")
    if len(digits) % 2:
        digits = "0" + digits
    if digits[0] in "89abcdef":
        digits = "00" + digits
    return digits


def _pad_bytes(value: int) -> bytes:
    return bytes.fromhex(pad_hex(value))


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def parse_hex_int(value: str, name: str = "value") -> int:
    """Strictly parse a hex string into a non-negative int.

    Only ``[0-9a-fA-F]+`` is accepted (``int(s, 16)`` alone would also take "-1", "0x1", "1_0" and
    surrounding blanks). Raises ValueError, never anything else, for any other input.
    """
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a hex string")
    if len(value) > _MAX_HEX_DIGITS or not _HEX_RE.fullmatch(value):
        raise ValueError(f"{name} is not a valid hex string")
    return int(value, 16)


def _b64decode_strict(value: str, name: str) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:  # binascii.Error and non-ASCII input are both ValueErrors
        raise ValueError(f"{name} is not valid base64") from exc


#: k = H(pad(N) || pad(g)), the SRP-6a multiplier. Fixed for the group.
k = int.from_bytes(_sha256(_pad_bytes(N) + _pad_bytes(g)), "big")


# --------------------------------------------------------------------------------------------------
# Building blocks (generic in realm/identity so the device flow can reuse them)
# --------------------------------------------------------------------------------------------------


def canonical_salt_hex(salt: bytes) -> str:
    """The salt as sent in the SALT challenge parameter: ``pad_hex`` of the salt read as an integer.

    This matters for interoperability. Amplify parses SALT into a BigInteger and re-pads it, while
    pycognito pads the string it received. The two agree only when SALT is already in canonical
    padded form; e.g. a salt starting with byte 0x00 sent as "00ab..." would give different x values
    in the two clients (Amplify would hash "ab...", pycognito "00ab...").
    """
    return pad_hex(int.from_bytes(salt, "big"))


def compute_x(realm: str, identity: str, password: str, salt_hex: str) -> int:
    """x = H(pad(salt) || H(realm || identity || ":" || password)).

    ``salt_hex`` is re-padded from its integer value, as Amplify does. Raises ValueError for a bad
    salt or for a password that cannot be UTF-8 encoded (e.g. lone surrogates).
    """
    salt = parse_hex_int(salt_hex, "salt_hex")
    inner = _sha256(f"{realm}{identity}:{password}".encode())
    return int.from_bytes(_sha256(_pad_bytes(salt) + inner), "big")


def compute_server_public(verifier: int, b: int) -> int:
    """B = (k*v + g^b) mod N."""
    return (k * verifier + _powmod(g, b, N)) % N


def compute_u(A: int, B: int) -> int:
    """u = H(pad(A) || pad(B)), the scrambling parameter."""
    return int.from_bytes(_sha256(_pad_bytes(A) + _pad_bytes(B)), "big")


def compute_server_premaster(A: int, verifier: int, u: int, b: int) -> int:
    """S = (A * v^u)^b mod N, the shared secret as the server computes it."""
    return _powmod(A * _powmod(verifier, u, N) % N, b, N)


def derive_key(S: int, u: int) -> bytes:
    """K: single-block HKDF-SHA256 with salt = pad(u), ikm = pad(S), info = "Caldera Derived Key"."""
    prk = hmac.new(_pad_bytes(u), _pad_bytes(S), hashlib.sha256).digest()
    return hmac.new(prk, HKDF_INFO, hashlib.sha256).digest()[:DERIVED_KEY_LEN]


def compute_claim_signature(
    key: bytes, realm: str, identity: str, secret_block: bytes, timestamp: str
) -> bytes:
    """The raw PASSWORD_CLAIM_SIGNATURE: HMAC-SHA256(K, realm || identity || secret_block || timestamp)."""
    msg = realm.encode() + identity.encode() + secret_block + timestamp.encode()
    return hmac.new(key, msg, hashlib.sha256).digest()


# --------------------------------------------------------------------------------------------------
# The three calls the sign-in engine needs
# --------------------------------------------------------------------------------------------------


def compute_verifier(
    pool_name: str, user_id_for_srp: str, password: str, salt: bytes | None = None
) -> tuple[str, str]:
    """Compute what to store when a password is set: ``(salt_hex, verifier_hex)``.

    ``pool_name`` is the part of the pool id after "_" (``us-east-1_Demo00001`` -> ``Demo00001``) and
    ``user_id_for_srp`` is the value later sent as USER_ID_FOR_SRP (Cognito uses the user name, which is
    the sub in pools with email/phone as user name). Both must be exactly what the client will use, so a
    change of either requires the password to be set again.

    ``salt`` defaults to 16 random bytes. ``salt_hex`` is canonical (see canonical_salt_hex) and must be
    sent unchanged as the SALT challenge parameter. Raises ValueError for a password that cannot be
    UTF-8 encoded.
    """
    if salt is None:
        salt = secrets.token_bytes(SALT_BYTES)
    salt_hex = canonical_salt_hex(salt)
    x = compute_x(pool_name, user_id_for_srp, password, salt_hex)
    return salt_hex, pad_hex(_powmod(g, x, N))


def new_ephemeral_secret() -> tuple[int, int]:
    """A fresh server secret b and g^b mod N: the part of B that does not depend on the user, so that it can
    be computed ahead (emulator.userpools.password_work)."""
    while True:
        b = secrets.randbits(SERVER_SECRET_BITS)
        if b != 0:
            return b, _powmod(g, b, N)


def server_premaster(A_hex: str, verifier_hex: str, b_hex: str) -> tuple[int, int] | None:
    """(u, S) of a PASSWORD_VERIFIER answer as the server computes them; None when the claim must fail
    whatever the signature (A % N == 0 or u == 0). ValueError for values that are not hex."""
    verifier = parse_hex_int(verifier_hex, "verifier_hex")
    b = parse_hex_int(b_hex, "b_hex")
    A = parse_hex_int(A_hex, "A_hex")
    # SRP-6a safety check (RFC 5054 2.5.4): A = 0 mod N makes S = 0 for any password.
    if A % N == 0:
        return None
    u = compute_u(A, compute_server_public(verifier, b))
    if u == 0:
        return None
    return u, compute_server_premaster(A, verifier, u, b)


def new_server_ephemeral(verifier_hex: str, ahead: tuple[int, int] | None = None) -> tuple[str, str]:
    """Start a PASSWORD_VERIFIER challenge: return ``(b_hex, B_hex)``. ``ahead``: a (b, g^b) pair from
    new_ephemeral_secret, computed before (used once).

    ``b_hex`` is secret: keep it in the stored sign-in session, never send it. ``B_hex`` goes out as
    SRP_B (plain lower-case hex; both clients parse it as an integer). B is never 0 mod N: b is drawn
    again in the (astronomically unlikely) case it would be.
    """
    verifier = parse_hex_int(verifier_hex, "verifier_hex")
    while True:
        b, g_b = ahead if ahead is not None else new_ephemeral_secret()
        ahead = None
        B = (k * verifier + g_b) % N
        if B != 0:
            return format(b, "x"), format(B, "x")


def verify_password_claim(
    *,
    pool_name: str,
    user_id_for_srp: str,
    salt_hex: str,
    verifier_hex: str,
    b_hex: str,
    A_hex: str,
    secret_block_b64: str,
    timestamp: str,
    signature_b64: str,
    premasters: Mapping[tuple[str, str, str], tuple[int, int] | None] | None = None,
) -> bool:
    """Check a PASSWORD_VERIFIER answer. True only if the client proved knowledge of the password.

    ``premasters``: server_premaster results computed ahead, by (A_hex, verifier_hex, b_hex); used only for
    exactly these values.

    Arguments: ``pool_name``/``user_id_for_srp`` as in compute_verifier (DeviceGroupKey/DeviceKey for
    the device flow); ``salt_hex``/``verifier_hex`` as stored; ``b_hex`` from new_server_ephemeral;
    ``A_hex`` the client's SRP_A; ``secret_block_b64``, ``timestamp`` and ``signature_b64`` the
    PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE responses, verbatim.

    Outcomes (the caller maps both "False" and "ValueError" to NotAuthorizedException):

    * returns False for a well-formed claim that fails: wrong password (signature mismatch), a client
      value A with A % N == 0 (which would force S = 0 whatever the password), or u == 0;
    * raises ValueError, and nothing else, for malformed input: non-hex A/verifier/b/salt, non-base64
      secret block or signature, strings that cannot be UTF-8 encoded, non-string arguments.

    Not checked here, so the caller must do it: that the secret block is the one issued for this
    session, that the timestamp is close to server time and whether to insist on its canonical
    spelling as Cognito does (see parse_timestamp), that the session is unexpired and single-use. ``salt_hex`` is not needed by the server's arithmetic (v already
    contains it); it is validated and accepted so that call sites mirror the challenge parameters.
    """
    for name, value in (
        ("pool_name", pool_name),
        ("user_id_for_srp", user_id_for_srp),
        ("timestamp", timestamp),
    ):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
    parse_hex_int(salt_hex, "salt_hex")
    secret_block = _b64decode_strict(secret_block_b64, "secret_block_b64")
    signature = _b64decode_strict(signature_b64, "signature_b64")
    key_of = (A_hex, verifier_hex, b_hex)
    if premasters is not None and all(isinstance(value, str) for value in key_of) and key_of in premasters:
        premaster = premasters[key_of]
    else:
        premaster = server_premaster(A_hex, verifier_hex, b_hex)
    if premaster is None:
        return False
    u, S = premaster
    key = derive_key(S, u)
    expected = compute_claim_signature(key, pool_name, user_id_for_srp, secret_block, timestamp)
    return hmac.compare_digest(expected, signature)


# --------------------------------------------------------------------------------------------------
# TIMESTAMP: "Sun Nov 22 02:14:03 UTC 2026" (Java's "EEE MMM d HH:mm:ss 'UTC' yyyy", always English)
# --------------------------------------------------------------------------------------------------

# Fixed English names: strftime("%a %b") would follow the process locale.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # index = datetime.weekday()
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIMESTAMP_RE = re.compile(
    r"(?P<wd>[A-Z][a-z]{2}) (?P<mon>[A-Z][a-z]{2}) (?P<day>[0-9]{1,2}) "
    r"(?P<h>[0-9]{2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2}) UTC (?P<y>[0-9]{4})"
)


def format_timestamp(dt: datetime) -> str:
    """Format ``dt`` as Cognito's SRP TIMESTAMP, in UTC, day of month not padded.

    An aware datetime is converted to UTC; a naive one is taken to be UTC already.
    """
    dt = dt.astimezone(UTC) if dt.tzinfo is not None else dt
    return (
        f"{_WEEKDAYS[dt.weekday()]} {_MONTHS[dt.month - 1]} {dt.day} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} UTC {dt.year:04d}"
    )


def parse_timestamp(s: str) -> datetime:
    """Parse a client's TIMESTAMP into an aware UTC datetime, e.g. to check it is close to server time.

    Accepts the day of month with or without a leading zero ("Mon Nov 2 ..." and "Mon Nov 02 ...").
    The weekday must be one of the seven English abbreviations but is not cross-checked against the
    date. Raises ValueError for anything else (other layout, zone other than "UTC", impossible date).

    How real Cognito behaves, as reported by people who measured it (warrant PR #12 in 2017,
    ministack PR #1758): a zero-padded day ("Sep 05") or a wrong weekday is *parseable* but ends in
    NotAuthorizedException, i.e. Cognito checks the signature over its own canonical spelling of the
    parsed time, while an unparseable TIMESTAMP is an InvalidParameterException ("TIMESTAMP format
    should be EEE MMM d HH:mm:ss z yyyy in english."). To behave the same, pass
    ``format_timestamp(parse_timestamp(ts))`` rather than ``ts`` to verify_password_claim; Amplify and
    current pycognito always send the canonical form, so they are unaffected.
    """
    if not isinstance(s, str):
        raise ValueError("timestamp must be a string")
    match = _TIMESTAMP_RE.fullmatch(s)
    if match is None or match["mon"] not in _MONTHS or match["wd"] not in _WEEKDAYS:
        raise ValueError(f"not a Cognito SRP timestamp: {s!r}")
    return datetime(
        int(match["y"]),
        _MONTHS.index(match["mon"]) + 1,
        int(match["day"]),
        int(match["h"]),
        int(match["m"]),
        int(match["s"]),
        tzinfo=UTC,
    )  # raises ValueError for e.g. "Feb 30" or hour 24
