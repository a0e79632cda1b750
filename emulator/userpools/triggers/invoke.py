"""Running a trigger: find the pool's function for it, call it, and turn failures into Cognito's errors.

Cognito waits 5 seconds for a trigger. A function that raises gives UserLambdaValidationException
("<Trigger> failed with error <message>."), one that cannot be reached or times out gives
UnexpectedLambdaException, and an answer that is not an event gives InvalidLambdaResponseException.
A trigger never takes the server down.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from emulator.store.models import UserPool
from emulator.store.write_lock import WriteNeeded, in_read_attempt
from emulator.userpools.triggers import targets

log = logging.getLogger("emulator.triggers")
TIMEOUT_SECONDS = 5.0


def function_arn(pool: UserPool, trigger: str) -> str | None:
    """The ARN the pool's LambdaConfig gives for ``trigger`` (PreTokenGenerationConfig and the custom senders
    keep theirs one level down)."""
    config = pool.config.get("LambdaConfig") or {}
    if trigger == "PreTokenGeneration":
        nested = (config.get("PreTokenGenerationConfig") or {}).get("LambdaArn")
        return nested or config.get("PreTokenGeneration")
    value = config.get(trigger)
    if isinstance(value, dict):
        return value.get("LambdaArn")
    return value


def configured(pool: UserPool, trigger: str) -> bool:
    return bool(function_arn(pool, trigger))


class _LambdaContext:
    """The parts of Lambda's context object handlers commonly use."""

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = name
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "cognito-emulator"
        self._deadline = time.monotonic() + TIMEOUT_SECONDS

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _HandlerError(Exception):
    """The function itself failed (raised, or answered with a function error)."""


_file_modules: dict[str, Any] = {}


def _load_module(name: str) -> Any:
    """A dotted module name, or a path to a .py file (relative to the working directory)."""
    if not name.endswith(".py"):
        return importlib.import_module(name)
    path = os.path.abspath(name)
    if path not in _file_modules:
        spec = importlib.util.spec_from_file_location(f"cognito_trigger_{len(_file_modules)}", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {name}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _file_modules[path] = module
    return _file_modules[path]


def _call_python(target: str, event: dict[str, Any], name: str) -> Any:
    spec = target[len("python:") :]
    module_name, _, attribute = spec.rpartition(":") if ":" in spec else (spec, "", "handler")
    try:
        handler = getattr(_load_module(module_name), attribute or "handler")
    except (ImportError, AttributeError, OSError, SyntaxError) as exc:
        raise UnexpectedLambdaException(f"The trigger handler {spec} cannot be loaded: {exc}") from None
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = handler(event, _LambdaContext(name))
        except Exception as exc:  # the handler's own failure, reported to the caller as Cognito does
            outcome["error"] = exc

    thread = threading.Thread(target=run, name=f"trigger-{name}", daemon=True)
    thread.start()
    thread.join(TIMEOUT_SECONDS)
    if thread.is_alive():
        raise UnexpectedLambdaException(f"{name} timed out after {TIMEOUT_SECONDS:g} seconds.")
    if "error" in outcome:
        raise _HandlerError(str(outcome["error"]))
    return outcome.get("result")


def _call_http(endpoint: str, event: dict[str, Any], name: str) -> Any:
    url = f"{endpoint.rstrip('/')}/2015-03-31/functions/{name}/invocations"
    request = urllib.request.Request(
        url,
        data=json.dumps(event).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Amz-Invocation-Type": "RequestResponse"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read()
            function_error = response.headers.get("X-Amz-Function-Error")
    except urllib.error.HTTPError as exc:
        raise UnexpectedLambdaException(f"{name} could not be invoked: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise UnexpectedLambdaException(f"{name} could not be invoked: {exc}") from None
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        raise InvalidLambdaResponseException(f"{name} returned a response that is not JSON.") from None
    if function_error:
        message = payload.get("errorMessage") if isinstance(payload, dict) else None
        raise _HandlerError(message or function_error)
    return payload


def invoke(ctx: Context, pool: UserPool, trigger: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run the pool's ``trigger`` with ``event``; return the event as the function answered it."""
    if in_read_attempt(ctx.db):
        # A trigger is an effect outside the database: it runs once, in the writing run (store.write_lock).
        raise WriteNeeded()
    arn = function_arn(pool, trigger)
    if not arn:
        raise UnexpectedLambdaException(f"No {trigger} trigger is configured for the user pool.")
    target = targets.resolve(ctx.db, arn)
    if target is None:
        raise UnexpectedLambdaException(
            f"The emulator does not know where to run {arn}: map it with --trigger NAME=TARGET or --lambda-endpoint."
        )
    name = targets.function_name(arn)
    started = time.perf_counter()
    outcome = "ok"
    try:
        if target.startswith("python:"):
            result = _call_python(target, copy.deepcopy(event), name)
        else:
            result = _call_http(target, event, name)
        if not isinstance(result, dict) or not isinstance(result.get("response", {}), dict):
            raise InvalidLambdaResponseException(
                f"Invalid {trigger} Lambda response: it must return the event."
            )
        return result
    except _HandlerError as exc:
        outcome = f"error: {exc}"
        raise UserLambdaValidationException(f"{trigger} failed with error {exc}.") from None
    except (UnexpectedLambdaException, InvalidLambdaResponseException) as exc:
        outcome = f"{type(exc).__name__}: {exc.message}"
        raise
    finally:
        log.info(
            "trigger %s (%s) %s -> %s in %.1fms",
            trigger,
            event.get("triggerSource"),
            name,
            outcome,
            (time.perf_counter() - started) * 1000,
        )
