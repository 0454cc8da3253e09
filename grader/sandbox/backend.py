"""The emulator behind the sandbox gateway: moto on a Unix socket of the grader's, one account per run.

Each student's sandbox has an emulator process to itself (grader.sandbox.emulators): whatever one
student's requests cost moto (its item code is quadratic in an item's attributes) slows that student
alone. An emulator whose request timed out is spoiled: the grader never sends it anything again.

The grader seeds each run's table and reads it back after every step with its own requests, straight
to the emulator; the student's requests reach it only through the gateway, which pins them to the
run's account. The socket lives in a folder only the grader can enter, so no sandboxed process (nor
any other local user) can talk to the emulator directly: runs never see each other's tables.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from grader import assessment
from grader.failures import GraderError

FIRST_ACCOUNT = 900_000_000_000
START_LIMIT = 60.0
"""Seconds the emulator's process may take to import moto and listen (a loaded CI machine is slow)."""
GRADER_CALL_LIMIT = 30.0
"""Seconds one of the grader's own requests may take (seeding, reading a table: a few milliseconds
when no student request runs beside it, which the gateway sees to)."""
ACCOUNT_HEADER = "x-moto-account-id"
TARGET_PREFIXES = {"dynamodb": "DynamoDB_20120810", "dynamodbstreams": "DynamoDBStreams_20120810"}
"""The services the emulator serves runs, and the X-Amz-Target prefix of each."""
Response = tuple[int, list[tuple[str, str]], bytes]


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket."""

    def __init__(self, path: str, timeout: float = 60) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def _seed_data() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The reference table and its seed orders, as the assessment declares them."""
    serializer = TypeSerializer()
    puts = [
        {"PutRequest": {"Item": {name: serializer.serialize(v) for name, v in order.items()}}}
        for order in assessment.seed_orders()
    ]
    return assessment.reference_table("x"), puts


class Backend:
    """moto's server in a process of its own on a Unix socket in `folder`, and the seed of every run.

    Its own process: its CPU runs beside the grader's, and none of the grader's moto state or
    settings (an embedded target emulator, managed IAM policies loaded per account) reaches it.
    """

    def __init__(self, folder: Path) -> None:
        self.socket_path = folder / "moto.sock"
        self.control_path = folder / "control.sock"
        self._lock = threading.Lock()
        self._server: subprocess.Popen[bytes] | None = None
        self._accounts = itertools.count(FIRST_ACCOUNT)
        self._free: list[str] = []
        self.spoiled = False
        """A request timed out: the emulator may still be busy with it, and is not used again."""
        self._active = 0
        """Requests being sent to it now."""
        self.accounts_made = 0
        """Accounts whose runs are over and which hold no table: the emulator's state stays flat."""
        self.definition, self.puts = _seed_data()

    def start(self) -> None:
        """Start the server (once); the first request waits until it listens."""
        with self._lock:
            if self._server is None:
                self._server = subprocess.Popen(
                    [sys.executable, "-I", "-m", "grader.sandbox.emulator_server", *self._sockets],
                    stdin=subprocess.PIPE,  # it stops when the grader's end closes
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
                )

    @property
    def _sockets(self) -> tuple[str, str]:
        return str(self.socket_path), str(self.control_path)

    def _listening(self) -> None:
        self.start()
        deadline = time.monotonic() + START_LIMIT
        while not self.socket_path.exists():
            assert self._server is not None
            if self._server.poll() is not None or time.monotonic() > deadline:
                error = (
                    self._server.stderr.read().decode(errors="replace")[-500:] if self._server.stderr else ""
                )
                raise GraderError(f"the sandbox emulator did not start: {error.strip() or 'no message'}")
            time.sleep(0.02)

    def idle(self) -> bool:
        """Running, never timed out, no request under way, and every account it made emptied."""
        with self._lock:
            running = self._server is not None and self._server.poll() is None
            return running and not self.spoiled and not self._active and len(self._free) == self.accounts_made

    def new_account(self) -> str:
        """An account holding no table: a released one when there is one, else a new one."""
        while True:
            with self._lock:
                account = self._free.pop() if self._free else None
            if account is None:
                self.accounts_made += 1
                return str(next(self._accounts))
            if self._control("table_count", account=account) == 0:  # nothing came in after its release
                return account

    def release(self, account: str) -> None:
        """Empty the account in every region; it is used again only once it holds nothing."""
        try:
            if self._control("reset", account=account) != 0:
                return
        except BackendError:
            return  # the emulator refused: the account is simply not used again
        with self._lock:
            self._free.append(account)

    def send_call(
        self,
        account: str,
        region: str,
        service: str,
        operation: str,
        body: bytes,
        limit: float = GRADER_CALL_LIMIT,
    ) -> Response:
        """One JSON-protocol call to the emulator, saying nothing but the operation, service, region,
        account and body (moto takes an operation from a query string, a form body or a stray header
        before X-Amz-Target, so the path names it too); its status, headers and body within `limit`
        seconds, else BackendError (and the emulator is spoiled)."""
        scope = f"grader/20260101/{region}/{service}/aws4_request"
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"{TARGET_PREFIXES[service]}.{operation}",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0",
            ACCOUNT_HEADER: account,
        }
        return self._send(self.socket_path, f"/?Action={operation}", headers, body, limit)

    def _send(
        self, socket_path: Path, path: str, headers: dict[str, str], body: bytes, limit: float
    ) -> Response:
        if self.spoiled:
            raise BackendError("Spoiled", "the sandbox emulator timed out before and is not used again")
        self._listening()
        connection = UnixHTTPConnection(str(socket_path), timeout=limit)
        with self._lock:
            self._active += 1
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        except TimeoutError:
            self.spoiled = True
            raise BackendError("Timeout", f"the sandbox emulator did not answer within {limit:g} s") from None
        except OSError as exc:
            raise BackendError("Unavailable", f"the sandbox emulator is unreachable: {exc}") from None
        finally:
            connection.close()
            with self._lock:
                self._active -= 1

    def call(self, account: str, region: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """One DynamoDB operation of the grader's own on a run's account."""
        status, _, body = self.send_call(account, region, "dynamodb", operation, json.dumps(params).encode())
        answer = json.loads(body or b"{}")
        if status >= 300:
            code = str(answer.get("__type", status)).rsplit("#", 1)[-1]
            raise BackendError(code, f"the sandbox emulator answered {operation} with {code}")
        return answer

    def _control(self, operation: str, **args: str) -> Any:
        """One of the grader's requests answered from the emulator's state (emulator_server.OPERATIONS)."""
        request = json.dumps({"op": operation, "args": args}).encode()
        headers = {"Content-Type": "application/json"}
        _, _, body = self._send(self.control_path, "/", headers, request, GRADER_CALL_LIMIT)
        answer = json.loads(body)
        if "error" in answer:
            message = f"the sandbox emulator could not {operation}: {answer['error']}"
            raise BackendError("ControlError", message)
        return answer["answer"]

    def seed(self, account: str, region: str, table: str) -> None:
        """Create the reference table under this name and load the reference orders."""
        self.call(account, region, "CreateTable", {**self.definition, "TableName": table})
        for start in range(0, len(self.puts), 25):
            self.call(
                account, region, "BatchWriteItem", {"RequestItems": {table: self.puts[start : start + 25]}}
            )

    def items(self, account: str, region: str, table: str) -> list[dict[str, Any]]:
        """The table's typed items in key order (none once the student's code deleted the table)."""
        items = self._control("items", account=account, region=region, table=table) or []
        return sorted(items, key=lambda i: (str(i.get("customer_id")), str(i.get("order_id"))))

    def close(self) -> None:
        with self._lock:
            if self._server is not None:
                assert self._server.stdin is not None
                self._server.stdin.close()
                try:
                    self._server.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._server.kill()
                    self._server.wait()
                self._server = None


class BackendError(GraderError):
    """The sandbox's emulator refused one of the grader's own requests."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
