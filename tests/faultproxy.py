"""A recording, fault-injecting HTTP proxy in front of an emulator (standard library only).

Point the grader at it with ``--target=localstack --endpoint-url=<proxy.endpoint_url>``. Every
request is recorded as the IAM action it needs (``dynamodb:DescribeTable``), whatever its
protocol: JSON (X-Amz-Target), Smithy RPC v2 CBOR (CloudWatch), query (Action=) or REST
(Lambda, matched against botocore's model). Faults are injected per request, each in the error
shape its protocol uses, so botocore parses and retries them as it would real AWS errors.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import botocore.session

from grader.aws.session import iam_action

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
PROXY_SETS = {"content-length", "server", "date"}
"""Response headers the proxy's own server writes."""
CREDENTIAL_SCOPE = re.compile(r"Credential=([^/]+)/[^/]+/[^/]+/([^/]+)/aws4_request")
REST_SERVICES = ("lambda",)


@dataclass(frozen=True)
class Call:
    """One request the proxy saw: the IAM action it needs, and the fault injected, if any."""

    action: str
    fault: str | None
    access_key: str = ""
    """The access key id that signed it."""


@dataclass
class Faults:
    """What to do to requests. Everything may be changed while the proxy runs."""

    throttle_fraction: float = 0.0
    """Share of requests answered with the protocol's throttling error (seeded, reproducible)."""
    throttle_actions: set[str] = field(default_factory=set)
    """Actions throttled every time (past any retries)."""
    throttle_first: dict[str, int] = field(default_factory=dict)
    """Actions throttled on their first N calls only."""
    deny_actions: set[str] = field(default_factory=set)
    """Actions answered with AccessDenied, as AWS answers a role lacking the permission."""
    expired_keys: set[str] = field(default_factory=set)
    """Access key ids whose every request is answered ExpiredToken, as AWS answers keys past their time."""
    delay_actions: dict[str, float] = field(default_factory=dict)
    """Actions answered only after this many seconds."""
    latency: float = 0.0
    """Every request (faults too) answered only after this many seconds: an endpoint far away."""
    failing: str | None = None
    """'503': answer 503 Service Unavailable; 'reset': reset the connection without an answer."""
    failing_fraction: float = 1.0
    """Share of requests that fail that way when ``failing`` is set (1.0: every request)."""
    seed: int = 5


class _RestOperations:
    """Maps a REST request (method, path) to its operation, from botocore's service models."""

    def __init__(self) -> None:
        session = botocore.session.get_session()
        self.routes: list[tuple[str, str, re.Pattern[str], str]] = []
        for service in REST_SERVICES:
            model = session.get_service_model(service)
            for name in model.operation_names:
                http_spec = model.operation_model(name).http
                path = http_spec["requestUri"].split("?")[0]
                pattern = re.sub(r"\\\{[^}]+?\\\+\\\}", ".+", re.escape(path))
                pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
                self.routes.append((model.signing_name, http_spec["method"], re.compile(pattern), name))
        # The most specific template first: literal characters win over placeholders.
        self.routes.sort(key=lambda route: -len(re.sub(r"\[\^/\]\+|\.\+", "", route[2].pattern)))

    def match(self, signing_name: str, method: str, path: str) -> str | None:
        path = path.rstrip("/") or "/"
        for service, route_method, pattern, name in self.routes:
            if service == signing_name and route_method == method and pattern.fullmatch(path):
                return name
        return None


REST = _RestOperations()


def _cbor_text(text: str) -> bytes:
    data = text.encode()
    assert len(data) < 256
    return (bytes([0x60 + len(data)]) if len(data) < 24 else bytes([0x78, len(data)])) + data


def _cbor_map(values: dict[str, str]) -> bytes:
    """A CBOR map of short text strings (all a Smithy RPC v2 error body needs)."""
    return bytes([0xA0 + len(values)]) + b"".join(_cbor_text(k) + _cbor_text(v) for k, v in values.items())


class _Request:
    """What the proxy needs to know about one request: its protocol and IAM action."""

    def __init__(self, method: str, path: str, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.method, self.path, self.headers, self.body = method, path, headers, body
        scope = CREDENTIAL_SCOPE.search(headers.get("Authorization", ""))
        self.access_key, signing_name = scope.groups() if scope else ("", "unknown")
        target = headers.get("X-Amz-Target")
        url = urlsplit(path)
        if target:
            self.protocol, operation = "json", target.rsplit(".", 1)[-1]
        elif headers.get("Smithy-Protocol") == "rpc-v2-cbor":
            self.protocol, operation = "cbor", url.path.rsplit("/", 1)[-1]
        elif signing_name in REST_SERVICES:
            self.protocol = "rest-json"
            operation = REST.match(signing_name, method, url.path) or f"UNKNOWN({method} {url.path})"
        else:
            form = parse_qs(body.decode(errors="replace")) or parse_qs(url.query)
            self.protocol, operation = "query", form.get("Action", ["UNKNOWN"])[0]
        self.action = iam_action(signing_name, operation)

    def error(self, status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
        """The error response this protocol uses for (status, code, message)."""
        if self.protocol == "json":
            body = json.dumps({"__type": f"com.amazonaws.grader#{code}", "message": message})
            return status, {"Content-Type": "application/x-amz-json-1.0"}, body.encode()
        if self.protocol == "cbor":
            headers = {"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}
            return status, headers, _cbor_map({"__type": f"com.amazonaws.grader#{code}", "message": message})
        if self.protocol == "rest-json":
            headers = {"Content-Type": "application/json", "X-Amzn-ErrorType": code}
            return status, headers, json.dumps({"message": message}).encode()
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>faultproxy</RequestId></ErrorResponse>"
        )
        return status, {"Content-Type": "text/xml"}, body.encode()

    def throttled(self) -> tuple[int, dict[str, str], bytes]:
        code = {"query": "Throttling", "rest-json": "TooManyRequestsException"}.get(
            self.protocol, "ThrottlingException"
        )
        return self.error(429 if self.protocol == "rest-json" else 400, code, "Rate exceeded")

    def denied(self) -> tuple[int, dict[str, str], bytes]:
        code = "AccessDenied" if self.protocol == "query" else "AccessDeniedException"
        return self.error(403 if self.protocol != "json" else 400, code, "not authorized")


class FaultProxy:
    """Forwards to ``upstream`` (an emulator's URL), recording calls and injecting ``faults``."""

    def __init__(self, upstream: str, faults: Faults | None = None) -> None:
        self.upstream = urlsplit(upstream)
        self.faults = faults or Faults()
        self.calls: list[Call] = []
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._random = random.Random(self.faults.seed)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def actions(self, fault: str | None = None) -> set[str]:
        """The distinct actions seen (only those given this fault, when one is named)."""
        with self._lock:
            return {c.action for c in self.calls if fault is None or c.fault == fault}

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _decide(self, request: _Request) -> str | None:
        faults, action = self.faults, request.action
        with self._lock:
            earlier = self._seen[action]
            self._seen[action] += 1
            chance = self._random.random()
            throttled = (
                action in faults.throttle_actions
                or earlier < faults.throttle_first.get(action, 0)
                or chance < faults.throttle_fraction
            )
            if faults.failing and chance < faults.failing_fraction:
                fault: str | None = faults.failing
            elif request.access_key in faults.expired_keys:
                fault = "expired"
            elif action in faults.deny_actions:
                fault = "denied"
            elif throttled:
                fault = "throttled"
            elif action in faults.delay_actions:
                fault = "delayed"
            else:
                fault = None
            self.calls.append(Call(action, fault, request.access_key))
        return fault

    def _forward(self, request: _Request) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(request.method, request.path, body=request.body, headers=headers)
            response = connection.getresponse()
            body = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | PROXY_SETS}
            return response.status, kept, body
        finally:
            connection.close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the calls are recorded, not logged."""

            def setup(self) -> None:
                """Headers and body leave at once: with Nagle's algorithm the body would wait for the
                client's delayed acknowledgement of the headers, about 40 ms a call."""
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = _Request(self.command, self.path, self.headers, self.rfile.read(length))
                fault = proxy._decide(request)
                time.sleep(proxy.faults.latency)
                if fault == "reset":
                    self.close_connection = True
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                if fault == "503":
                    status, headers, body = request.error(503, "ServiceUnavailable", "Service Unavailable")
                elif fault == "denied":
                    status, headers, body = request.denied()
                elif fault == "expired":
                    status, headers, body = request.error(
                        403, "ExpiredToken", "The security token included in the request is expired"
                    )
                elif fault == "throttled":
                    status, headers, body = request.throttled()
                else:
                    if fault == "delayed":
                        time.sleep(proxy.faults.delay_actions[request.action])
                    status, headers, body = proxy._forward(request)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a time-out): nothing to answer

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        return Handler


@contextmanager
def fault_proxy(upstream: str, faults: Faults | None = None) -> Iterator[FaultProxy]:
    """A running proxy for the duration of the block."""
    proxy = FaultProxy(upstream, faults).start()
    try:
        yield proxy
    finally:
        proxy.stop()
