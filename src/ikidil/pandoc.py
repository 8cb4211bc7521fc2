"""The one place ikidil runs Pandoc (the binary shipped by pypandoc-binary).

Pandoc always runs with --sandbox: readers and writers may read only the files named
on the command line, so a manuscript cannot pull in /etc/passwd or a remote URL."""

from __future__ import annotations

import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path

import pypandoc

from .errors import BookError


@lru_cache(maxsize=1)
def executable() -> str:
    return pypandoc.get_pandoc_path()


@lru_cache(maxsize=1)
def version() -> str:
    return pypandoc.get_pandoc_version()


def run(args: list[str], stdin: str | None = None, source: Path | None = None,
        env: dict[str, str] | None = None) -> str:
    cmd = [executable(), "--sandbox", *args]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        message = (proc.stderr.strip().splitlines() or ["pandoc failed"])[-1]
        raise BookError(f"pandoc: {message}", file=source)
    return proc.stdout


def convert(text: str, from_: str, to: str, source: Path | None = None, args: list[str] = ()) -> str:
    return run(["-f", from_, "-t", to, *args], stdin=text, source=source)


def read_markdown(text: str, source: Path) -> dict:
    """Markdown → Pandoc JSON AST."""
    return json.loads(convert(text, MARKDOWN, "json", source))


def write(doc: dict, to: str, args: list[str] = (), env: dict[str, str] | None = None) -> str:
    return run(["-f", "json", "-t", to, *args], stdin=json.dumps(doc), env=env)


# Pandoc Markdown, minus raw HTML/TeX: a manuscript is prose, and raw markup could
# carry scripts or fetch resources.
MARKDOWN = "markdown-raw_html-raw_tex-raw_attribute"
