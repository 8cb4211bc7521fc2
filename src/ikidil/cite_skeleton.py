"""Citeproc on a skeleton: Pandoc processes only the parts of a document that its citation
processing reads or changes, and the results are spliced back in place.

Sending a whole edition through `pandoc --citeproc` costs seconds of JSON in and out for
a few hundred citations. What Pandoc 3.9's `Text.Pandoc.Citeproc.processCitations` does:

1. citeproc formats the document's citations, in order, from their Citation data alone
   (ids, prefixes, suffixes, modes, and the note number the Markdown reader stored in
   `citationNoteNum`) plus the bibliography, style and `lang`;
2. each Cite gets its result; in a note style `deNote` rewrites the Cites inside a Note
   (it reads the whole Note) and `addNote` turns in-text ones into Notes;
3. `mvPunct` scans every inline list: a note citation swallows the space before it and
   the punctuation after it (`q Space Cite .` → `q . Cite`, the punctuation taken by
   `dropTextWhile`, which walks every Str, even in notes, until a Space or a Str with
   non-punctuation). It reads at most the two elements before a Cite and, after it,
   elements up to and including the first one holding (outside notes) a Space or a Str
   with a character that is not punctuation: the *stopper*;
4. the entries go into the Div #refs; Spans .csl-quoted lose their class.

So for every block-level inline list holding a citation, the skeleton keeps *windows*:
each element holding a Cite, the two elements before it, and everything after it up to
its stopper (a stopper must hold no Cite, whose text changes). Between windows, each run
of other elements becomes one marker Str, which no rule touches and which stops every
scan just as the run's first element did (that element holds no Cite and is no window's
stopper, so no rule reads it). Elements holding a Cite are kept whole, Notes included.
Every Cite is in the skeleton in document order, so citeproc sees the same citations.

A document outside these assumptions (a Span .csl-note/.csl-quoted of its own, a class
reset-citation-positions, a #refs Div with content or inside a note, no #refs Div, one
list object at two places) is processed whole, as is any result that does not split
back as expected."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable

from .ast import LEAVES

INLINE_TYPES = frozenset({
    "Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps",
    "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math", "RawInline", "Link",
    "Image", "Note", "Span"})
MARKER = {"t": "Str", "c": "\ue000ikidil-gap\ue000"}
_CITEPROC_SPANS = (["", ["csl-note"], []], ["", ["csl-quoted"], []])


class Unsupported(Exception):
    """The document needs Pandoc to see it whole."""


@dataclass
class Site:
    """A block-level inline list holding citations, cut into windows and gaps."""
    inlines: list
    segments: list[tuple[bool, int, int]]       # (is window, start, end)


def cite_by_skeleton(doc: dict, run: Callable[[dict], dict]) -> dict:
    """`run(doc)` is `pandoc --citeproc` JSON → JSON; the result equals `run(doc)`."""
    try:
        return _cite(doc, run)
    except Unsupported:
        return run(doc)


def _cite(doc: dict, run: Callable[[dict], dict]) -> dict:
    scan = _Scan()
    scan.value(doc["blocks"], False)
    if not scan.refs:
        raise Unsupported("no #refs Div")
    skeleton = [{"t": "Para", "c": _skeleton_inlines(site)} for site in scan.sites]
    skeleton += [{"t": "Div", "c": [div["c"][0], []]} for div in scan.refs]
    result = run({"pandoc-api-version": doc["pandoc-api-version"], "meta": doc["meta"],
                  "blocks": skeleton})
    blocks = result["blocks"]
    if len(blocks) != len(skeleton):
        raise Unsupported("the skeleton came back with other blocks")
    lists = {id(site.inlines): _splice(site, para) for site, para in zip(scan.sites, blocks)}
    nodes = {id(div): new for div, new in zip(scan.refs, blocks[len(scan.sites):])}
    return {"pandoc-api-version": result["pandoc-api-version"], "meta": result["meta"],
            "blocks": _substitute(doc["blocks"], lists, nodes)}


class _Scan:
    """One pass over the blocks: the sites, the #refs Divs, and anything unsupported."""

    def __init__(self) -> None:
        self.sites: list[Site] = []
        self.refs: list[dict] = []
        self._seen: set[int] = set()

    def value(self, value, in_inline: bool) -> bool:
        """Whether `value` holds a Cite."""
        if isinstance(value, list):
            if value and isinstance(value[0], dict) and value[0].get("t") in INLINE_TYPES:
                return self.inlines(value, in_inline)
            found = False
            for item in value:
                if isinstance(item, (list, dict)) and self.value(item, in_inline):
                    found = True
            return found
        if not isinstance(value, dict):
            return False
        kind = value.get("t")
        if kind in LEAVES:
            return False
        if kind in ("Div", "Span", "Header"):
            self._attr(value, kind, in_inline)
        found = kind == "Cite"
        inner = in_inline or kind in INLINE_TYPES
        for child in value.values():
            if isinstance(child, (list, dict)) and self.value(child, inner):
                found = True
        return found

    def inlines(self, inlines: list, in_inline: bool) -> bool:
        centers = [index for index in [i for i, item in enumerate(inlines) if item["t"] not in LEAVES]
                   if self.value(inlines[index], True)]
        if not centers:
            return False
        if not in_inline:
            if id(inlines) in self._seen:
                raise Unsupported("one inline list at two places")
            self._seen.add(id(inlines))
            self.sites.append(Site(inlines, _segments(inlines, centers)))
        return True

    def _attr(self, node: dict, kind: str, in_inline: bool) -> None:
        ident, classes, kv = node["c"][1] if kind == "Header" else node["c"][0]
        if "reset-citation-positions" in classes:
            raise Unsupported("reset-citation-positions")
        if kind == "Span" and [ident, classes, kv] in _CITEPROC_SPANS:
            raise Unsupported("a Span citeproc would rewrite")
        if kind == "Div" and (ident == "refs" or ident.endswith("__refs")):
            if in_inline or node["c"][1] or id(node) in self._seen:
                raise Unsupported("a #refs Div with content, in a note or twice")
            self._seen.add(id(node))
            self.refs.append(node)


def _segments(inlines: list, centers: list[int]) -> list[tuple[bool, int, int]]:
    windows: list[list[int]] = []
    for center in centers:
        start, end = max(0, center - 2), center + 1
        while end < len(inlines) and not _stopper(inlines[end]):
            end += 1
        end = min(end + 1, len(inlines))
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    segments, position = [], 0
    for start, end in windows:
        if start > position:
            segments.append((False, position, start))
        segments.append((True, start, end))
        position = end
    if position < len(inlines):
        segments.append((False, position, len(inlines)))
    return segments


def _stopper(node: dict) -> bool:
    """Whether mvPunct's punctuation scans surely end inside `node`, whatever precedes it."""
    has_cite, stops = _probe(node, False)
    return stops and not has_cite


def _probe(value, in_note: bool) -> tuple[bool, bool]:
    """(holds a Cite, holds a Space or a non-punctuation Str outside notes)."""
    if isinstance(value, list):
        cite = stop = False
        for item in value:
            c, s = _probe(item, in_note)
            cite, stop = cite or c, stop or s
        return cite, stop
    if not isinstance(value, dict):
        return False, False
    kind = value.get("t")
    if kind == "Cite":
        return True, False
    if kind == "Space":
        return False, not in_note
    if kind == "Str":
        return False, not in_note and any(map(_stops_text, value["c"]))
    if kind in LEAVES:
        return False, False
    return _probe(list(value.values()), in_note or kind == "Note")


def _stops_text(char: str) -> bool:
    """Not punctuation for Pandoc's isPunct (Haskell isPunctuation, dashes excepted); an
    unassigned code point counts as punctuation, in case Pandoc's Unicode is newer."""
    category = unicodedata.category(char)
    return char in "\u2013\u2014" or category[0] not in "PC"


def _skeleton_inlines(site: Site) -> list:
    out: list = []
    for is_window, start, end in site.segments:
        if is_window:
            out.extend(site.inlines[start:end])
        else:
            out.append(MARKER)
    return out


def _splice(site: Site, para: dict) -> list:
    if para.get("t") != "Para":
        raise Unsupported("the skeleton came back with other blocks")
    runs: list[list] = [[]]
    for item in para["c"]:
        if item == MARKER:
            runs.append([])
        else:
            runs[-1].append(item)
    if len(runs) != 1 + sum(not is_window for is_window, _, _ in site.segments):
        raise Unsupported("markers lost")
    out: list = []
    run = 0
    for is_window, start, end in site.segments:
        if is_window:
            out.extend(runs[run])
            runs[run] = None
        else:
            out.extend(site.inlines[start:end])
            run += 1
    if any(runs):
        raise Unsupported("a window came back outside its place")
    return out


def _substitute(value, lists: dict[int, list], nodes: dict[int, dict]):
    """`value` with the given lists and nodes (by identity) replaced, sharing the rest;
    it steps over inline lists, which hold no site and (in a supported document) no #refs."""
    if isinstance(value, list):
        if id(value) in lists:
            return lists[id(value)]
        if value and isinstance(value[0], dict) and value[0].get("t") in INLINE_TYPES:
            return value
        out = None
        for index, item in enumerate(value):
            new = _substitute(item, lists, nodes) if isinstance(item, (list, dict)) else item
            if new is not item and out is None:
                out = value[:index]
            if out is not None:
                out.append(new)
        return value if out is None else out
    if id(value) in nodes:
        return nodes[id(value)]
    if value.get("t") in LEAVES:
        return value
    rebuilt = value
    for key, child in value.items():
        if isinstance(child, (list, dict)):
            new = _substitute(child, lists, nodes)
            if new is not child:
                if rebuilt is value:
                    rebuilt = dict(value)
                rebuilt[key] = new
    return rebuilt
