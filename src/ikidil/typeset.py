"""Typographic finish of the text every output shows, never of the manuscript:

- a range written with a hyphen between numbers (`1920-1991`, `6-11 Ocak`), months
  (`Temmuz-Ağustos`) or a month and a day (`22 Ağustos-13 Eylül 1921`) is set with an en
  dash, as ranges are;
- a range is never split across lines: word joiners (U+2060) hold the en dash to both
  sides (UAX #14 allows a break after a dash; Pango and reading systems honour WJ, and it
  neither prints nor is extracted as text);
- a display title's last two words are joined by a no-break space, so no title ends on a
  line of one word ("…in / Turkey").

A chain of hyphenated numbers (an ISBN, `978-0-415-…`) is left alone: it is no range."""

from __future__ import annotations

import re

from .ast import rewrite
from .i18n import MONTHS

WJ = "\u2060"
NBSP = "\u00a0"
_MONTH = "|".join(sorted({m for months in MONTHS.values() for m in months}, key=len, reverse=True))
# a hyphen between two numbers, or a month and a number; not inside a chain of them
_HYPHEN_RANGE = re.compile(rf"(?<![\d-])(\d+|\b(?:{_MONTH}))-(\d+|(?:{_MONTH})\b)(?![\d-])")
_DASH_RANGE = re.compile(rf"(\d|\b(?:{_MONTH}))({WJ}?)–({WJ}?)(?=\d|(?:{_MONTH})\b)")


def ranges(text: str) -> str:
    """Hyphenated ranges as en dashes, every range held together."""
    if "-" in text:
        text = _HYPHEN_RANGE.sub(r"\1–\2", text)
    if "–" in text:
        text = _DASH_RANGE.sub(rf"\1{WJ}–{WJ}", text)
    return text


def title(text: str, room: int = 0) -> str:
    """A display title: ranges held together, the last two words kept on one line.

    With `room` (a printed page, where a line of this display type is known to hold at least
    `room` letters): the last words held together until they make nearly half the title, so
    that a two-line title breaks near its middle, at a word boundary that is usually a
    phrase's ("Mustafa Kemal Pasha and the / Communists in Turkey, 1919–1922")."""
    text = ranges(text)
    words = text.split(" ")
    if len(words) < 2:
        return text
    keep = 2
    while room and keep < len(words) - 1:
        tail = len(" ".join(words[-keep:]))
        if tail >= 0.45 * len(text) or tail + 1 + len(words[-keep - 1]) > room:
            break
        keep += 1
    if len(" ".join(words[-keep:])) > (room or 24):     # a held tail must fit any line
        return text
    # (a title of `keep` words is held whole: no space before it, which a heading holding
    # an inner title would set beside its own, a gap twice as wide, issue 19)
    head = " ".join(words[:-keep]) + " " if len(words) > keep else ""
    return head + NBSP.join(words[-keep:])


def document(doc: dict) -> dict:
    """`ranges` on every Str of a Pandoc document (code, math and raw elements keep theirs)."""
    def fix(node: dict) -> dict | None:
        text = node["c"]
        if "-" in text or "–" in text:
            new = ranges(text)
            if new != text:
                return {"t": "Str", "c": new}
        return None
    return rewrite(doc, {"Str"}, fix)
