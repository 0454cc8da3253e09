"""How a submission file's process is contained: the isolation modes and the command that starts it.

- ``namespaces``: bubblewrap gives the process fresh user, PID, mount, network, IPC and UTS
  namespaces: a read-only root and Python runtime, private size-capped tmpfs folders (/tmp, home,
  /dev/shm, and the one holding copies of the submission files),
  no network (only the gateway's socket is bound in), no grader files, no other process in its
  /proc; when its run ends, the PID namespace ends with everything it started. Run by root, the
  sandbox's processes also belong to an unprivileged uid of their own, so process limits hold.
- ``uid``: root without usable namespaces: the process runs as an unprivileged uid of its own, in
  private mount and IPC namespaces hiding home directories and the project where possible; every
  process of that uid is killed when the run ends. The network is not cut off, and what the uid
  writes to the host's /tmp outside its work folder stays.
- ``none``: a process of the grader's own user with a scrubbed environment: fit for practising on
  one's own code only.
``auto`` picks the strongest that works here. The probe runs the real launch once per process.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Mode = Literal["namespaces", "uid", "none"]
MODES: tuple[Mode, ...] = ("namespaces", "uid", "none")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_UID = 65534
"""The uid and gid the student's code has inside the namespaces (nobody)."""
UID_RANGE = range(3_900_000, 3_900_000 + 4096)
"""Unprivileged uids for sandboxed runs when the grader is root: one per concurrent run."""
SUBMISSION = "/submission"
INSIDE = "/sandbox/inside.py"
HOME = "/home/sandbox"
"""The sandbox's home folder (a tmpfs of its own; /tmp may show where the runtime is bound)."""
GATEWAY = "/run/aws.sock"
SHARED_MEMORY = "/dev/shm"
WRITABLE = ("/tmp", HOME, SHARED_MEMORY)
"""Where a namespaced sandbox's code may write besides its submission folder: each emptied after a file."""
TMPFS_BYTES = 32 << 20
RUNTIME_PACKAGES = ("boto3", "botocore", "jmespath", "dateutil", "urllib3", "s3transfer", "six")


@functools.cache
def runtime_dirs() -> tuple[Path, ...]:
    """The folders the sandbox's Python needs: its installation, the venv, boto3 and its packages."""
    candidates = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    for name in RUNTIME_PACKAGES:
        module = sys.modules.get(name) or __import__(name)
        candidates.add(Path(module.__file__ or "").resolve().parent.parent)
    system = Path("/usr")
    dirs = sorted(c for c in candidates if c != system and system not in c.parents)
    return tuple(d for d in dirs if not any(other in d.parents for other in dirs))


def hidden_in_runtime() -> tuple[Path, ...]:
    """The grader's own package, when it is installed inside a runtime folder (not editable)."""
    package = Path(__file__).resolve().parents[1]
    return tuple(package for d in runtime_dirs() if d in package.parents)


@dataclass
class RunUser:
    """An unprivileged uid for one run, held by a lock file while the run lasts (root only)."""

    uid: int
    _lock: int = field(repr=False, default=-1)

    @classmethod
    def acquire(cls) -> RunUser:
        folder = Path(tempfile.gettempdir()) / "grader-uids"
        folder.mkdir(mode=0o700, exist_ok=True)
        for uid in UID_RANGE:
            fd = os.open(folder / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return cls(uid, fd)
        raise RuntimeError("every sandbox uid is in use")

    def kill_all(self) -> None:
        """Kill every process of this uid (kill -1 from the uid itself reaches exactly those)."""
        subprocess.run(
            [
                "setpriv",
                f"--reuid={self.uid}",
                f"--regid={self.uid}",
                "--clear-groups",
                "--",
                "kill",
                "-KILL",
                "-1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )

    def release(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


@dataclass
class Launch:
    """How to start one run's process: the command, the fds it inherits, where it starts, its uid."""

    argv: list[str]
    pass_fds: tuple[int, ...]
    cwd: Path
    gateway: str
    """The gateway's socket as the sandboxed process sees it."""
    user: RunUser | None


def _staged_mounts(scratch: Path, dirs: tuple[Path, ...]) -> tuple[str, list[Path]]:
    """Shell lines binding each dir to a folder under scratch that an unprivileged uid can reach."""
    lines, staged = [], []
    for number, directory in enumerate(dirs):
        stage = scratch / "runtime" / str(number)
        stage.mkdir(parents=True, mode=0o755)
        lines.append(f"mount --bind {shlex.quote(str(directory))} {shlex.quote(str(stage))}")
        staged.append(stage)
    return "; ".join(lines), staged


def _as_user(user: RunUser, command: list[str]) -> list[str]:
    return ["setpriv", f"--reuid={user.uid}", f"--regid={user.uid}", "--clear-groups", "--", *command]


def _in_private_mounts(script: str, command: list[str]) -> list[str]:
    """Run `script` as root in a private mount namespace (and IPC namespace), then exec the command."""
    return [
        "unshare",
        "--mount",
        "--ipc",
        "--propagation",
        "private",
        "--",
        "sh",
        "-ec",
        f'{script}; exec "$@"',
        "sh",
        *command,
    ]


def bwrap_command(
    env: dict[str, str],
    files: dict[str, int],
    inside_fd: int,
    etc_fds: dict[str, int],
    binds: list[tuple[Path, Path]],
    program: tuple[str, ...],
) -> list[str]:
    """The bubblewrap command line: what the sandbox sees, and nothing else."""
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    argv += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "lib", "lib64", "sbin"):
        path = Path("/", top)
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"]
    argv += ["--size", str(TMPFS_BYTES), "--tmpfs", HOME]
    argv += ["--size", str(TMPFS_BYTES), "--tmpfs", SUBMISSION]
    for source, target in binds:
        argv += ["--ro-bind", str(source), str(target)]
    for hidden in hidden_in_runtime():
        argv += ["--tmpfs", str(hidden)]
    for name, fd in files.items():
        argv += ["--perms", "0644", "--file", str(fd), f"{SUBMISSION}/{name}"]
    argv += ["--perms", "0444", "--file", str(inside_fd), INSIDE]
    for name, fd in etc_fds.items():
        argv += ["--perms", "0444", "--file", str(fd), f"/etc/{name}"]
    argv += ["--size", str(TMPFS_BYTES), "--tmpfs", SHARED_MEMORY]
    argv += ["--remount-ro", "/dev", "--remount-ro", "/"]  # only the tmpfs folders above are writable
    argv += ["--chdir", SUBMISSION, "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return [*argv, "--", *program]


ETC = {
    "passwd": f"root:x:0:0::/:/bin/false\nsandbox:x:{SANDBOX_UID}:{SANDBOX_UID}::{HOME}:/bin/false\n",
    "group": f"root:x:0:\nsandbox:x:{SANDBOX_UID}:\n",
    "hosts": "127.0.0.1 localhost\n",
}


def _data_fd(content: bytes) -> int:
    """An fd whose content is these bytes (a memfd), for bubblewrap's --file."""
    fd = os.memfd_create("sandbox-file", 0)
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def launch(
    mode: Mode, scratch: Path, env: dict[str, str], files: dict[str, bytes], program: tuple[str, ...] = ()
) -> Launch:
    """The command starting inside.py (or `program`, for a probe) for one run in the given mode.

    `scratch` is the run's grader-private folder (mode 0711); the gateway's socket is scratch/aws.sock.
    """
    user = RunUser.acquire() if os.geteuid() == 0 and mode != "none" else None
    inside = Path(__file__).with_name("inside.py").read_bytes()
    if mode == "namespaces":
        fds = {name: _data_fd(content) for name, content in files.items()}
        inside_fd = _data_fd(inside)
        etc_fds = {name: _data_fd(text.encode()) for name, text in ETC.items()}
        runtime = [(d, d) for d in runtime_dirs()]
        script = ""
        if user is not None:
            script, staged = _staged_mounts(scratch, runtime_dirs())
            runtime = [(stage, d) for stage, (d, _) in zip(staged, runtime, strict=True)]
        runtime.append((scratch / "aws.sock", Path(GATEWAY)))
        command = bwrap_command(
            env, fds, inside_fd, etc_fds, runtime, program or (sys.executable, "-I", INSIDE)
        )
        if user is not None:
            command = _in_private_mounts(script, _as_user(user, command))
        return Launch(command, (*fds.values(), inside_fd, *etc_fds.values()), scratch, GATEWAY, user)
    work = scratch / "work"
    work.mkdir(mode=0o700)
    for name, content in files.items():
        (work / name).write_bytes(content)
    (scratch / "inside.py").write_bytes(inside)  # beside the work folder, not among the student's files
    (scratch / "inside.py").chmod(0o644)
    command = ["env", "-i", *(f"{k}={v}" for k, v in {**env, "HOME": str(work), "TMPDIR": str(work)}.items())]
    command += program or [sys.executable, "-I", str(scratch / "inside.py")]
    if user is not None:
        for path in (work, *work.iterdir()):
            os.chown(path, user.uid, user.uid)
        if not private_mounts_work():  # file permissions alone keep the uid out
            return Launch(_as_user(user, command), (), work, str(scratch / "aws.sock"), user)
        hide = " ".join(shlex.quote(str(p)) for p in _hidden_from_uid(scratch))
        script, staged = _staged_mounts(scratch, runtime_dirs())
        rebind = "; ".join(
            f"mkdir -p {shlex.quote(str(d))} && mount --bind {shlex.quote(str(s))} {shlex.quote(str(d))}"
            for s, d in zip(staged, runtime_dirs(), strict=True)
        )
        script += f'; for d in {hide}; do mount -t tmpfs -o size=1m,mode=0755 tmpfs "$d"; done; {rebind}'
        command = _in_private_mounts(script, _as_user(user, command))
    return Launch(command, (), work, str(scratch / "aws.sock"), user)


@functools.cache
def private_mounts_work() -> bool:
    """Whether root may make a private mount namespace here (not in containers without CAP_SYS_ADMIN)."""
    probe = ["unshare", "--mount", "--ipc", "--propagation", "private", "--", "true"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def _hidden_from_uid(scratch: Path) -> tuple[Path, ...]:
    """What the uid mode covers: home folders, the project (solution/, the grader, the venv's owner),
    and shared folders where a file could leave something for the next (/dev/shm, /var/tmp)."""
    candidates = [Path("/root"), Path("/home"), PROJECT_ROOT, Path.home(), Path("/dev/shm"), Path("/var/tmp")]
    return tuple(dict.fromkeys(p for p in candidates if p.is_dir() and p not in scratch.parents))


_SCRATCH: list[Path] = []
_SCRATCH_LOCK = threading.Lock()


def scratch_root() -> Path:
    """The grader's private folder for this process's runs: 0711, so a run's uid reaches only its own."""
    with _SCRATCH_LOCK:
        if not _SCRATCH:
            root = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
            root.chmod(0o711)
            (root / "private").mkdir(mode=0o700)
            atexit.register(shutil.rmtree, root, True)
            _SCRATCH.append(root)
        return _SCRATCH[0]


PROBE_PROGRAM = (sys.executable, "-I", "-S", "-c", "")


@functools.cache
def probe(mode: Mode) -> str | None:
    """Why the mode cannot run here (one line), or None when it works: the real launch, once."""
    if mode == "none":
        return None
    if mode == "namespaces" and shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    if mode == "uid" and os.geteuid() != 0:
        return "running student code under another uid needs root"
    scratch = Path(tempfile.mkdtemp(prefix="probe-", dir=scratch_root()))
    scratch.chmod(0o711)
    (scratch / "aws.sock").touch()
    try:
        started = launch(mode, scratch, {"PATH": "/usr/bin:/bin"}, {}, PROBE_PROGRAM)
        result = subprocess.run(
            started.argv,
            cwd=started.cwd,
            pass_fds=started.pass_fds,
            capture_output=True,
            timeout=60,
            check=False,
        )
        for fd in started.pass_fds:
            os.close(fd)
        if started.user is not None:
            started.user.release()
    except (OSError, subprocess.TimeoutExpired, RuntimeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.returncode != 0:
        lines = result.stderr.decode(errors="replace").strip().splitlines() or [f"exit {result.returncode}"]
        return lines[-1][:200]
    return None


def choose(requested: str) -> tuple[Mode, list[str]]:
    """The mode to use, and why stronger ones were passed over; ValueError when the requested one fails."""
    if requested != "auto":
        mode: Mode = requested  # type: ignore[assignment]
        reason = probe(mode)
        if reason is not None:
            raise ValueError(f"--isolation {mode} is not available here: {reason}")
        return mode, []
    skipped = []
    for mode in MODES:
        reason = probe(mode)
        if reason is None:
            return mode, skipped
        skipped.append(f"{mode}: {reason}")
    return "none", skipped
