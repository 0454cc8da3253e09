"""The sandbox's only way out: an HTTP gateway on a Unix socket that records and forwards AWS calls.

It runs in the grader, outside the sandbox. Every request the student's code sends is recorded as
what it is (service, operation, parameters, region, outcome, the keys of the items it returned),
under the step the grader is running; DynamoDB requests go on to the grader's emulator in the run's
own account, anything else is answered with an error. The student's process cannot reach the record:
it only sends requests.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import socketserver
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import botocore.session

from grader.sandbox import expressions
from grader.sandbox.backend import TARGET_PREFIXES, Backend

POLL_SECONDS = 0.02
"""How often the gateway's loop looks for its shutdown: closing a run waits at most this long."""
REQUEST_CAP = 4 << 20
"""Bytes of one request body; DynamoDB's own limit on a batch write is 16 MB, the seed is tiny."""
FORWARDED = {prefix: service for service, prefix in TARGET_PREFIXES.items()}
"""The X-Amz-Target prefixes forwarded, and the service each request must be signed for."""
SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host", "content-length"}


@functools.cache
def operations(service: str) -> frozenset[str]:
    """The service's operation names, spelled exactly as its model spells them."""
    return frozenset(botocore.session.get_session().get_service_model(service).operation_names)


def _error_code(body: bytes) -> str | None:
    """The error code of a JSON protocol error body ('com.amazonaws...#Code' -> 'Code')."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    kind = data.get("__type") if isinstance(data, dict) else None
    return str(kind).rsplit("#", 1)[-1] if kind else None


def returned_keys(parsed: Any) -> list[dict[str, Any]]:
    """The plain keys of the items a read returned (Items, Item, or BatchGetItem's Responses)."""
    if not isinstance(parsed, dict):
        return []
    items = list(parsed.get("Items") or [])
    if parsed.get("Item"):
        items.append(parsed["Item"])
    for table_items in (parsed.get("Responses") or {}).values():
        if isinstance(table_items, list):
            items.extend(table_items)
    return [
        {k: expressions.plain(item[k]) for k in ("customer_id", "order_id") if k in item}
        for item in items
        if isinstance(item, dict)
    ]


class CallLog:
    """The calls of one run, by step; the grader moves the step on, the gateway appends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[list[dict[str, Any]]] = [[]]

    def next_step(self) -> list[dict[str, Any]]:
        """Close the current step (its calls are returned) and start recording the next one."""
        with self._lock:
            self._calls.append([])
            return self._calls[-2]

    def add(self, call: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._calls[-1].append(call)
        return call


class Gateway:
    """A threaded HTTP server on a Unix socket, forwarding to the emulator in the current file's account.

    Each connection belongs to the file that was running when it was opened: a request on a
    connection of an earlier file (something that outlived its run) is refused, never recorded
    under the next file.
    """

    def __init__(self, socket_path: Path, backend: Backend) -> None:
        self.backend = backend
        self.log = CallLog()
        self.account = ""
        self.generation = 0
        self._lock = threading.Lock()
        for service in FORWARDED.values():  # loaded now, not on a student's first call (and clock)
            operations(service)
        handler = type("Handler", (_Handler,), {"gateway": self})
        self._server = _Server(str(socket_path), handler)
        os.chmod(socket_path, 0o666)  # the sandbox's user connects; the folder around it keeps others out
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), name="sandbox-gateway", daemon=True
        )
        self._thread.start()

    def switch(self, account: str) -> None:
        """From now on, new connections are the next file's: a fresh record, that file's account."""
        with self._lock:
            self.log = CallLog()
            self.account = account
            self.generation += 1

    def current(self) -> tuple[int, str]:
        """The generation and account a connection opened now belongs to."""
        with self._lock:
            return self.generation, self.account

    def seal(self) -> list[dict[str, Any]]:
        """End the current file's run: every later request is refused, none reaches its account (even
        one a killed process left in a socket); the calls recorded since its last step."""
        with self._lock:
            self.generation += 1
            self.account = ""
            return self.log.next_step()

    def admit(self, generation: int, call: dict[str, Any]) -> bool:
        """Record the call of a connection opened in `generation`, unless that file's run has ended
        (or none has begun)."""
        with self._lock:
            if generation != self.generation or not self.account:
                return False
            self.log.add(call)
            return True

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    block_on_close = False


class _Handler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    timeout = 60

    def setup(self) -> None:
        super().setup()
        self.generation, self.account = self.gateway.current()

    def address_string(self) -> str:
        return "sandbox"

    def log_message(self, *_: Any) -> None:
        """Requests are recorded, not logged."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = self.headers.get("Content-Length", "0")
        if (
            not length.isdigit()
            or int(length) > REQUEST_CAP
            or "chunked" in self.headers.get("Transfer-Encoding", "")
        ):
            self._answer(
                413, "RequestTooLarge", f"the sandbox accepts requests of at most {REQUEST_CAP} bytes"
            )
            self.close_connection = True
            return
        body = self.rfile.read(int(length))
        call, refusal = self._read_call(body)
        if not self.gateway.admit(self.generation, call):
            self._answer(400, "StaleConnection", "this connection belongs to a run that has ended")
            self.close_connection = True
            return
        if refusal is not None:
            call["error"] = refusal[0]
            self._answer(400, *refusal)
            return
        # made from the record alone: the emulator runs exactly the call recorded
        status, headers, answer = self.gateway.backend.send_call(
            self.account, call["region"], call["service"], call["operation"], body
        )
        if status >= 300:
            call["error"] = _error_code(answer) or str(status)
        else:
            with contextlib.suppress(ValueError):
                call["returned"] = returned_keys(json.loads(answer))
        self._send(status, headers, answer)

    def _read_call(self, body: bytes) -> tuple[dict[str, Any], tuple[str, str] | None]:
        """The request as the record holds it, and why it is not forwarded (error code, message)."""
        signed = [SCOPE.search(value) for value in self.headers.get_all("Authorization", ())]
        region, service = signed[0].groups() if len(signed) == 1 and signed[0] else (None, None)
        targets = self.headers.get_all("X-Amz-Target", ())
        prefix = targets[0].partition(".")[0] if len(targets) == 1 else ""
        operation = ", ".join(target.partition(".")[2] for target in targets)
        call: dict[str, Any] = {
            "service": service or "unknown",
            "operation": operation or f"{self.command} {self.path[:100]}",
            "params": {},
            "region": region,
            "error": None,
            "returned": [],
        }
        if len(signed) > 1 or len(targets) > 1:
            return call, ("DuplicateHeader", "send Authorization and X-Amz-Target once each")
        if self.command != "POST" or self.path != "/" or FORWARDED.get(prefix) != service:
            return call, ("NotAvailableInSandbox", "the grader's sandbox only offers DynamoDB")
        if operation not in operations(service):
            return call, ("UnknownOperationException", f"{service} has no operation {operation[:100]}")
        try:
            params = json.loads(body)
        except ValueError:
            params = None
        if not isinstance(params, dict):
            return call, ("SerializationException", "the request body is not a JSON object")
        call["params"] = params
        if service == "dynamodb" and (message := expressions.reserved_word_error(params)):
            return call, ("ValidationException", message)
        return call, None

    def _answer(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"__type": f"com.amazon.coral.validate#{code}", "message": message}).encode()
        self._send(status, [("Content-Type", "application/x-amz-json-1.0")], body)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
