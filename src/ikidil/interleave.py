"""The bilingual edition: each source block followed by its translation.

Each language's edition is built first (citeproc runs once per language, with that
language's `lang`, so each keeps its own localised notes); then their chapters are
zipped block by block through the alignment. The document structure is the contract
between this module and the renderers:

    Header 1  #ch-<slug> .bi-heading   [Span lang=tr .bi-title .bi-title-<tr>, Span lang=en …]
    Div .bi-pair                       one per aligned block pair (headings excepted)
      Div .bi-block lang=tr .bi-<role>   role: "source" for the first language of
      Div .bi-block lang=en .bi-<role>   bilingual_order, "translation" for the others
    Div #bibliography-section …        one per language, each in its own lang
"""

from __future__ import annotations

from .align import align_chapter
from .ast import attr, div, span
from .load import Book
from .transform import Edition, chapter_id, edition_document


def bilingual_edition(book: Book) -> Edition:
    cfg = book.config
    order = cfg.bilingual_order
    docs = {lang: edition_document(book, lang) for lang in order}
    chapters = book.chapters[cfg.language]
    # Split each language's processed blocks back into chapters: citeproc keeps
    # top-level blocks one for one, and appends nothing but the #refs contents.
    per_lang = {lang: _split(docs[lang]["blocks"], [len(c.blocks) for c in book.chapters[lang]])
                for lang in order}
    blocks: list[dict] = []
    for number, source in enumerate(chapters):
        alignment = align_chapter(source, book.chapter(order[1] if order[0] == cfg.language else order[0], source.name))
        processed = {lang: per_lang[lang][number] for lang in order}
        index = {lang: 0 for lang in order}
        heading_done = False
        for pair in alignment.pairs:
            members = {}
            for lang in order:
                side = pair.source if lang == cfg.language else pair.target
                if side is not None:
                    members[lang] = processed[lang][side.index]
            if not heading_done and all(b["t"] == "Header" and b["c"][0] == 1 for b in members.values()):
                blocks.append(_heading(members, source, order))
                heading_done = True
                continue
            blocks.append(div([div([block], ["bi-block", f"bi-{_role(lang, order)}"], attributes=[["lang", lang]])
                               for lang, block in members.items()], ["bi-pair"]))
    for lang in order:
        refs = per_lang[lang][-1]
        for block in refs:
            blocks.append(div([block], ["bi-bibliography"], attributes=[["lang", lang]]))
    titles = [cfg.title_in(lang) for lang in order]
    subtitle = cfg.subtitle_in(order[0])
    doc = {"pandoc-api-version": docs[order[0]]["pandoc-api-version"],
           "meta": {"lang": {"t": "MetaString", "c": order[0]}}, "blocks": blocks}
    return Edition("bilingual", order[0], tuple(order), " / ".join(dict.fromkeys(titles)), subtitle, doc)


def _role(lang: str, order: tuple[str, ...]) -> str:
    return "source" if lang == order[0] else "translation"


def _heading(members: dict[str, dict], chapter, order) -> dict:
    inlines = []
    for lang, header in members.items():
        inlines.append(span(header["c"][2], ["bi-title", f"bi-title-{_role(lang, order)}"],
                            attributes=[["lang", lang]]))
    return {"t": "Header", "c": [1, attr(chapter_id(chapter), ["bi-heading"]), inlines]}


def _split(blocks: list[dict], sizes: list[int]) -> list[list[dict]]:
    """Chapters' blocks by size, then whatever follows (the bibliography) as the last part."""
    parts, start = [], 0
    for size in sizes:
        parts.append(blocks[start:start + size])
        start += size
    parts.append(blocks[start:])
    return parts
