"""Shared fixtures: the real seed book, copied where a test needs to change it,
and built once per test session with real Pandoc and WeasyPrint."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The PDF extraction the manuscript was made from, kept to prove that no word was lost.
SEED = REPO / "tests" / "data" / "original-extraction.txt"
BOOK_FILES = ("book.yaml", "bibliography.yaml", "manuscript", "translations", "glossary.yaml")


def copy_book(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in BOOK_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture
def book_copy(tmp_path) -> Path:
    """A private, writable copy of the seed book."""
    return copy_book(tmp_path / "book")


# The chapter the bad-input and hostile corpora break, and the build they compare against.
CHAPTER = "01-mustafa-kemal-ve-komunistler.md"
SOURCE = Path("manuscript") / CHAPTER
TRANSLATION = Path("translations") / "en" / CHAPTER
BUILD_TR = ["build", "-e", "tr", "-f", "epub"]


@pytest.fixture(scope="session")
def good_book(tmp_path_factory) -> Path:
    """The seed book with a good Turkish EPUB (and manifest) in build/, built once."""
    root = copy_book(tmp_path_factory.mktemp("good") / "book")
    proc = run_ikidil(BUILD_TR, cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture
def book(good_book, tmp_path) -> Path:
    """A private copy of the good book, build/ included."""
    dest = tmp_path / "book"
    shutil.copytree(good_book, dest, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The seed book built once: (book folder, manifest outputs keyed by (edition, format, variant))."""
    import json
    root = copy_book(tmp_path_factory.mktemp("built") / "book")
    proc = run_ikidil(["build"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    outputs = {(o["edition"], o["format"], o["variant"]): root / o["path"] for o in manifest["outputs"]}
    return root, manifest, outputs


def run_ikidil(args: list[str], cwd: Path, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    return subprocess.run([sys.executable, "-m", "ikidil", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, **kwargs)


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_body_text(path: Path) -> str:
    """The running text of a PDF in reading order: running heads, folios and footnotes
    removed from each page, so a sentence that crosses a page reads as one."""
    import re
    pages = pdftotext(path).split("\f")
    body = []
    for page in pages:
        lines = [line for line in page.splitlines() if line.strip()]
        if lines and re.fullmatch(r"\s*\d+\s*", lines[-1]):
            lines = lines[:-1]                                   # folio
        note_start = next((i for i, line in enumerate(lines)
                           if re.match(r"\s*\d{1,3}\.\s", line)), len(lines))
        lines = lines[:note_start]                               # footnotes sit below the text
        if len(lines) > 1 and lines[0].strip().isupper():
            lines = lines[1:]                                    # running head
        body.append("\n".join(lines))
    return "\n".join(body)


@pytest.fixture(scope="session")
def epub_book(tmp_path_factory):
    """The seed book's EPUBs only (fast): (book folder, {edition: path})."""
    import json
    root = copy_book(tmp_path_factory.mktemp("epubs") / "book")
    proc = run_ikidil(["build", "-f", "epub"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    return root, {o["edition"]: root / o["path"] for o in manifest["outputs"] if o["format"] == "epub"}
