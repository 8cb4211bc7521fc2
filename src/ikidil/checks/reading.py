"""Reading a block for the rules: its text, its notes and its citations, in one pass.

The results are exactly those of `ast.stringify`, `Block.notes` and `Block.citations`
(translator's notes left out of all three)
(tests/test_checks_speed.py compares them on every block of the seed and bench books);
they are written out again here because the check stage reads every block of a book, and
one pass over a block's inlines, with no call per inline, is several times faster than
a text pass plus a generic walk for notes and another for citations."""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..load import Citation, is_translator_note

_SPACES = frozenset(("Space", "SoftBreak", "LineBreak"))
_VERBATIM = frozenset(("Code", "Math", "RawInline"))
_VERBATIM_BLOCKS = frozenset(("CodeBlock", "RawBlock"))
_CONTAINERS = frozenset(("Para", "Plain", "Header", "BlockQuote", "Div"))
_ENDS_WITH_SPACE = frozenset(("Para", "Plain", "Header", "CodeBlock"))
_QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}
_ASIDES = ("Note", "Cite")             # left out of the text, read on their own
_NO_KIND = object()                    # a dict that is not an element (a citation record)


def elements(value: Any) -> Iterator[dict]:
    """Every AST element inside `value`, in `ast.walk`'s order (parents before children),
    without a generator frame per node."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if "t" in v:
                yield v
            stack.extend(reversed([c for c in v.values() if isinstance(c, (dict, list))]))
        elif isinstance(v, list):
            stack.extend(reversed([c for c in v if isinstance(c, (dict, list))]))


def plain_text(value: Any, asides: list[dict] | None = None, verbatim: list[str] | None = None,
               prose: bool = False) -> str:
    """`ast.stringify(value)`; the notes and citations it leaves out (and those inside
    them) are appended to `asides` in document order when a list is given, and the text
    of its code, math and raw elements (inline or block) to `verbatim`. With `prose`,
    that verbatim text is left out of the result (a space in its place)."""
    parts: list[str] = []
    append = parts.append

    def visit(items: list) -> None:
        for v in items:
            if isinstance(v, dict):
                t = v.get("t", _NO_KIND)
                if t == "Str":
                    append(v.get("c"))
                elif t in _SPACES:
                    append(" ")
                elif t is _NO_KIND:
                    continue
                elif t == "Span" and is_translator_note(v):
                    continue               # the translator's own: neither text nor a note to pair
                elif t in _ASIDES:
                    if asides is not None:
                        asides.extend(e for e in elements(v) if e["t"] in _ASIDES)
                else:
                    c = v.get("c")
                    if t == "Quoted":
                        opening, closing = _QUOTES[c[0]["t"]]
                        append(opening)
                        visit_any(c[1])
                        append(closing)
                    elif t in _VERBATIM:
                        if verbatim is not None:
                            verbatim.append(c[-1])
                        append(" " if prose else c[-1])
                    elif t in _VERBATIM_BLOCKS:
                        # stringify reads no text in them (their text is a string, not an element)
                        if verbatim is not None:
                            verbatim.append(c[-1])
                    elif t in _CONTAINERS or isinstance(c, list):
                        before = len(parts)
                        visit_any(c)
                        if t in _ENDS_WITH_SPACE and len(parts) > before:
                            append(" ")
            elif isinstance(v, list):
                visit(v)

    def visit_any(v: Any) -> None:
        if isinstance(v, list):
            visit(v)
        elif isinstance(v, dict):
            visit([v])

    visit_any(value)
    return " ".join("".join(parts).split())


def read_block(node: dict) -> tuple[str, tuple[str, ...], tuple[Citation, ...]]:
    """(text, the text of each note, each citation) of a block."""
    asides: list[dict] = []
    text = plain_text(node, asides)
    if not asides:
        return text, (), ()
    notes = tuple(plain_text(el["c"]) for el in asides if el["t"] == "Note")
    citations = tuple(Citation(c["citationId"], plain_text(c["citationPrefix"]),
                               plain_text(c["citationSuffix"]).lstrip(", "))
                      for el in asides if el["t"] == "Cite" for c in el["c"][0])
    return text, notes, citations


# A URL is an address, not prose: its digits are no figures, its words no names.
URL = re.compile(r"(?:https?|ftp|mailto|file)://[^\s<>“”\"']*[^\s<>“”\"'.,;:!?)\]]|www\.[^\s<>“”\"']*[^\s<>“”\"'.,;:!?)\]]")


def read_view(node: dict):
    """(text, notes, citations) as read_block, then (prose, the prose of each note, verbatim
    texts): the text without code, math, raw markup and URLs, which the rules on numbers,
    names, length and language must not read (`1.0.0` in a code span is no Turkish
    number), and the text of those verbatim elements. Most blocks hold none of them:
    their prose is their text, and the block is read once."""
    asides: list[dict] = []
    verbatim: list[str] = []
    text = plain_text(node, asides, verbatim)
    note_nodes = [el for el in asides if el["t"] == "Note"]
    notes = tuple(plain_text(el["c"], None, verbatim) for el in note_nodes)
    citations = tuple(Citation(c["citationId"], plain_text(c["citationPrefix"]),
                               plain_text(c["citationSuffix"]).lstrip(", "))
                      for el in asides if el["t"] == "Cite" for c in el["c"][0])
    if not verbatim and not _has_url(text) and not any(map(_has_url, notes)):
        return text, notes, citations, text, notes, ()
    prose = _without_urls(plain_text(node, None, None, prose=True))
    note_prose = tuple(_without_urls(plain_text(el["c"], None, None, prose=True)) for el in note_nodes)
    return text, notes, citations, prose, note_prose, tuple(verbatim)


def _has_url(text: str) -> bool:
    return "://" in text or "www." in text


def _without_urls(text: str) -> str:
    return " ".join(URL.sub(" ", text).split()) if _has_url(text) else text
