"""cli._exit_now: the program ends without the interpreter's teardown, and loses nothing
by it: its output is all there, its exit status is the command's, and no layout worker
outlives it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from conftest import run_ikidil


def _processes_marked(mark: str) -> list[int]:
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"IKIDIL_TEST_MARK={mark}".encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:                   # gone meanwhile, or not ours to read
            continue
    return found


def test_a_parallel_build_leaves_no_worker_and_writes_everything(book_copy):
    mark = uuid.uuid4().hex
    proc = run_ikidil(["build", "-e", "tr", "-f", "pdf", "--pdf-variant", "digital", "-j", "2"], cwd=book_copy,
                      env={"IKIDIL_TEST_MARK": mark})
    assert proc.returncode == 0, proc.stderr
    assert _processes_marked(mark) == []
    manifest = json.loads((book_copy / "build" / "manifest.json").read_text())
    [output] = manifest["outputs"]
    assert (book_copy / output["path"]).stat().st_size > 10_000


def test_the_exit_status_and_output_are_the_commands(book_copy):
    status = run_ikidil(["status"], cwd=book_copy)
    assert status.returncode == 0 and "chapter" in status.stdout
    bad = run_ikidil(["build", "-f", "nosuch"], cwd=book_copy)
    assert bad.returncode == 2 and "nosuch" in bad.stderr
