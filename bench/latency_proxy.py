"""A far endpoint, near: a proxy that answers each call after a fixed delay, forwarding it to an emulator.

    .venv/bin/python -m bench.latency_proxy --upstream http://127.0.0.1:5000 --latency-ms 50

Prints the proxy's URL and forwards until interrupted; point the grader at it with
``--target=localstack --endpoint-url=URL``. It is the self-tests' recording proxy (tests/faultproxy.py)
with a latency and no faults, so runs with and without latency go through the same proxy.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from tests.faultproxy import Faults, fault_proxy


@contextmanager
def latency_proxy(upstream: str, latency_ms: float) -> Iterator[str]:
    """The URL of a proxy answering every call to upstream after latency_ms, for the block."""
    with fault_proxy(upstream, Faults(latency=latency_ms / 1000)) as proxy:
        yield proxy.endpoint_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="the emulator's URL")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    arguments = parser.parse_args()
    with latency_proxy(arguments.upstream, arguments.latency_ms) as url:
        print(url, flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
