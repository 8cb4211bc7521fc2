"""The repository is the whole project: nothing it runs reads a path beside it.

.ci/run proves this by running the suite in a fresh clone inside an empty folder; this test
catches the usual way it breaks (a path built from the checkout's parent folder) before CI."""

from __future__ import annotations

import re
import subprocess

from conftest import REPO, SEED

# A path climbing out of the repository: the checkout's parent folder, or the team's shared
# folder beside it (written as [/] here so that this file does not name that path itself).
OUTSIDE = re.compile(r"REPO\.parent|\.\.[/]shared|shared[/]seeds")


def test_the_original_extraction_is_inside_the_repository():
    assert SEED.is_file() and SEED.resolve().is_relative_to(REPO)
    assert "Mustafa Kemal" in SEED.read_text(encoding="utf-8")


def test_no_tracked_code_reaches_outside_the_repository():
    tracked = subprocess.run(["git", "ls-files", "src", "tests", "scripts", "Makefile", ".ci"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in tracked:
        path = REPO / name
        if name == "tests/test_self_contained.py" or path.suffix not in {".py", ".sh", ".lua", ""}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, offenders
