"""What the sandbox takes from a checkout: regular files only, each refused with what it is otherwise."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from grader.sandbox import submission


def test_each_entry_that_is_not_a_regular_file_is_refused_with_what_it_is(tmp_path: Path) -> None:
    (tmp_path / "query_gsi.py").write_bytes("print('é →')\n".encode())
    (tmp_path / "query_lsi.py").mkdir()
    (tmp_path / "lambda_function.py").symlink_to(tmp_path / "query_gsi.py")
    os.mkfifo(tmp_path / "batch_operations.py")
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(tmp_path / "conditional_writes.py"))
    (tmp_path / "read_patterns.py").write_bytes(b"#" * (submission.FILE_CAP + 1))
    taken = submission.read(tmp_path)
    assert taken.files == {"query_gsi.py": "print('é →')\n".encode()}  # byte for byte
    assert taken.refused == {
        "query_lsi.py": "is a directory",
        "lambda_function.py": "is a symbolic link",
        "batch_operations.py": "is a named pipe (FIFO)",
        "conditional_writes.py": "is a socket",
        "read_patterns.py": "is larger than 1 MiB",
    }


def test_helper_modules_are_importable_names_at_most_20_by_name(tmp_path: Path) -> None:
    for number in range(submission.HELPER_LIMIT + 1):
        (tmp_path / f"helper_{number:02}.py").write_text(f"N = {number}\n")
    (tmp_path / "my-notes.py").write_text("not importable by name\n")
    (tmp_path / "notes.txt").write_text("not a module\n")
    (tmp_path / "query_gsi.py").write_text("import helper_00\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.py").write_text("not at the top\n")
    taken = submission.read(tmp_path)
    helpers = [f"helper_{number:02}.py" for number in range(submission.HELPER_LIMIT)]
    assert sorted(taken.files) == sorted(["query_gsi.py", *helpers])
    assert list(taken.refused) == ["helper_20.py"]
    assert taken.refused["helper_20.py"].startswith("is beyond the first 20 helper modules")


def test_a_checkout_that_is_not_there_gives_nothing_and_raises_nothing(tmp_path: Path) -> None:
    assert submission.read(tmp_path / "nowhere") == submission.Submission({}, {})


def test_a_helper_is_any_name_python_imports(tmp_path: Path) -> None:
    """An honest non-ASCII module name is an identifier Python imports; a keyword or a name that is not
    UTF-8 is not (and reading it raises nothing)."""
    (tmp_path / "común.py").write_text("HONEST = '→'\n")
    (tmp_path / "class.py").write_text("a keyword: not importable by name\n")
    os.close(os.open(os.fsencode(tmp_path) + b"/bad\xff.py", os.O_CREAT | os.O_WRONLY))
    assert submission.read(tmp_path) == submission.Submission({"común.py": "HONEST = '→'\n".encode()}, {})


def test_only_helpers_taken_count_against_the_limit(tmp_path: Path) -> None:
    """Folders and links named like modules are refused without taking an honest helper's place."""
    (tmp_path / "a_folder.py").mkdir()
    (tmp_path / "b_link.py").symlink_to("/etc/passwd")
    for number in range(submission.HELPER_LIMIT):
        (tmp_path / f"helper_{number:02}.py").write_text(f"N = {number}\n")
    taken = submission.read(tmp_path)
    assert len(taken.files) == submission.HELPER_LIMIT
    assert taken.refused == {"a_folder.py": "is a directory", "b_link.py": "is a symbolic link"}


def test_a_decomposed_name_is_copied_as_python_imports_it(tmp_path: Path) -> None:
    """A Mac writes 'común.py' as 'comu' + combining accent; `import común` looks for the composed name."""
    (tmp_path / "comu\u0301n.py").write_text("HONEST = True\n")
    assert list(submission.read(tmp_path).files) == ["común.py"]
