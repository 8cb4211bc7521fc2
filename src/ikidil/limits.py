"""Limits instead of hangs: what a chapter may not exceed, checked on its text before Pandoc
reads it (and on the AST after), each a clear error with the file and line.

Pandoc's Markdown reader backtracks: twelve nested `[` take it more than 30 s, a list 2,000
levels deep never ends; WeasyPrint lays out an unbreakable 5,000-character code span in
minutes; lxml refuses a text node above 10 MB. The limits are far above what a real book
has (README, "Manuscripts from anywhere", lists them) and are the same on every machine,
so a book that builds here builds everywhere."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
from pathlib import Path
from typing import Callable

from .errors import BookError

MAX_INDENT = 200            # columns of indentation before a line's text (100 levels of a 2-space list)
MAX_MARKERS = 32            # block quote '>' and list markers opening one line
MAX_BRACKETS = 8            # '[' open at once in a paragraph (Pandoc: 1 s at 8, 30 s at 12)
MAX_PARAGRAPH = 200_000     # characters in one paragraph (about 60 printed pages)
MAX_CODE = 1_000            # characters in an inline code span or one line of a code block
MAX_WORD = 1_000            # characters of a word without a space (nowhere to break the line)
MAX_NOTES = 1_000           # footnotes in one chapter (a bilingual PDF lays out 1,000 in many minutes)
MAX_TABLE_COLUMNS = 20      # columns of a table (more cannot be read on a book page)

# A line's opening block markers: '>' (with or without a space after it: '>>>' is three
# quotations) and list markers (followed by a space).
_PREFIX = re.compile(r"[ \t]*(?:(?:>|(?:[*+-]|\d{1,9}[.)])(?=[ \t]|$))[ \t]*)+")
_MARKUP_RUN = re.compile(r"[*_~^]{%d,}(?=[^\W_])" % (2 * 16 + 1))     # (emphasis nested 16 deep, then text)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_WORD + 1))


def check_source(text: str, path: Path) -> None:
    """The chapter's text, before Pandoc sees it."""
    fence = None
    paragraph_start, paragraph_size, depth = 1, 0, 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" \t>")
        if fence is None and re.match(r"(`{3,}|~{3,})", stripped):
            fence = re.match(r"(`{3,}|~{3,})", stripped).group(1)
        elif fence is not None:
            if stripped.startswith(fence):
                fence = None
            elif len(line) > MAX_CODE:
                raise _error(path, number, f"code line of {len(line):,} characters",
                             f"at most {MAX_CODE:,}: break it into lines")
            continue
        if not line.strip():
            paragraph_start, paragraph_size, depth = number + 1, 0, 0
            continue
        paragraph_size += len(line) + 1
        if paragraph_size > MAX_PARAGRAPH:
            raise _error(path, paragraph_start, f"paragraph longer than {MAX_PARAGRAPH:,} characters",
                         "split it into paragraphs with blank lines")
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        if indent > MAX_INDENT:
            raise _error(path, number, f"line indented by {indent} columns",
                         f"at most {MAX_INDENT}: nest lists and quotations less deeply")
        prefix = _PREFIX.match(line)
        if prefix and len(re.findall(r"[>*+-]|\d+[.)]", prefix.group())) > MAX_MARKERS:
            raise _error(path, number, f"more than {MAX_MARKERS} quotation or list levels on one line",
                         "nest lists and quotations less deeply")
        if ("*" in line or "_" in line) and (run := _MARKUP_RUN.search(line)):
            raise _error(path, number, f"{len(run.group())} emphasis marks in a row",
                         "emphasis does not nest this deeply: remove the marks or write \\* for a literal one")
        if "[" in line or "]" in line:     # (most lines have none: the loop is per character)
            depth = _brackets(_CODE_SPAN.sub("", line), depth, path, number)
        word = _LONG_WORD.search(line) and _LONG_WORD.search(_CODE_SPAN.sub(" ", line))   # (code: check_code)
        if word and not line.startswith(("    ", "\t")):
            raise _error(path, number, f"a word of {len(word.group()):,} characters without a space",
                         f"at most {MAX_WORD:,}: a line cannot break inside it; shorten it or add spaces")


def _brackets(line: str, depth: int, path: Path, number: int) -> int:
    escaped = False
    for char in line:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            depth += 1
            if depth > MAX_BRACKETS:
                raise _error(path, number, f"more than {MAX_BRACKETS} '[' open at once",
                             "close the brackets, or write \\[ for a literal one")
        elif char == "]":
            depth = max(depth - 1, 0)
    return depth


def check_code(code: str, path: Path, line: Callable[[], int]) -> None:
    """An inline code span or a code block from the AST (`line` finds its line: only
    needed, and only searched for, when it is too long)."""
    if len(code) <= MAX_CODE:
        return
    longest = max(len(part) for part in code.split("\n"))
    if longest > MAX_CODE:
        raise _error(path, line(), f"code of {longest:,} characters on one line",
                     f"at most {MAX_CODE:,}: break it into lines (a line of code cannot wrap)")


def check_notes(count: int, path: Path, line: int) -> None:
    if count > MAX_NOTES:
        raise _error(path, line, f"more than {MAX_NOTES:,} footnotes in one chapter",
                     "split the chapter into several files")


def _error(path: Path, line: int, what: str, hint: str) -> BookError:
    return BookError(f"limit exceeded: {what}", file=path, line=line, hint=hint)


# ---- the wall-clock budget of a layout part

LAYOUT_BUDGET = 600.0       # seconds to lay out one part (a chapter takes 1-20 s); IKIDIL_LAYOUT_BUDGET overrides


class _BudgetSpent(BaseException):
    """Raised by the alarm inside the layout: a BaseException, so that no `except Exception`
    in WeasyPrint swallows it."""


@contextlib.contextmanager
def layout_budget(part_file: Callable[[], Path | None]):
    """Stop a layout that runs past the budget (a layout that would take hours is a hang to
    the user) with an error naming the part's chapter file. Only in a process's main thread,
    where the alarm signal arrives: the layout workers and the main process of a build."""
    budget = float(os.environ.get("IKIDIL_LAYOUT_BUDGET") or LAYOUT_BUDGET)
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def spent(signum, frame):
        raise _BudgetSpent()
    previous = signal.signal(signal.SIGALRM, spent)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        yield
    except _BudgetSpent:
        where = part_file()
        raise BookError(f"limit exceeded: laying out {'this chapter' if where else 'a part of the PDF'} took "
                        f"more than {budget:g} s", file=where,
                        hint="look for what a page cannot break: a huge table, an unbreakable line, "
                             "thousands of notes; or split the chapter") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
