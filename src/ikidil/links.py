"""Links inside the book, resolved once the chapters of a language are loaded.

An author writes links as in any Markdown folder: `#heading` inside the chapter,
`02-chapter.md` or `02-chapter.md#heading` to another chapter. In an edition those
files do not exist any more (the EPUB is split by Pandoc, the PDF is one document), and
every heading id is prefixed with its chapter's slug (transform.chapter_blocks), so such
a link must become `#<slug>-<id>`. A link that leads nowhere would be an EPUBCheck error
(RSC-007/RSC-026) in a book the build said it wrote, or a dead link in the PDF: it is
refused here, naming the file and line, before anything is built.

Only what an edition can hold is accepted: a link with a scheme is checked by
untrusted.py (http(s), mailto, tel); everything else must name a chapter of the book,
by its file name alone (`./` allowed), and an id that chapter has."""

from __future__ import annotations

import difflib
import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from .ast import walk
from .errors import BookError
from .textio import line_of

# `[text](url)`, `[text][ref]` or a reference definition `[ref]: url` (not a note's `[^1]:`);
# an autolink `<…>` always has a scheme, so it never leads inside the book.
_REFERENCE = re.compile(r"^ {0,3}\[[^\^\]][^\]]*\]:", re.M)


def _may_link(source: str) -> bool:
    # Plain substring searches first (the bench book, 50 chapters per language: 69 → 17 ms).
    return "](" in source or "][" in source or ("]:" in source and _REFERENCE.search(source) is not None)
_ID_HOLDERS = ("Header", "Div", "Span", "CodeBlock", "Code", "Link", "Image", "Table", "Figure")


def is_in_book(url: str) -> bool:
    """A link to a place inside the book (no scheme, not protocol-relative)."""
    parts = urlsplit(url)
    return not parts.scheme and not url.startswith("//")


def split(url: str) -> tuple[str, str]:
    """(chapter file name or "" for this chapter, id or "")."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if path.startswith("./"):
        path = path[2:]
    return path, unquote(parts.fragment)


def ids_of(blocks: list[dict]) -> set[str]:
    """Every id an author's link may point at: headings' (Pandoc's automatic ones too) and
    explicit ids on divs, spans and other elements."""
    found = set()
    for node in walk(blocks):
        if node["t"] in _ID_HOLDERS:
            content = node["c"]
            attrs = content[1] if node["t"] == "Header" else content[0]
            if isinstance(attrs, list) and attrs and isinstance(attrs[0], str) and attrs[0]:
                found.add(attrs[0])
    return found


def check(chapters) -> None:
    """Refuse every in-book link of these chapters (one language) that leads nowhere."""
    names = {chapter.name for chapter in chapters}
    ids: dict[str, set[str]] = {}
    for chapter in chapters:
        if not _may_link(chapter.source):
            continue                        # no in-book link can be written without one of these
        for block in chapter.blocks:
            for node in walk(block.node):
                if node["t"] != "Link" or not is_in_book(node["c"][2][0]):
                    continue
                url = node["c"][2][0]
                _check_one(url, chapter, block.line, names, ids, {c.name: c for c in chapters})


def _check_one(url, chapter, line, names, ids, by_name) -> None:
    path, fragment = split(url)
    at = line_of(chapter.source, url, line)
    if path and (path not in names or "/" in path):
        known = ", ".join(sorted(names))
        raise BookError(f"link to '{url[:60]}' does not lead to a chapter of the book", file=chapter.path, line=at,
                        hint=f"link to a chapter by its file name (one of: {known}), optionally with #heading-id; "
                             "link to the web with https://")
    target = by_name[path] if path else chapter
    if not fragment:
        if not path:
            raise BookError(f"link to '{url}' leads nowhere", file=chapter.path, line=at,
                            hint="write the target: #heading-id, or a chapter's file name")
        return
    if target.name not in ids:
        ids[target.name] = ids_of([b.node for b in target.blocks])
    if fragment not in ids[target.name]:
        close = difflib.get_close_matches(fragment, sorted(ids[target.name]), n=3)
        hint = f"did you mean {', '.join('#' + c for c in close)}?" if close else \
            "give the heading an id, e.g. ## Title {#my-id}, and link to #my-id"
        raise BookError(f"link to '{url[:60]}': {target.name} has no heading or element with id '{fragment}'",
                        file=chapter.path, line=at, hint=hint)


def resolve(url: str, slug: str, suffix: str = "") -> str:
    """The href of an in-book link in an edition, where ids are `<slug>-<id><suffix>` and a
    chapter is `#ch-<slug>` (transform.chapter_blocks names them)."""
    path, fragment = split(url)
    target = PurePosixPath(path).stem if path else slug
    if not fragment:
        return f"#ch-{target}"
    return f"#{target}-{fragment}{suffix}"
