"""The sandbox's emulator: the grader's own reads of it say what a Scan says, and it stays flat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.sandbox.backend import Backend

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
