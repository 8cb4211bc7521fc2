"""The one way user-facing problems travel: a BookError names the file, the line,
what is wrong and what to do. The CLI prints it as one line, without a traceback."""

from __future__ import annotations

import re
from pathlib import Path


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class BookError(Exception):
    """A problem the user can fix in their book (not a bug in ikidil)."""

    def __init__(self, message: str, file: str | Path | None = None,
                 line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint

    def location(self) -> str:
        if self.file is None:
            return ""
        where = display_path(self.file)
        return f"{where}:{self.line}" if self.line else where

    def __str__(self) -> str:
        text = self.message
        if self.hint:
            text += f" ({self.hint})"
        where = self.location()
        # Control characters from a file name or a quoted text (an ESC sequence) would act on
        # the terminal the message is printed on: shown escaped instead.
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", f"{where}: {text}" if where else text)


class ChecksFailed(BookError):
    """A build stopped by check errors: the book is readable, its translation is not
    ready. Exit code 1, like `ikidil check` finding the same errors (2 is for input
    ikidil cannot read)."""
    exit_code = 1


def display_path(path: str | Path) -> str:
    """Paths relative to the working directory when possible: shorter, clickable."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
