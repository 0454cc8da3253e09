"""The sandbox's emulator: the grader's own reads of it say what a Scan says, and it stays flat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.sandbox.backend import Backend, UnixHTTPConnection
from grader.sandbox.gateway import Gateway

REGION = "us-east-1"
TABLE = "orders-backend"
ODD_ITEM = {
    "customer_id": {"S": "CUST900"},
    "order_id": {"S": "ORD9000"},
    "quantity": {"N": "2.50"},
    "flags": {"SS": ["b", "a"]},
    "amounts": {"NS": ["1", "2.5"]},
    "blob": {"B": "AAEC"},
    "shipped": {"BOOL": False},
    "note": {"NULL": True},
    "lines": {"L": [{"M": {"sku": {"S": "X"}, "n": {"N": "1"}}}, {"S": "free"}]},
}


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    emulator = Backend(tmp_path)
    yield emulator
    emulator.close()


def _rss_mb(emulator: Backend) -> float:
    assert emulator._server is not None
    status = Path(f"/proc/{emulator._server.pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def _scan(emulator: Backend, account: str) -> list[dict]:
    return emulator.call(account, REGION, "Scan", {"TableName": TABLE})["Items"]


def test_items_are_what_a_scan_returns(backend: Backend) -> None:
    account = backend.new_account()
    backend.seed(account, REGION, TABLE)
    backend.call(account, REGION, "PutItem", {"TableName": TABLE, "Item": ODD_ITEM})
    key = lambda item: (item["customer_id"]["S"], item["order_id"]["S"])  # noqa: E731
    assert backend.items(account, REGION, TABLE) == sorted(_scan(backend, account), key=key)
    assert ODD_ITEM in backend.items(account, REGION, TABLE)
    assert backend.items(account, REGION, "no-such-table") == []
    assert backend.items(str(int(account) + 1), REGION, TABLE) == [], "another account holds nothing"


def test_a_released_account_is_empty_in_every_region_and_used_again(backend: Backend) -> None:
    account = backend.new_account()
    for region in (REGION, "eu-west-1", "ap-south-1"):
        backend.seed(account, region, TABLE)
    backend.release(account)
    assert backend.new_account() == account
    for region in (REGION, "eu-west-1", "ap-south-1"):
        assert backend.call(account, region, "ListTables", {})["TableNames"] == []
    assert backend.accounts_made == 1


def test_an_account_written_after_its_release_is_not_used_again(backend: Backend) -> None:
    account = backend.new_account()
    backend.release(account)
    backend.seed(account, REGION, TABLE)  # a request of its last run, come in late
    assert backend.new_account() != account


def test_memory_stays_flat_over_many_runs(backend: Backend) -> None:
    """moto keeps every model it made for its dashboard; released accounts must not stay in memory.
    (Before the emulator emptied that, 100 runs grew it by about 15 MB.)"""
    def one_run() -> None:
        account = backend.new_account()
        backend.seed(account, REGION, TABLE)
        backend.call(account, REGION, "PutItem", {"TableName": TABLE, "Item": ODD_ITEM})
        backend.release(account)

    for _ in range(10):
        one_run()
    before = _rss_mb(backend)
    for _ in range(100):
        one_run()
    assert _rss_mb(backend) - before < 5, "the emulator's memory grows with every run"


def test_once_a_run_is_sealed_no_request_reaches_its_account(backend: Backend, tmp_path: Path) -> None:
    """Requests still in flight when a file's run ends (on its connections or on new ones) are refused:
    the account may serve the next file only as the record left it."""
    account = backend.new_account()
    backend.seed(account, REGION, TABLE)
    gateway = Gateway(tmp_path / "aws.sock", 20)
    gateway.switch(account, backend)
    item = {"TableName": TABLE, "Item": {"customer_id": {"S": "LATE"}, "order_id": {"S": "LATE"}}}
    headers = {
        "X-Amz-Target": "DynamoDB_20120810.PutItem",
        "Authorization": f"AWS4-HMAC-SHA256 Credential=x/20260101/{REGION}/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }

    def put(connection: UnixHTTPConnection) -> int:
        connection.request("POST", "/", body=json.dumps(item), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status

    try:
        early = UnixHTTPConnection(str(tmp_path / "aws.sock"))
        assert put(early) == 200
        late = gateway.seal()
        assert [call["operation"] for call in late] == ["PutItem"]
        assert put(early) == 400 and put(UnixHTTPConnection(str(tmp_path / "aws.sock"))) == 400
    finally:
        gateway.close()
    assert len(_scan(backend, account)) == 21
