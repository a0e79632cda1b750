"""A real ``cognito-emulator serve`` in a subprocess, and a concurrent user workload against it.

Used by tests/reliability/test_concurrency.py, test_crash.py, test_postgres.py (bounded) and
scripts/load_long.py (thousands of users). The workload: many client threads, each taking users from a
queue and walking them through sign-up, confirmation with the code from the outbox, sign-in (password or
SRP with pycognito's AWSSRP), refresh, an attribute change and GetUser. Some steps are raced on purpose,
two identical requests at once, where exactly one may win: confirming one code, answering one SRP
challenge session, rotating one refresh token.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from emulator.testing.server import free_port

PASSWORD = "Load-Passw0rd!"
ROOT = Path(__file__).resolve().parents[2]


# --- the server ------------------------------------------------------------------------------------------
class EmulatorProcess:
    """``python -m emulator serve`` in its own process group (its uvicorn workers die with it)."""

    def __init__(self, database: str, log_path: Path, *, workers: int = 2, args: Sequence[str] = ()) -> None:
        self.database = database
        self.log_path = log_path
        self.workers = workers
        self.args = list(args)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> EmulatorProcess:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COGNITO_EMULATOR_")}
        command = [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--port",
            str(self.port),
            "--database",
            self.database,
            "--workers",
            str(self.workers),
            *self.args,
        ]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the emulator exited with {self.process.returncode}:\n{self.log()[-3000:]}"
                )
            try:
                if httpx.get(self.endpoint + "/_emulator/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the emulator did not start:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _signal_group(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the server and its workers at once: nothing gets to clean up."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self._signal_group(signal.SIGTERM)
        if self.process is not None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def boto_client(endpoint: str, **config: Any) -> Any:
    return boto3.session.Session().client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=4, **config),
    )


# --- the world -------------------------------------------------------------------------------------------
@dataclass
class Pool:
    pool_id: str
    client_id: str
    rotating_client_id: str


def make_pool(endpoint: str, name: str = "load") -> Pool:
    cognito = boto_client(endpoint)
    pool_id = cognito.create_user_pool(
        PoolName=name,
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": False, "Mutable": True}],
    )["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=flows
    )["UserPoolClient"]["ClientId"]
    rotating = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="rotating",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )["UserPoolClient"]["ClientId"]
    return Pool(pool_id, client_id, rotating)


# --- the tally -------------------------------------------------------------------------------------------
@dataclass
class Tally:
    """What happened, from the clients' side."""

    calls: collections.Counter[str] = field(default_factory=collections.Counter)
    errors: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    unexpected: list[str] = field(default_factory=list)
    races: collections.Counter[tuple[str, int]] = field(default_factory=collections.Counter)
    done: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # how long each successful call took
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, operation: str, function: Callable[[], Any]) -> Any:
        """Run one request; an error is recorded as unexpected (and re-raised)."""
        started = time.perf_counter()
        try:
            result = function()
        except ClientError as exc:
            self._error(operation, exc, expected=False)
            raise
        except Exception as exc:  # connection errors, timeouts: never expected
            with self.lock:
                self.unexpected.append(f"{operation}: {type(exc).__name__}: {exc}")
            raise
        with self.lock:
            self.calls[operation] += 1
            self.seconds.append(time.perf_counter() - started)
        return result

    def _error(self, operation: str, exc: ClientError, *, expected: bool) -> None:
        code = exc.response["Error"]["Code"]
        message = exc.response["Error"].get("Message", "")
        with self.lock:
            self.calls[operation] += 1
            self.errors[(operation, code)] += 1
            if not expected or "locked" in message.lower():
                self.unexpected.append(f"{operation}: {code}: {message}")

    def race(self, operation: str, function: Callable[[], Any], losers: set[str]) -> Any:
        """Run ``function`` twice at once: exactly one may succeed, the other fails with one of ``losers``.
        Returns the winner's result."""
        results: list[Any] = [None, None]
        failures: list[ClientError | BaseException | None] = [None, None]
        barrier = threading.Barrier(2)

        def attempt(index: int) -> None:
            barrier.wait()
            try:
                results[index] = function()
            except BaseException as exc:
                failures[index] = exc

        threads = [threading.Thread(target=attempt, args=(index,)) for index in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [index for index in (0, 1) if failures[index] is None]
        with self.lock:
            self.races[(operation, len(winners))] += 1
            self.calls[operation] += 2
        for failure in failures:
            if isinstance(failure, ClientError):
                code = failure.response["Error"]["Code"]
                self._error(operation, failure, expected=code in losers)
                with self.lock:
                    self.calls[operation] -= 1  # _error counted it again
            elif failure is not None:
                with self.lock:
                    self.unexpected.append(f"{operation}: {type(failure).__name__}: {failure}")
        if len(winners) != 1:
            with self.lock:
                self.unexpected.append(f"{operation}: {len(winners)} of 2 racing requests won")
            raise RuntimeError(f"{operation}: {len(winners)} winners")
        return results[winners[0]]


# --- the workload ----------------------------------------------------------------------------------------
CONFIRM_LOSERS = {"NotAuthorizedException", "ExpiredCodeException", "CodeMismatchException"}
SESSION_LOSERS = {"NotAuthorizedException"}
ROTATION_LOSERS = {"RefreshTokenReuseException", "NotAuthorizedException"}


def _outbox_code(http: httpx.Client, tally: Tally, pool_id: str, username: str) -> str:
    def fetch() -> str:
        params = {"pool_id": pool_id, "username": username, "limit": 1}
        try:
            response = http.get("/_emulator/messages", params=params)
        except httpx.TransportError:
            # A GET may be sent again, as any HTTP client would after a dropped keep-alive connection.
            response = http.get("/_emulator/messages", params=params)
        response.raise_for_status()
        return response.json()["messages"][0]["code"]

    return tally.call("outbox", fetch)


def user_journey(
    endpoint: str, pool: Pool, username: str, index: int, tally: Tally, cognito: Any, http: Any
) -> None:
    """One user from sign-up to a changed attribute; raced steps on some users."""
    client_id = pool.client_id
    tally.call(
        "SignUp",
        lambda: cognito.sign_up(
            ClientId=client_id,
            Username=username,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        ),
    )
    code = _outbox_code(http, tally, pool.pool_id, username)

    def confirm() -> Any:
        return cognito.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)

    if index % 4 == 0:
        tally.race("ConfirmSignUp", confirm, CONFIRM_LOSERS)
    else:
        tally.call("ConfirmSignUp", confirm)

    if index % 2 == 0:
        tokens = tally.call(
            "InitiateAuth",
            lambda: cognito.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
            ),
        )["AuthenticationResult"]
    else:
        srp = AWSSRP(username, PASSWORD, pool.pool_id, client_id, client=cognito)
        parameters = srp.get_auth_params()
        challenge = tally.call(
            "InitiateAuth",
            lambda: cognito.initiate_auth(
                ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=parameters
            ),
        )
        answers = srp.process_challenge(challenge["ChallengeParameters"], parameters)

        def respond() -> Any:
            return cognito.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="PASSWORD_VERIFIER",
                ChallengeResponses=answers,
                Session=challenge["Session"],
            )

        if index % 8 == 1:
            tokens = tally.race("RespondToAuthChallenge", respond, SESSION_LOSERS)["AuthenticationResult"]
        else:
            tokens = tally.call("RespondToAuthChallenge", respond)["AuthenticationResult"]

    refreshed = tally.call(
        "InitiateAuth",
        lambda: cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        ),
    )["AuthenticationResult"]
    if index % 8 == 3:
        rotating = tally.call(
            "InitiateAuth",
            lambda: cognito.initiate_auth(
                ClientId=pool.rotating_client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
            ),
        )["AuthenticationResult"]
        tally.race(
            "GetTokensFromRefreshToken",
            lambda: cognito.get_tokens_from_refresh_token(
                RefreshToken=rotating["RefreshToken"], ClientId=pool.rotating_client_id
            ),
            ROTATION_LOSERS,
        )
    access = refreshed["AccessToken"]
    tally.call(
        "UpdateUserAttributes",
        lambda: cognito.update_user_attributes(
            AccessToken=access, UserAttributes=[{"Name": "given_name", "Value": f"given-{index}"}]
        ),
    )
    user = tally.call("GetUser", lambda: cognito.get_user(AccessToken=access))
    attributes = {item["Name"]: item["Value"] for item in user["UserAttributes"]}
    if attributes.get("given_name") != f"given-{index}" or user["Username"] != username:
        with tally.lock:
            tally.unexpected.append(f"GetUser {username}: {attributes}")
    with tally.lock:
        tally.done.append(username)


def run_load(
    endpoint: str,
    pool: Pool,
    *,
    users: int,
    concurrency: int = 32,
    prefix: str = "user",
    deadline_seconds: float = 600,
    endpoints: Sequence[str] | None = None,
) -> Tally:
    """Walk ``users`` users through their journey with ``concurrency`` client threads. With several
    ``endpoints`` (servers on one database) each thread talks to one of them."""
    tally = Tally()
    work: queue.Queue[int] = queue.Queue()
    for index in range(users):
        work.put(index)
    stop_at = time.monotonic() + deadline_seconds
    targets = list(endpoints or [endpoint])

    def worker(number: int) -> None:
        target = targets[number % len(targets)]
        cognito = boto_client(target)
        with httpx.Client(base_url=target, timeout=60) as http:
            while time.monotonic() < stop_at:
                try:
                    index = work.get_nowait()
                except queue.Empty:
                    return
                with contextlib.suppress(Exception):  # already in the tally
                    user_journey(target, pool, f"{prefix}{index:06d}", index, tally, cognito, http)

    threads = [threading.Thread(target=worker, args=(number,), daemon=True) for number in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, stop_at - time.monotonic() + 30))
    if not work.empty():
        tally.unexpected.append(f"{work.qsize()} users were never started before the deadline")
    return tally


def list_all_users(endpoint: str, pool_id: str) -> list[dict[str, Any]]:
    cognito = boto_client(endpoint)
    users: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = cognito.list_users(
            UserPoolId=pool_id, Limit=60, **({"PaginationToken": token} if token else {})
        )
        users.extend(page["Users"])
        token = page.get("PaginationToken")
        if not token:
            return users


def check_world(endpoint: str, pool: Pool, tally: Tally, users: int, prefix: str = "user") -> list[str]:
    """Problems with the stored world after a load (empty when all is well): every user there once,
    confirmed, with the changed attribute; one sign-up message each."""
    problems: list[str] = []
    stored = list_all_users(endpoint, pool.pool_id)
    names = [user["Username"] for user in stored]
    subs = [next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub") for user in stored]
    expected = {f"{prefix}{index:06d}" for index in range(users)}
    if len(names) != len(set(names)) or len(subs) != len(set(subs)):
        problems.append("duplicated users or subs")
    if set(names) != expected:
        problems.append(
            f"users missing: {sorted(expected - set(names))[:5]}, extra: {sorted(set(names) - expected)[:5]}"
        )
    for user in stored:
        attributes = {item["Name"]: item["Value"] for item in user["Attributes"]}
        index = int(user["Username"][len(prefix) :])
        if user["UserStatus"] != "CONFIRMED" or attributes.get("given_name") != f"given-{index}":
            problems.append(f"{user['Username']}: {user['UserStatus']} {attributes.get('given_name')}")
    messages = httpx.get(
        endpoint + "/_emulator/messages", params={"pool_id": pool.pool_id, "limit": 10_000}, timeout=60
    ).json()["messages"]
    sign_up = collections.Counter(
        message["username"] for message in messages if message["purpose"] == "SIGN_UP"
    )
    if sign_up != collections.Counter({name: 1 for name in expected}):
        problems.append(f"sign-up messages: {sum(sign_up.values())} for {len(expected)} users")
    return problems
