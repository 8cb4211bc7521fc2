"""The bilingual edition: each source block followed by its translation.

Each language's edition is built first (citeproc runs once per language, with that
language's `lang`, so each keeps its own localised notes); then their chapters are
zipped block by block through the alignment. The document structure is the contract
between this module and the renderers:

    Header 1  #ch-<slug> .bi-heading   [Span lang=tr .bi-title .bi-title-<tr>, Span lang=en …]
    Div .bi-pair                       one per aligned block pair (headings excepted)
      Div .bi-block lang=tr .bi-<role>   role: "source" for the first language of
      Div .bi-block lang=en .bi-<role>   bilingual_order, "translation" for the others
    Div #bibliography-section .bibliography-section     once, after the chapters
      Header 1 #bibliography .bi-heading  both titles, as the chapter headings
      Div .bi-bibliography lang=tr         the entries in each language, in its own lang;
      Div .bi-bibliography lang=en         ids suffixed with the language (refs-tr, ref-tr-<key>)

Ids are unique across the document: one EPUB/HTML file may hold both languages, so each
side's ids but the chapters' end in its language (`<slug>-<id>-tr`, `<slug>-<id>-en`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .align import align_chapter
from .ast import attr, div, span, walk
from .load import Book
from .transform import Edition, chapter_id, edition_document


def bilingual_edition(book: Book) -> Edition:
    cfg = book.config
    order = cfg.bilingual_order
    # Each language's citeproc is a Pandoc process of its own: they run side by side.
    # Each side's ids end in its language: an author's {#id} is on both sides of a pair.
    with ThreadPoolExecutor(max_workers=len(order)) as pool:
        docs = dict(zip(order, pool.map(lambda lang: edition_document(book, lang, id_suffix=f"-{lang}"), order)))
    chapters = book.chapters[cfg.language]
    # Split each language's processed blocks back into chapters: citeproc keeps
    # top-level blocks one for one, and appends nothing but the #refs contents.
    per_lang = {lang: _split(docs[lang]["blocks"], [len(c.blocks) for c in book.chapters[lang]])
                for lang in order}
    blocks: list[dict] = []
    for number, source in enumerate(chapters):
        alignment = align_chapter(source, book.chapter(order[1] if order[0] == cfg.language else order[0], source.name))
        processed = {lang: per_lang[lang][number] for lang in order}
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
    if book.bibliography.path is not None:
        blocks.append(_bibliography({lang: per_lang[lang][-1] for lang in order}, order))
    titles = [cfg.title_in(lang) for lang in order]
    subtitle = cfg.subtitle_in(order[0])
    doc = {"pandoc-api-version": docs[order[0]]["pandoc-api-version"],
           "meta": {"lang": {"t": "MetaString", "c": order[0]}}, "blocks": blocks}
    return Edition("bilingual", order[0], tuple(order), " / ".join(dict.fromkeys(titles)), subtitle, doc)


def _role(lang: str, order: tuple[str, ...]) -> str:
    return "source" if lang == order[0] else "translation"


def _heading(members: dict[str, dict], chapter, order, ident: str | None = None,
             classes: list[str] = ()) -> dict:
    inlines = []
    for lang, header in members.items():
        inlines.append(span(header["c"][2], ["bi-title", f"bi-title-{_role(lang, order)}"],
                            attributes=[["lang", lang]]))
    ident = ident or chapter_id(chapter)
    return {"t": "Header", "c": [1, attr(ident, [*classes, "bi-heading"]), inlines]}


def _bibliography(sections: dict[str, list[dict]], order) -> dict:
    """One bibliography section: a heading with both titles, then each language's entries
    (citeproc localises them) with ids made distinct per language."""
    titles, entries = {}, []
    for lang, blocks in sections.items():
        content = [b for section in blocks for b in (section["c"][1] if section["t"] == "Div" else [section])]
        header = next(b for b in content if b["t"] == "Header")
        titles[lang] = header
        body = [b for b in content if b is not header]
        _suffix_ids(body, lang)
        entries.append(div(body, ["bi-bibliography"], attributes=[["lang", lang]]))
    heading = _heading(titles, None, order, ident="bibliography", classes=["unnumbered", "bibliography"])
    return div([heading, *entries], ["bibliography-section"], "bibliography-section")


def _suffix_ids(blocks: list[dict], lang: str) -> None:
    """refs → refs-<lang>, ref-<key> → ref-<lang>-<key>: both languages' lists share one file."""
    for node in walk(blocks):
        if node["t"] in ("Div", "Span", "Header"):
            attrs = node["c"][1] if node["t"] == "Header" else node["c"][0]
            ident = attrs[0]
            if ident.startswith("ref-"):
                attrs[0] = f"ref-{lang}-{ident[4:]}"
            elif ident:
                attrs[0] = f"{ident}-{lang}"


def _split(blocks: list[dict], sizes: list[int]) -> list[list[dict]]:
    """Chapters' blocks by size, then whatever follows (the bibliography) as the last part."""
    parts, start = [], 0
    for size in sizes:
        parts.append(blocks[start:start + size])
        start += size
    parts.append(blocks[start:])
    return parts
