"""One student's throttled table never slows a classmate read through the same account's client."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from collections.abc import Iterator

import boto3
import pytest

from grader.aws.session import Account


class _Tables(http.server.BaseHTTPRequestHandler):
    """DynamoDB as one student's 1-read-unit table sees it: orders-slow is throttled, the rest answer."""

    def log_message(self, *_: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        throttled = body.get("TableName") == "orders-slow"
        answer = (
            {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"}
            if throttled
            else {"Count": 0, "Items": [], "ScannedCount": 0}
        )
        data = json.dumps(answer).encode()
        self.send_response(400 if throttled else 200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tables)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_classmates_throttled_table_costs_nothing(endpoint: str) -> None:
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    dynamodb = Account(session, endpoint).client("dynamodb")

    def slow_student() -> None:
        for _ in range(3):
            with contextlib.suppress(Exception):  # throttled past its retries: that student's own trouble
                dynamodb.scan(TableName="orders-slow")

    for _ in range(4):
        threading.Thread(target=slow_student, daemon=True).start()
    time.sleep(0.5)
    started = time.monotonic()
    for _ in range(20):
        dynamodb.scan(TableName="orders-fine")
    assert time.monotonic() - started < 3, "the classmate waited on the other student's throttling"
