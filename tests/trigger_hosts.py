"""Run the example trigger handlers (fixtures/triggers/) either in-process or behind a Lambda Invoke API.

``trigger_host`` is parametrized over both, so every trigger test proves both ways of running a function.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from emulator.userpools.triggers import targets
from emulator.userpools.triggers.invoke import _load_module

HANDLERS = "fixtures/triggers"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


class _InvokeApi(BaseHTTPRequestHandler):
    """POST /2015-03-31/functions/{name}/invocations, as SAM CLI's start-lambda serves it."""

    functions: dict[str, Any] = {}

    def do_POST(self) -> None:  # noqa: N802
        name = self.path.split("/functions/")[1].split("/")[0]
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        headers = {}
        try:
            body = self.functions[name](event, None)
        except Exception as exc:  # reported the way Lambda reports a function error
            body = {"errorMessage": str(exc), "errorType": type(exc).__name__}
            headers["X-Amz-Function-Error"] = "Unhandled"
        payload = json.dumps(body).encode()
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


class TriggerHost:
    def __init__(self, server: Any, mode: str, endpoint: str | None) -> None:
        self.server, self.mode, self.endpoint = server, mode, endpoint

    def map(self, name: str, file: str, function: str) -> str:
        """Make function ``name`` run ``fixtures/triggers/<file>.py:<function>``; returns its ARN."""
        with self.server.emulator.database.session() as session, session.begin():
            if self.mode == "python":
                targets.set_target(session, name, f"python:{HANDLERS}/{file}.py:{function}")
            else:
                _InvokeApi.functions[name] = getattr(_load_module(f"{HANDLERS}/{file}.py"), function)
                targets.set_target(session, name, self.endpoint)
        return ARN.format(name)


@pytest.fixture(scope="session")
def _invoke_api() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _InvokeApi)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(params=["python", "invoke-api"])
def trigger_host(request: pytest.FixtureRequest, server: Any, _invoke_api: str) -> TriggerHost:
    return TriggerHost(server, request.param, _invoke_api)
