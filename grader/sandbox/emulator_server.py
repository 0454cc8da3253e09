"""The sandbox's emulator process: moto's server on a Unix socket, until its standard input closes.

    python -I -m grader.sandbox.emulator_server SOCKET CONTROL_SOCKET

Started by grader.sandbox.backend with a scrubbed environment; it serves every run of one student's
sandbox, each run in an account of its own (chosen by the gateway, never by the student). A second
socket takes the grader's own requests, answered from moto's state without going through AWS's wire
format (reading a run's table after each step, emptying an account once its run is over). Only the
grader opens either socket; the gateway forwards students' requests to the first one only.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.model_instances import reset_model_data
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodbstreams.models import dynamodbstreams_backends
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


def _regions(account: str) -> dict[str, Any]:
    """The account's DynamoDB backends by region, as far as requests created them (none created here)."""
    return dict(dict.get(dynamodb_backends, account) or {})


def items(account: str, region: str, table: str) -> list[dict[str, Any]] | None:
    """The table's items in DynamoDB's typed form, or None when there is no such table."""
    found = _regions(account).get(region)
    found = found.tables.get(table) if found is not None else None
    return None if found is None else [item.to_json()["Attributes"] for item in found.all_items()]


def table_count(account: str) -> int:
    """How many tables the account holds, over every region."""
    return sum(len(regional.tables) for regional in _regions(account).values())


def reset(account: str) -> int:
    """Forget everything the account holds (tables, streams, iterators); its table count after.

    moto also tracks every model it ever made for its dashboard, which no one reads here: those lists
    are emptied too, or each run's tables would stay in memory for good.
    """
    for service in (dynamodb_backends, dynamodbstreams_backends):
        if (held := dict.get(service, account)) is not None:
            held.reset()
    reset_model_data()
    return table_count(account)


OPERATIONS: dict[str, Callable[..., Any]] = {"items": items, "table_count": table_count, "reset": reset}


def _base64(value: object) -> str:
    """Binary values as DynamoDB's JSON carries them."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not JSON")


def control(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The grader's requests: POST {"op": name, "args": {...}} -> {"answer": ...} or {"error": ...}."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length))
        answer = OPERATIONS[request["op"]](**request["args"])
        data, status = json.dumps({"answer": answer}, default=_base64), "200 OK"
    except Exception as exc:  # said to the grader, which stops using the account
        data, status = json.dumps({"error": f"{type(exc).__name__}: {exc}"}), "500 Internal Server Error"
    body = data.encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _serve(path: str, app: Callable[..., Any]) -> None:
    server = make_server(f"unix://{path}.tmp", 0, app, threaded=True)
    os.rename(f"{path}.tmp", path)  # the socket appears under its name once it listens
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    emulator, control_path = sys.argv[1:3]
    _serve(control_path, control)
    _serve(emulator, DomainDispatcherApplication(create_backend_app))  # its socket last: "ready"
    sys.stdin.buffer.read()  # the grader closed its end (or exited): stop
    os._exit(0)


if __name__ == "__main__":
    main()
