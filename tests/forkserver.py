"""A fork server for the self-tests' grading runs: a Python that imported pytest and boto3 once forks a
child per run, and the child runs `python -m pytest ARGS` as a fresh interpreter would.

    python tests/forkserver.py SOCKET        (started by tests.harness, in the environment of its runs)

A run asks on SOCKET with one JSON line: {"args": [...], "cwd": ..., "stdout": path, "stderr": path}.
The server answers {"pid": N} once the child runs, then {"exit": code} once it has been reaped. The
child takes its working directory, /dev/null as input and the two files as output, and runs pytest's
__main__ as `python -m` does; the grader, its plugins and conftest files are imported by the child,
as in a fresh interpreter. Only what every run imports first is imported here, and none of pytest's
plugins (pytest would warn that it could not rewrite their asserts). The harness sends only runs
whose environment is the server's own, so a child's environment, /proc/PID/environ included, is a
fresh run's. The server exits when its standard input closes (the self-test process is gone).
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import selectors
import signal
import socket
import sys
from typing import Any

PRELOADED = ("pytest", "boto3", "botocore.session", "jinja2")


def _run(request: dict[str, Any], closing: list[Any], fds: list[int]) -> None:
    """In the child: become `python -m pytest ARGS` in the request's folder, and exit as it exits."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for thing in closing:
        thing.close()
    for fd in fds:
        os.close(fd)
    os.chdir(request["cwd"])
    for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY),
                            (2, request["stderr"], os.O_WRONLY)):  # fmt: skip
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = ["-m", *request["args"]]  # runpy puts the module's path first, as `python -m` does
    sys.path[0] = request["cwd"]  # as `python -m` puts it
    sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    runpy.run_module("pytest", run_name="__main__", alter_sys=True)  # raises SystemExit: the interpreter
    # then ends as a fresh one would (waits for its threads, runs atexit)


def _answer(connection: socket.socket, **message: int) -> None:
    try:
        connection.sendall(json.dumps(message).encode() + b"\n")
    except OSError:  # the run gave up waiting (its time limit): nobody to tell
        connection.close()


def main(path: str) -> None:
    for name in PRELOADED:
        importlib.import_module(name)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # its wake-up byte ends the select
    selector = selectors.DefaultSelector()
    selector.register(server, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    running: dict[int, socket.socket] = {}
    while True:
        for key, _ in selector.select():
            if key.fileobj is sys.stdin:  # closed: the self-test process is gone
                return
            if key.fileobj is server:
                connection, _ = server.accept()
                request = json.loads(connection.makefile("r").readline())
                pid = os.fork()
                if pid == 0:
                    _run(request, [selector, server, connection], [wake_read, wake_write])
                running[pid] = connection
                _answer(connection, pid=pid)
            else:
                os.read(wake_read, 4096)
                while running and (reaped := os.waitpid(-1, os.WNOHANG))[0]:
                    connection = running.pop(reaped[0])
                    _answer(connection, exit=os.waitstatus_to_exitcode(reaped[1]))
                    connection.close()


if __name__ == "__main__":
    main(sys.argv[1])
