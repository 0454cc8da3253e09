"""The sandbox's emulator process: moto's server on a Unix socket, until its standard input closes.

    python -I -m grader.sandbox.emulator_server SOCKET

Started by grader.sandbox.backend with a scrubbed environment; it serves every run of one grading
process, each run in an account of its own (chosen by the gateway, never by the student).
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    path = sys.argv[1]
    server = make_server(
        f"unix://{path}.tmp", 0, DomainDispatcherApplication(create_backend_app), threaded=True
    )
    os.rename(f"{path}.tmp", path)  # the socket appears under its name once it listens
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.buffer.read()  # the grader closed its end (or exited): stop
    os._exit(0)


if __name__ == "__main__":
    main()
