"""The one containment rule for every file a book names or holds (chapters, cover,
bibliography, CSL style, glossary, images): it must resolve, after following symlinks,
to a regular file inside the book's folder.

A manuscript may come from a stranger: `cover: /etc/passwd`, `bibliography: ../x.yaml`
or a chapter that is a symlink to a private file would otherwise copy that file into
every book, or echo it in an error message. A FIFO or a device would block the build
forever (reading a FIFO waits for a writer) or read without end (/dev/zero). The error
names the place that named the file (book.yaml's line, the chapter's line), never the
content of the file refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import BookError


def is_inside(root: Path, path: Path) -> bool:
    """Whether `path`, symlinks followed, lies inside `root` (itself resolved)."""
    return Path(os.path.realpath(path)).is_relative_to(Path(os.path.realpath(root)))


def book_file(root: Path, name: str | Path, what: str, where: Path, line: int | None,
              missing_hint: str) -> Path:
    """`name` (relative to `root`, the book's folder) as a path, checked by the rule.

    `what` says what the file is for ("cover image"), `where`/`line` the place that
    named it."""
    relative = Path(name)
    shown = str(name)
    if relative.is_absolute() or not is_inside(root, root / relative):
        raise BookError(f"{what} '{shown}' is outside the book's folder", file=where, line=line,
                        hint="copy it into the book and give its path relative to book.yaml "
                             "(absolute paths, '../' and symlinks leading out are refused)")
    target = root / relative
    try:
        mode = target.stat().st_mode
    except OSError:
        raise BookError(f"{what} '{shown}' not found", file=where, line=line, hint=missing_hint) from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO, socket or device"
        raise BookError(f"{what} '{shown}' is {kind}, not a regular file", file=where, line=line,
                        hint="name a plain file inside the book")
    return target


def check_regular(path: Path, root: Path, what: str) -> None:
    """A file the book holds without naming it (a chapter found in manuscript/): the same
    rule, the error naming the file itself."""
    if not is_inside(root, path):
        raise BookError(f"{what} is a symlink leading outside the book's folder", file=path,
                        hint="replace the link by a copy of the file, inside the book")
    try:
        mode = path.stat().st_mode
    except OSError:
        raise BookError(f"{what} is a broken symlink", file=path, hint="fix or remove it") from None
    if not stat.S_ISREG(mode):
        raise BookError(f"{what} is not a regular file (a folder, FIFO, socket or device)", file=path,
                        hint="replace it by a plain text file, or remove it")
