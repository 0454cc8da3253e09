"""The embedded moto server: started once per grading session (by the xdist controller), shared."""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import urlsplit

from localstack_client import config as localstack

LOCALSTACK_ENDPOINT = "http://localhost:4566"
"""LocalStack's endpoint when none of its variables is set."""


def localstack_endpoint() -> str:
    """--target=localstack's endpoint as LocalStack's own client resolves it (LOCALSTACK_HOST host[:port],
    USE_SSL); EDGE_PORT, LocalStack's older variable, gives the port when LOCALSTACK_HOST names none.
    ValueError when they do not make an address."""
    host = os.environ.get("LOCALSTACK_HOST", "").strip()
    edge_port = os.environ.get("EDGE_PORT", "").strip()
    if edge_port and ":" not in host:
        host = f"{host}:{edge_port}"
    try:
        endpoint = localstack.get_service_endpoint("dynamodb", localstack_host=host or None)
        if endpoint is None or urlsplit(endpoint).port is None:
            raise ValueError(endpoint)
    except (RuntimeError, ValueError):  # the client's "could not parse", a port out of range
        raise ValueError(
            f"invalid LocalStack address {host!r} (from LOCALSTACK_HOST, EDGE_PORT): expected host:port "
            "with a port number, e.g. LOCALSTACK_HOST=localhost:4566"
        ) from None
    return endpoint


class EmbeddedMoto:
    """A moto server on a free loopback port, with AWS managed IAM policies loaded."""

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._server: Any = None
        self.endpoint_url: str | None = None

    def start(self) -> str:
        from moto.server import ThreadedMotoServer  # imported only when the embedded target is chosen

        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self._port, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        return self.endpoint_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
