"""Splitting an edition document into parts that lay out alone: the front matter, then
each top-level child of `.body-matter` (a chapter, the bibliography), each a complete
document with the same <head>, followed by an emptied copy of the next part's opening
(see the package's docstring for why the pages are the same as the whole document's)."""

from __future__ import annotations

import html as htmlmod
from dataclasses import dataclass, field

PART_SCHEME = "ikidil-part:"
STUB_CLASS = "ikidil-target-"


class CannotSplit(Exception):
    """The edition cannot be laid out part by part with the same pages (the caller lays it out whole)."""


@dataclass
class Part:
    index: int                 # 0: front matter
    html: str = ""
    notes_before: dict[str, int] = field(default_factory=dict)   # note counter → notes before the part
    ids: set[str] = field(default_factory=set)
    drop_tail: int = 0         # pages after the part's own (the next part's opening copy, targets)
    targets: list[str] = field(default_factory=list)   # front matter: ids it needs page numbers of
    openings: set[str] = field(default_factory=set)   # ids on its first page for sure: see _opening_ids


def split_parts(document_html: str) -> tuple[list[Part], callable]:
    """The parts of an edition document, and a function that writes the front matter's
    HTML once the page of each target is known."""
    from lxml import html as lhtml
    root = lhtml.document_fromstring(document_html)
    body = root.find("body")
    matter = next((el for el in body if isinstance(el.tag, str) and "body-matter" in el.get("class", "").split()), None)
    if matter is None:
        raise CannotSplit("no .body-matter in the edition document")
    pieces = [el for el in matter if isinstance(el.tag, str)]
    if not pieces or any(el.tail and el.tail.strip() for el in matter):
        raise CannotSplit("text between the body parts")
    serialize = lambda el: lhtml.tostring(el, encoding="unicode", with_tail=False)
    head = serialize(root.find("head"))
    root_attrs = _attrs(root)
    body_open = f"<body{_attrs(body)}>"
    matter_open = f"<{matter.tag}{_attrs(matter)}>"

    def opening_copy(el) -> str:
        """The part's opening, emptied: the element and its chain of first children down
        to the one holding text, without text or ids. It breaks the page as the real part
        does (a break-before of a first child applies to its parents) and adds no text."""
        attrs = {k: v for k, v in el.attrib.items() if k != "id"}
        first = next((c for c in el if isinstance(c.tag, str)), None)
        inner = ""
        if first is not None and not (el.text or "").strip() and not _holds_text(first):
            inner = opening_copy(first)
        return f"<{el.tag}{_attrs_of(attrs)}>{inner}</{el.tag}>"

    def document(inner_body: str) -> str:
        return f"<!DOCTYPE html>\n<html{root_attrs}>\n{head}\n{body_open}\n{inner_body}\n</body>\n</html>\n"

    parts: list[Part] = []
    notes: dict[str, int] = {}
    for n, el in enumerate(pieces, start=1):
        part = Part(n, notes_before=dict(notes), openings=_opening_ids(el))
        part.ids = {e.get("id") for e in el.iter() if isinstance(e.tag, str) and e.get("id")}
        parts.append(part)
        for e in el.iter():
            if isinstance(e.tag, str) and "footnote" in e.get("class", "").split():
                for counter in note_counters(e):
                    notes[counter] = notes.get(counter, 0) + 1
    for part, el in zip(parts, pieces):
        for link in el.iter("a"):
            href = link.get("href", "")
            if href.startswith("#") and href[1:] not in part.ids:
                link.set("href", PART_SCHEME + href[1:])
        nxt = pieces[part.index] if part.index < len(pieces) else None
        part.drop_tail = 1 if nxt is not None else 0
        part.html = document(matter_open + serialize(el) + (opening_copy(nxt) if nxt is not None else "")
                             + f"</{matter.tag}>")

    # The front matter: everything of <body> but the body parts.
    front_ids = {e.get("id") for e in body.iter() if isinstance(e.tag, str) and e.get("id")} - set().union(*(p.ids for p in parts))
    targets = []
    for child in body:
        if child is matter or not isinstance(child.tag, str):
            continue
        for link in child.iter("a"):
            href = link.get("href", "")
            if href.startswith("#") and href[1:] not in front_ids and href[1:] not in targets:
                targets.append(href[1:])
    front_children = "".join(serialize(c) for c in body if c is not matter and isinstance(c.tag, str))
    front = Part(0, targets=targets, drop_tail=1)

    def front_html(pages: dict[str, int]) -> tuple[str, str]:
        """HTML and extra CSS of the front matter, each target a stub on the dropped page
        counting as the target's page in the book (the HTML never depends on the pages)."""
        stubs = "".join(f'<div id="{htmlmod.escape(t)}" class="{STUB_CLASS}{i}"></div>'
                        for i, t in enumerate(targets))
        css = stubs_css((i, pages.get(t, 1)) for i, t in enumerate(targets))
        return document(front_children + matter_open + opening_copy(pieces[0]) + f"</{matter.tag}>" + stubs), css

    parts.insert(0, front)
    return parts, front_html


def stubs_css(pages) -> str:
    """The front matter's target stubs' counters: (stub number, page) pairs."""
    return "".join(f".{STUB_CLASS}{stub} {{ counter-reset: page {page}; }}\n" for stub, page in pages)


def note_counters(note) -> list[str]:
    """The CSS counters a note (a `.footnote` span) advances, as assets/book.css counts them:
    `footnote` (WeasyPrint's, every note), and in the bilingual edition `note-source` or
    `note-translation` by the column it is in. The columns layout's hidden second copy of a
    joined note (render/columns.py, .bi-alt) advances none; its marks are written out."""
    if "bi-alt" in note.get("class", "").split():
        return []
    counters = ["footnote"]
    for ancestor in note.iterancestors():
        classes = ancestor.get("class", "").split()
        if "bi-block" in classes:
            counters += [f"note-{role}" for role in ("source", "translation") if f"bi-{role}" in classes]
            break
    return counters


def counters_css(notes_before: dict[str, int]) -> str:
    """The note counters' values at the start of a part (see book.css: `footnote` is
    reset on html, the bilingual ones on body)."""
    css = ""
    if notes_before.get("footnote"):
        css += f"html {{ counter-reset: footnote {notes_before['footnote']}; }}\n"
    others = " ".join(f"{name} {value}" for name, value in sorted(notes_before.items()) if name != "footnote")
    if others:
        css += f"body {{ counter-reset: {others} !important; }}\n"
    return css


def _opening_ids(el) -> set[str]:
    """The ids of a part's element and of its chain of first children down to the first
    that holds text (a chapter's section and its heading; the bibliography's section and
    its heading, which the contents link to): the part opens a page, so they are all on it."""
    ids = {el.get("id")} - {None}
    first = next((c for c in el if isinstance(c.tag, str)), None)
    if first is not None and not (el.text or "").strip():
        ids |= {first.get("id")} - {None} if _holds_text(first) else _opening_ids(first)
    return ids


def _holds_text(el) -> bool:
    return bool((el.text or "").strip()) or any((c.tail or "").strip() for c in el)


def _attrs(el) -> str:
    return _attrs_of(dict(el.attrib))


def _attrs_of(attrs: dict) -> str:
    return "".join(f' {k}="{htmlmod.escape(v, quote=True)}"' for k, v in attrs.items())
