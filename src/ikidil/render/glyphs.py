"""Characters no installed face can print, found before the PDF is laid out.

The PDF sets text in a chain of faces (assets/fit.css): the book face (EB Garamond), then
DejaVu Serif and Symbola for the symbols and emoji it lacks; code in DejaVu Sans Mono,
then Symbola. A character that none of them has prints as an empty box, and WeasyPrint says
nothing: this module reads the faces' character maps (fontTools) once per process and
names each such character with its file and line (warning PDF004)."""

from __future__ import annotations

import functools
import subprocess
import unicodedata
from pathlib import Path

from ..ast import walk
from ..checks.base import Finding, Severity
from ..textio import line_of

# The families of fit.css's font-family chains, text and code together: a character any of
# them has is printed (Pango falls back along the chain, then to any installed face).
FACES = ("EB Garamond 12", "DejaVu Serif", "DejaVu Sans Mono", "Symbola")


@functools.lru_cache(maxsize=1)
def printable() -> frozenset[int]:
    """Every code point one of FACES has a glyph for (faces not installed add nothing)."""
    from fontTools.ttLib import TTFont
    points: set[int] = set()
    for family in FACES:
        found = subprocess.run(["fc-match", "-f", "%{file}\n%{family}", family],
                               capture_output=True, text=True).stdout.split("\n", 1)
        if len(found) < 2 or family.split()[0].lower() not in found[1].lower():
            continue                        # fc-match's substitute for a missing family
        with TTFont(found[0], lazy=True, fontNumber=0) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def _needs_glyph(char: str) -> bool:
    # Spaces, controls, joiners and variation selectors are not drawn.
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Mn", "Zs", "Zl", "Zp") \
        and not 0xFE00 <= ord(char) <= 0xFE0F


def missing_glyphs(book, languages) -> list[Finding]:
    """One PDF004 warning per character no face has, at its first use in each file."""
    have = printable()
    if not have:
        return []                           # no face could be read: nothing to judge by
    findings = []
    for lang in languages:
        for chapter in book.chapters.get(lang, []):
            if all(ord(c) in have or not _needs_glyph(c) for c in set(chapter.source)):
                continue                    # the common case: one pass over the text
            seen = set()
            for block in chapter.blocks:
                for char in sorted(_characters(block.node)):
                    if char in seen or ord(char) in have or not _needs_glyph(char):
                        continue
                    seen.add(char)
                    findings.append(_finding(char, chapter.path, line_of(chapter.source, char, block.line)))
    title_chars = {c for lang in languages for c in book.config.title_in(lang) + (book.config.subtitle_in(lang) or "")}
    for char in sorted(title_chars):
        if ord(char) not in have and _needs_glyph(char):
            findings.append(_finding(char, book.root / "book.yaml", book.config.line_of("title")))
    return findings


def _finding(char: str, path: Path, line: int | None) -> Finding:
    name = unicodedata.name(char, "unnamed character")
    return Finding("PDF004", Severity.WARNING,
                   f"'{char}' (U+{ord(char):04X} {name}) is in no installed font: the PDF prints an empty box; "
                   "write it another way, or install a face that has it (scripts/setup-system.sh)",
                   file=path, line=line)


def _characters(node: dict) -> set[str]:
    chars: set[str] = set()
    for element in walk(node):
        content = element.get("c")
        if element["t"] == "Str":
            chars.update(content)
        elif element["t"] in ("Code", "CodeBlock", "Math"):
            chars.update(content[-1])
    return chars
