"""A small USER_SRP_AUTH client, the same for every system: InitiateAuth, then RespondToAuthChallenge.

It computes what Amplify and pycognito compute (SRP-6a over the 3072-bit group, Cognito's HKDF and claim
signature), written here independently of the emulator's server code and checked against a real client
(pycognito's AWSSRP) before each run. It uses gmpy2 for the modular exponentiations when present, so that
the load generator spends as little of the shared CPU as possible, and one keep-alive HTTP connection per
client process. Every loop is bounded in time and in count.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import multiprocessing
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from pycognito.aws_srp import G_HEX, INFO_BITS, N_HEX

try:
    import gmpy2

    def powmod(base: int, exp: int, mod: int) -> int:
        return int(gmpy2.powmod(base, exp, mod))
except ImportError:  # pragma: no cover
    powmod = pow

N = int(N_HEX, 16)
G = int(G_HEX, 16)
TARGET = "AWSCognitoIdentityProviderService."
AUTH = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0"


def _pad_text(text: str) -> str:
    # Java's BigInteger.toByteArray() in hex: even length, and a leading 00 when the top bit is set.
    if len(text) % 2:
        return "0" + text
    if text[0] in "89abcdefABCDEF":
        return "00" + text
    return text


def _pad(value: int) -> bytes:
    return bytes.fromhex(_pad_text(format(value, "x")))


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


K_MULT = int.from_bytes(_h(_pad(N) + _pad(G)), "big")


class Client:
    def __init__(self, port: int, pool_id: str, client_id: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.pool_name = pool_id.split("_", 1)[1]
        self.client_id = client_id

    def call(self, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.connection.request(
            "POST",
            "/",
            json.dumps(body),
            {
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": TARGET + operation,
                "Authorization": AUTH,
            },
        )
        response = self.connection.getresponse()
        payload = response.read()
        try:
            return response.status, json.loads(payload or b"{}")
        except ValueError:
            return response.status, {"raw": payload[:200].decode("latin-1")}

    def sign_in(self, username: str, password: str) -> tuple[bool, str]:
        """One SRP sign-in; (True, "") when tokens came back, else (False, why)."""
        # 256 bits, RFC 5054's minimum for the secret: Amplify draws 1024, which costs this load generator about
        # 4x the CPU in the two exponentiations with a, CPU the server under test shares; the server cannot
        # tell the difference (A = g^a is all it sees).
        a = secrets.randbits(256)
        big_a = powmod(G, a, N)
        status, answer = self.call(
            "InitiateAuth",
            {
                "AuthFlow": "USER_SRP_AUTH",
                "ClientId": self.client_id,
                "AuthParameters": {"USERNAME": username, "SRP_A": format(big_a, "x")},
            },
        )
        if status != 200:
            return False, answer.get("__type") or answer.get("message") or str(status)
        if answer.get("ChallengeName") != "PASSWORD_VERIFIER":
            return False, f"challenge {answer.get('ChallengeName')}"
        params = answer["ChallengeParameters"]
        try:
            big_b = int(params["SRP_B"], 16)
            salt = bytes.fromhex(_pad_text(params["SALT"]))
            user_id = params["USER_ID_FOR_SRP"]
            secret_block = params["SECRET_BLOCK"]
        except (KeyError, ValueError) as exc:
            return False, f"unusable challenge parameters ({exc})"
        u = int.from_bytes(_h(_pad(big_a) + _pad(big_b)), "big")
        inner = _h(f"{self.pool_name}{user_id}:{password}".encode())
        x = int.from_bytes(_h(salt + inner), "big")
        s = powmod((big_b - K_MULT * powmod(G, x, N)) % N, a + u * x, N)
        prk = hmac.new(_pad(u), _pad(s), hashlib.sha256).digest()
        key = hmac.new(prk, bytes(INFO_BITS) + b"\x01", hashlib.sha256).digest()[:16]
        timestamp = re.sub(r" 0(\d) ", r" \1 ", datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y"))
        try:
            block = base64.b64decode(secret_block, validate=True)
        except ValueError:  # moto's SECRET_BLOCK is not base64 (it accepts any signature anyway)
            block = secret_block.encode()
        message = self.pool_name.encode() + user_id.encode() + block + timestamp.encode()
        signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        body = {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ClientId": self.client_id,
            "ChallengeResponses": {
                # As Amplify and pycognito do: the challenge's USERNAME (moto's USER_ID_FOR_SRP is the sub).
                "USERNAME": params.get("USERNAME", user_id),
                "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
                "PASSWORD_CLAIM_SIGNATURE": signature,
                "TIMESTAMP": timestamp,
            },
        }
        if answer.get("Session"):
            body["Session"] = answer["Session"]
        status, answer = self.call("RespondToAuthChallenge", body)
        if status != 200:
            return False, answer.get("__type") or answer.get("message") or str(status)
        if "AccessToken" not in (answer.get("AuthenticationResult") or {}):
            return False, "no tokens"
        return True, ""


def _loop(args: tuple[int, str, str, str, str, float, int]) -> dict[str, Any]:
    port, pool_id, client_id, username, password, seconds, limit = args
    client = Client(port, pool_id, client_id)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and len(latencies) + sum(errors.values()) < limit:
        started = time.perf_counter()
        try:
            ok, why = client.sign_in(username, password)
        except (OSError, http.client.HTTPException) as exc:
            ok, why = False, type(exc).__name__
            client = Client(port, pool_id, client_id)
        if ok:
            latencies.append(time.perf_counter() - started)
        else:
            errors[why] = errors.get(why, 0) + 1
    return {"latencies": latencies, "errors": errors}


def run_loop(
    port: int,
    pool_id: str,
    client_id: str,
    username: str,
    password: str,
    *,
    seconds: float,
    processes: int,
    limit: int = 100_000,
) -> dict[str, Any]:
    """SRP sign-ins from ``processes`` concurrent clients for ``seconds``: rate, p99 and errors."""
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        parts = pool.map(_loop, [(port, pool_id, client_id, username, password, seconds, limit)] * processes)
    elapsed = time.perf_counter() - started
    latencies = sorted(value for part in parts for value in part["latencies"])
    errors: dict[str, int] = {}
    for part in parts:
        for why, count in part["errors"].items():
            errors[why] = errors.get(why, 0) + count
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None
    return {
        "ok": len(latencies),
        "rate": len(latencies) / seconds if latencies else 0.0,
        "p99_ms": p99 * 1000 if p99 is not None else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "elapsed": elapsed,
    }
