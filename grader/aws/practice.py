"""grader-practice: a persistent local AWS emulator (moto) on port 4566 for practising without Docker."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading

from grader.aws.emulator import EmbeddedMoto
from grader.settings import DEFAULT_REGION

DEFAULT_PORT = 4566


def instructions(endpoint: str, port: int) -> list[str]:
    """The three lines a student needs: where the emulator is, how to deploy to it, how to grade."""
    target = "--target=localstack" + ("" if port == DEFAULT_PORT else f" --endpoint-url={endpoint}")
    return [
        f"Emulator:  {endpoint} (moto with AWS managed policies; Ctrl-C stops it and forgets everything)",
        f"Deploy:    export AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=test "
        f"AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION={DEFAULT_REGION}  # then run your scripts here",
        f"Grade:     pytest --student-id=YOUR_ID {target} --submission-dir=YOUR_CODE_DIR",
    ]


def port_problem(port: int) -> str | None:
    """Why the port cannot be listened on, if it cannot (moto's server thread would hang on it)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grader-practice", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    problem = port_problem(args.port)
    if problem:
        print(f"cannot listen on port {args.port}: {problem} (is an emulator already running?)")
        return 1
    emulator = EmbeddedMoto(port=args.port)
    endpoint = emulator.start().replace("127.0.0.1", "localhost")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print("\n".join(instructions(endpoint, args.port)), flush=True)
    stop.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
