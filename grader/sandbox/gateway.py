"""The sandbox's only way out: an HTTP gateway on a Unix socket that records and forwards AWS calls.

It runs in the grader, outside the sandbox. Every request the student's code sends is recorded as
what it is (service, operation, parameters, region, outcome, the keys of the items it returned),
under the step the grader is running; DynamoDB requests go on to the grader's emulator in the run's
own account, anything else is answered with an error. The student's process cannot reach the record:
it only sends requests.

Bounded at the boundary: a request is checked against its operation's model and DynamoDB's limits
(grader.sandbox.validation) before the emulator sees it; a sandbox has at most IN_FLIGHT_CAP requests
handled and CONNECTION_CAP connections open at once; a file's record holds at most RECORD_CAP
bytes of requests (later ones are refused, never recorded or run), and every field taken from a
header is cut to FIELD_CAP characters. While the grader reads a run's table no student request runs:
new ones wait, and those in flight must end first.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import socketserver
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from grader.sandbox import expressions, validation
from grader.sandbox.backend import TARGET_PREFIXES, Backend, BackendError

POLL_SECONDS = 0.02
"""How often the gateway's loop looks for its shutdown: closing a run waits at most this long."""
REQUEST_CAP = 1 << 20
"""Bytes of one request body: two items of DynamoDB's largest size; the seed's batches take 3 KB."""
RECORD_CAP = 1 << 20
"""Bytes of requests one file's record holds (bodies, plus RECORD_OVERHEAD a call and a key returned)."""
RECORD_OVERHEAD = 256
FIELD_CAP = 100
"""Characters of a recorded field taken from a header or the path (operation, region, service)."""
RETURNED_CAP = 1000
"""Keys of returned items recorded per call (a page of the seeded table holds 20)."""
IN_FLIGHT_CAP = 4
"""Requests of one sandbox handled at once (read, checked, run in the emulator); more wait their turn."""
CONNECTION_CAP = 16
"""Connections one sandbox holds open at once; more are closed unread."""
CLOSE_GRACE = 2.0
"""Seconds a closing gateway waits for the requests it admitted to end before it spoils the emulator."""
FORWARDED = {prefix: service for service, prefix in TARGET_PREFIXES.items()}
"""The X-Amz-Target prefixes forwarded, and the service each request must be signed for."""
SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([^/,\s]{1,100})/([^/,\s]{1,100})/aws4_request")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host", "content-length"}


@functools.cache
def operations(service: str) -> frozenset[str]:
    """The service's operation names, spelled exactly as its model spells them."""
    return frozenset(validation.service_model(service).operation_names)


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
        for item in items[:RETURNED_CAP]
        if isinstance(item, dict)
    ]


class CallLog:
    """The calls of one run, by step, at most RECORD_CAP bytes of them; the grader moves the step on,
    the gateway appends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[list[dict[str, Any]]] = [[]]
        self.size = 0
        self.refused = 0
        """Requests not recorded (nor run): the record was full."""

    def next_step(self) -> list[dict[str, Any]]:
        """Close the current step (its calls are returned) and start recording the next one."""
        with self._lock:
            self._calls.append([])
            return self._calls[-2]

    def add(self, call: dict[str, Any], size: int) -> bool:
        """Record the call of `size` bytes, unless the record is full."""
        with self._lock:
            if self.size + size + RECORD_OVERHEAD > RECORD_CAP:
                self.refused += 1
                return False
            self.size += size + RECORD_OVERHEAD
            self._calls[-1].append(call)
            return True

    def charge(self, size: int) -> None:
        """Count bytes recorded after the call was (its returned keys)."""
        with self._lock:
            self.size += size


class Gateway:
    """A threaded HTTP server on a Unix socket, forwarding to the emulator in the current file's account.

    Each connection belongs to the file that was running when it was opened: a request on a
    connection of an earlier file (something that outlived its run) is refused, never recorded
    under the next file.
    """

    def __init__(self, socket_path: Path, request_limit: float) -> None:
        self.request_limit = request_limit
        """Seconds the emulator may take over one of the student's requests (their file's limit)."""
        self.backend: Backend | None = None
        self.log = CallLog()
        self.account = ""
        self.generation = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0
        self._paused = False
        self._connections = 0
        for service in FORWARDED.values():  # loaded now, not on a student's first call (and clock)
            operations(service)
        handler = type("Handler", (_Handler,), {"gateway": self})
        self._server = _Server(str(socket_path), handler)
        self._server.gateway = self
        os.chmod(socket_path, 0o666)  # the sandbox's user connects; the folder around it keeps others out
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), name="sandbox-gateway", daemon=True
        )
        self._thread.start()

    def switch(self, account: str, backend: Backend) -> None:
        """From now on, new connections are the next file's: a fresh record, that file's account in
        that emulator."""
        with self._idle:
            self.log = CallLog()
            self.account = account
            self.backend = backend
            self.generation += 1
            self._idle.notify_all()

    def current(self) -> tuple[int, str]:
        """The generation and account a connection opened now belongs to."""
        with self._lock:
            return self.generation, self.account

    def seal(self) -> list[dict[str, Any]]:
        """End the current file's run: every later request is refused, none reaches its account (even
        one a killed process left in a socket); the calls recorded since its last step."""
        with self._idle:
            self.generation += 1
            self.account = ""
            self._idle.notify_all()  # requests waiting for their turn are refused now
            return self.log.next_step()

    def admit(self, generation: int, call: dict[str, Any], size: int) -> str | None:
        """Record the call of `size` bytes of a connection opened in `generation`; why not, when that
        file's run has ended (or none has begun) or its record is full."""
        with self._lock:
            if generation != self.generation or not self.account:
                return "stale"
            return None if self.log.add(call, size) else "full"

    @contextlib.contextmanager
    def handling(self, generation: int) -> Iterator[Backend | tuple[str, str]]:
        """The emulator, for one request of a connection opened in `generation` while it is handled
        (read, checked, recorded, run); the refusal instead when that file's run has ended, or when
        the sandbox's other IN_FLIGHT_CAP requests leave it no turn within the request limit. Waits
        for its turn, and while the grader reads."""

        def stale() -> bool:
            return generation != self.generation or not self.account or self.backend is None

        def busy() -> bool:
            return self._paused or self._in_flight >= IN_FLIGHT_CAP

        with self._idle:
            self._idle.wait_for(lambda: stale() or not busy(), self.request_limit)
            backend: Backend | tuple[str, str] | None = self.backend
            if stale() or backend is None:
                backend = ("StaleConnection", "this connection belongs to a run that has ended")
            elif busy():
                message = f"the sandbox runs at most {IN_FLIGHT_CAP} requests at once"
                backend = ("ThrottlingException", message)
            else:
                self._in_flight += 1
        try:
            yield backend
        finally:
            if isinstance(backend, Backend):
                with self._idle:
                    self._in_flight -= 1
                    self._idle.notify_all()

    @contextlib.contextmanager
    def quiet(self, deadline: float) -> Iterator[bool]:
        """Inside, no student request runs in the emulator (new ones wait); True when those in flight
        ended by the deadline, False when some still run (the student's emulator is busy)."""
        with self._idle:
            self._paused = True
        try:
            yield self.settled(deadline)
        finally:
            with self._idle:
                self._paused = False
                self._idle.notify_all()

    def open_connections(self) -> int:
        with self._lock:
            return self._connections

    def settled(self, deadline: float) -> bool:
        """Whether the requests being handled (the student's, in the emulator) ended by the deadline."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, max(deadline - time.monotonic(), 0))

    def connected(self, opened: bool) -> bool:
        """Count a connection opened (False when CONNECTION_CAP are open already) or closed."""
        with self._lock:
            if opened and self._connections >= CONNECTION_CAP:
                return False
            self._connections += 1 if opened else -1
            return True

    def close(self) -> None:
        """Seal the run (requests waiting for a turn are refused) and stop serving. A request admitted
        before the seal may still be on its way to the emulator, from the grader's own thread, after the
        student's process is gone: unless those end within CLOSE_GRACE, the emulator is spoiled, so it
        is never handed on with a request of this student still to land in it."""
        self.seal()
        if not self.settled(time.monotonic() + CLOSE_GRACE) and self.backend is not None:
            self.backend.spoiled = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    block_on_close = False
    gateway: Gateway

    def verify_request(self, *_: Any) -> bool:
        """Beyond CONNECTION_CAP open connections, a new one is closed before a thread serves it."""
        return self.gateway.open_connections() < CONNECTION_CAP

    def handle_error(self, *_: Any) -> None:
        """A connection the student's side broke (or any request's trouble) is the student's: said to
        no one, never printed on the grader's terminal."""


class _Handler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    timeout = 60

    def setup(self) -> None:
        super().setup()
        self.generation, self.account = self.gateway.current()

    def handle(self) -> None:
        if not self.gateway.connected(True):
            return  # too many open: closed unread
        try:
            super().handle()
        finally:
            self.gateway.connected(False)

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
        with self.gateway.handling(self.generation) as backend:
            body = self.rfile.read(int(length))
            if not isinstance(backend, Backend):
                self._answer(400, *backend)
                self.close_connection = True
                return
            call, refusal = self._read_call(body)
            why = self.gateway.admit(self.generation, call, len(body))
            if why == "full":
                message = f"the sandbox records at most {RECORD_CAP >> 20} MiB of requests per file"
                self._answer(400, "RequestLimitExceeded", message)
            elif why is not None:
                self._answer(400, "StaleConnection", "this connection belongs to a run that has ended")
                self.close_connection = True
            elif refusal is not None:
                call["error"] = refusal[0]
                self._answer(400, *refusal)
            else:
                self._forward(backend, call, body)

    def _forward(self, backend: Backend, call: dict[str, Any], body: bytes) -> None:
        """Have the emulator run the call, made from the record alone (it runs exactly the call
        recorded), within the student's time; answer with what it said."""
        try:
            status, headers, answer = backend.send_call(
                self.account, call["region"], call["service"], call["operation"], body,
                self.gateway.request_limit,
            )  # fmt: skip
        except BackendError as exc:
            call["error"] = "InternalServerError"
            self._answer(500, "InternalServerError", f"{exc} (the sandbox's emulator is stopped)")
            return
        if status >= 300:
            call["error"] = _error_code(answer) or str(status)
        else:
            with contextlib.suppress(ValueError, RecursionError):
                call["returned"] = returned_keys(json.loads(answer))
            self.gateway.log.charge(RECORD_OVERHEAD * len(call["returned"]))
        self._send(status, headers, answer)

    def _read_call(self, body: bytes) -> tuple[dict[str, Any], tuple[str, str] | None]:
        """The request as the record holds it, and why it is not forwarded (error code, message)."""
        signed = [SCOPE.search(value) for value in self.headers.get_all("Authorization", ())]
        region, service = signed[0].groups() if len(signed) == 1 and signed[0] else (None, None)
        targets = self.headers.get_all("X-Amz-Target", ())
        prefix = targets[0].partition(".")[0] if len(targets) == 1 else ""
        operation = ", ".join(target.partition(".")[2] for target in targets)[:FIELD_CAP]
        call: dict[str, Any] = {
            "service": service or "unknown",
            "operation": operation or f"{self.command} {self.path}"[:FIELD_CAP],
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
        except (ValueError, RecursionError):
            params = None
        if not isinstance(params, dict):
            return call, ("SerializationException", "the request body is not a JSON object")
        call["params"] = params
        return call, validation.refusal(service, operation, params)

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
