"""The one place ikidil runs Pandoc (the binary shipped by pypandoc-binary).

Pandoc always runs with --sandbox: readers and writers may read only the files named
on the command line, so a manuscript cannot pull in /etc/passwd or a remote URL."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypandoc

from . import interrupt
from .errors import BookError


@lru_cache(maxsize=1)
def executable() -> str:
    return pypandoc.get_pandoc_path()


# Pandoc's binary is linked with the RTS option -H64m: a 64 MiB heap from the start. On
# ikidil's inputs (a batch of chapters, an edition) a small one is faster (a batch parses in
# ~25 % less CPU: 64 MiB of fresh pages cost more than the extra collections) and holds
# ~50 MiB less per process. Only if this Pandoc accepts RTS options (-rtsopts).
RTS_OPTIONS = ["+RTS", "-H16m", "-RTS"]


@lru_cache(maxsize=1)
def rts_options() -> list[str]:
    accepted = subprocess.run([executable(), *RTS_OPTIONS, "--version"], capture_output=True).returncode == 0
    return RTS_OPTIONS if accepted else []


@lru_cache(maxsize=1)
def version() -> str:
    return pypandoc.get_pandoc_version()


@dataclass(frozen=True)
class Warning:
    """A warning Pandoc printed while reading, with the input line when it names one."""
    message: str
    line: int | None


MESSAGE_MAX = 200        # characters of Pandoc's error message passed on
_WARNING = re.compile(r"^\[WARNING\] (?P<message>.*)$")
_AT_LINE = re.compile(r"\bat line (\d+) column \d+")


class _Slots:
    """At most one Pandoc process per core at a time in the whole process, whichever threads
    ask (the build's loading, the checks' loading of the translation, the HTML conversion):
    more gain no speed, and each holds 100-200 MiB on a book-sized input. A thread running
    at a lower CPU priority (the checks', see build._in_background) waits while a thread at
    normal priority waits too, so the rendering's conversions go first."""

    def __init__(self, count: int):
        self.free, self.waiting_ahead = count, 0
        self.condition = threading.Condition()

    @contextlib.contextmanager
    def taken(self):
        behind = _lower_priority()
        with self.condition:
            self.waiting_ahead += not behind
            while not self.free or (behind and self.waiting_ahead):
                self.condition.wait()
            self.waiting_ahead -= not behind
            self.free -= 1
        try:
            yield
        finally:
            with self.condition:
                self.free += 1
                self.condition.notify_all()


def _lower_priority() -> bool:
    try:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) > 0   # Linux: per thread
    except (AttributeError, OSError):
        return False


_SLOTS = _Slots(os.cpu_count() or 1)


def run_with_warnings(args: list[str], stdin: str | None = None, source: Path | None = None,
                      env: dict[str, str] | None = None) -> tuple[str, list[Warning]]:
    cmd = [executable(), *rts_options(), "--sandbox", *args]
    with _SLOTS.taken():
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, encoding="utf-8", env={**os.environ, **(env or {})})
        with proc, interrupt.on_interrupt(proc.kill):      # a stopped build leaves no Pandoc running
            stdout, stderr = proc.communicate(stdin)
    if proc.returncode != 0:
        message = (stderr.strip().splitlines() or ["pandoc failed"])[-1]
        if len(message) > MESSAGE_MAX:       # (one line, and never a whole file quoted back)
            message = message[:MESSAGE_MAX] + "…"
        raise BookError(f"pandoc: {message}", file=source)
    warnings = []
    for line in stderr.splitlines():
        match = _WARNING.match(line.strip())
        if match:
            at = _AT_LINE.search(match.group("message"))
            warnings.append(Warning(match.group("message").rstrip("."), int(at.group(1)) if at else None))
    return stdout, warnings


def run(args: list[str], stdin: str | None = None, source: Path | None = None,
        env: dict[str, str] | None = None) -> str:
    return run_with_warnings(args, stdin, source, env)[0]


def convert(text: str, from_: str, to: str, source: Path | None = None, args: list[str] = ()) -> str:
    return run(["-f", from_, "-t", to, *args], stdin=text, source=source)


def read_markdown(text: str, source: Path) -> dict:
    """Markdown → Pandoc JSON AST."""
    return read_markdown_with_warnings(text, source)[0]


def read_markdown_with_warnings(text: str, source: Path) -> tuple[dict, list[Warning]]:
    """Markdown → Pandoc JSON AST, and what Pandoc warned about (unused notes, …).

    The AST may hold RawInline/RawBlock "html" nodes: ikidil.untrusted removes them
    (with a warning) or refuses them before anything else sees the chapter."""
    out, warnings = run_with_warnings(["-f", MARKDOWN, "-t", "json"], stdin=text, source=source)
    return json.loads(out), warnings


_READ_MANY = Path(__file__).resolve().parent / "assets" / "read_many.lua"


@dataclass(frozen=True)
class Parsed:
    """One text of read_markdown_many: its AST as Pandoc's JSON text, and whether Pandoc
    logged anything (a warning, say) while reading it."""
    json: str
    logged: bool


def read_markdown_many(texts: list[str]) -> tuple[list[Parsed], list[Warning]]:
    """Markdown → Pandoc JSON AST for many texts in one Pandoc process, each parsed on its
    own exactly as read_markdown_with_warnings parses it alone (assets/read_many.lua).

    Warnings come back for the whole run: a text with `logged` set is one that caused some
    (parse it alone to know which and where). Raises BookError if Pandoc fails on any text."""
    request = json.dumps({"format": MARKDOWN, "texts": texts}, ensure_ascii=False)
    out, warnings = run_with_warnings(["-f", str(_READ_MANY), "-t", str(_READ_MANY)], stdin=request)
    lines = out.split("\n")          # not splitlines(): JSON may hold U+2028 unescaped
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(texts):
        raise BookError(f"pandoc: read {len(lines)} texts of {len(texts)}")
    parsed = []
    for line in lines:
        logged, _, ast = line.partition("\t")
        parsed.append(Parsed(ast, logged != "0"))
    return parsed, warnings


def write(doc: dict, to: str, args: list[str] = (), env: dict[str, str] | None = None) -> str:
    # Compact UTF-8 JSON: a third smaller than json.dumps' default, so quicker to write and for Pandoc to read.
    return run(["-f", "json", "-t", to, *args], stdin=json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
               env=env)


# Pandoc Markdown, minus raw TeX and raw attributes: a manuscript is prose, and raw
# markup could carry scripts or fetch resources. Raw HTML stays *recognised* (so
# Pandoc tells us exactly where it is, and never inside code) but every raw node is
# stripped with a warning or refused by ikidil.untrusted; native divs/spans are off
# so HTML tags cannot smuggle attributes into the AST.
MARKDOWN = "markdown-raw_tex-raw_attribute-native_divs-native_spans"
