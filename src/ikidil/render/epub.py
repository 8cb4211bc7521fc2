"""EPUB 3 renderer: Pandoc writes the EPUB; ikidil then finishes what Pandoc leaves out
and repacks the zip deterministically so the same sources give the same bytes.

Finishing, file by file:
- chapters: every `lang` mirrored as `xml:lang`; notes numbered per language (a bilingual
  chapter has a Turkish 1, 2, 3 and an English 1, 2, 3), ids unique in the book
  (`<chapter>-fn1`, bilingual `<chapter>-<lang>-fn1`), each note in its language with a
  back link (role doc-backlink, "↩︎" with U+FE0E) to its own call, one notes section per
  language at the chapter's end — or all of them in one endnotes file (book.yaml `notes:
  endnotes`); a bilingual edition letters the translation's notes (a, b…) as the PDF does;
  notes are divs (Apple Books hides asides of type footnote); <title> is the chapter's;
- our stylesheet replaces Pandoc's (Pandoc's sandbox cannot read a --css file);
- a cover (image + page) and a title page open the book; nav landmarks point at them;
- the package document gets edition identifiers, dates and accessibility metadata.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
import posixpath
import mimetypes
import zipfile
from pathlib import Path

from lxml import etree

from .. import pandoc
from ..ast import join_words, meta_inlines, meta_string, rewrite, span
from ..i18n import term
from ..load import Book
from ..outputs import Output, atomic_path
from ..transform import Edition
from . import cover, epub_meta, epub_tables, task_lists, url_breaks

ASSETS = Path(__file__).resolve().parent.parent / "assets"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"x": XHTML_NS, "epub": EPUB_NS}
EPUB_TYPE = f"{{{EPUB_NS}}}type"
TEXT_DIR = "EPUB/text/"
NOTES_FILE = "notes.xhtml"


def render_epub(book: Book, edition: Edition, target: Path) -> Output:
    doc = dict(edition.doc, meta={**edition.doc["meta"], **pandoc_metadata(book, edition)})
    doc = separate_titles(doc)
    # Pandoc's sandbox forbids reading a --css file, so its default stylesheet is
    # replaced by ours while finishing the zip.
    args = ["--split-level=1", "--toc", "--toc-depth=1", "--epub-title-page=false"]
    env = {"SOURCE_DATE_EPOCH": str(epub_meta.source_date_epoch(book))}
    with atomic_path(target) as raw, ThreadPoolExecutor(1) as side:
        # The front matter (cover image, title and copyright pages) is made while Pandoc runs.
        front = side.submit(front_matter, book, edition)
        pandoc.write(join_words(doc), "epub3", [*args, "-o", str(raw)], env=env)
        finished = finish(raw.read_bytes(), book, edition, front.result())
        raw.write_bytes(finished)
    return Output(edition.name, "epub", None, target)


def pandoc_metadata(book: Book, edition: Edition) -> dict:
    cfg = book.config
    meta = {
        "title": meta_inlines(edition.title),
        "lang": meta_string(edition.lang),
        "identifier": meta_string(epub_meta.edition_identifier(cfg.identifier, edition.name, "epub")),
        "date": meta_string(cfg.date.isoformat()),
    }
    if edition.subtitle:
        meta["subtitle"] = meta_inlines(edition.subtitle)
    if cfg.creator:
        meta["creator"] = {"t": "MetaList", "c": [meta_inlines(c) for c in cfg.creator]}
    if cfg.publisher:
        meta["publisher"] = meta_inlines(cfg.publisher)
    rights = edition_rights(cfg, edition)
    if rights:
        meta["rights"] = meta_inlines(rights)
    return meta


def edition_rights(cfg, edition: Edition) -> str | None:
    """The rights of each language of the edition, once each ("…  / …" in a bilingual one)."""
    texts = list(dict.fromkeys(r for r in (cfg.rights_in(lang) for lang in edition.languages) if r))
    return " / ".join(texts) or None


def separate_titles(doc: dict) -> dict:
    """A " / " between the titles of a bilingual heading: the nav, the NCX and readers that
    ignore our CSS show "Türkçe / English"; in the text the CSS hides it and sets the
    translation on its own line."""
    def visit(node: dict):
        if "bi-heading" not in node["c"][1][1]:
            return None
        level, attrs, inlines = node["c"]
        out = []
        for index, inline in enumerate(inlines):
            if index:
                out.append(span([{"t": "Space"}, {"t": "Str", "c": "/"}, {"t": "Space"}], ["bi-title-separator"]))
            out.append(inline)
        return {**node, "c": [level, attrs, out]}
    return rewrite(doc, {"Header"}, visit)


def finish(epub: bytes, book: Book, edition: Edition, front: list | None = None) -> bytes:
    """Post-process Pandoc's EPUB and repack it reproducibly (`front`: front_matter's, if made)."""
    source = zipfile.ZipFile(io.BytesIO(epub))
    files = {info.filename: source.read(info) for info in source.infolist()}
    order = [info.filename for info in source.infolist()]
    opf_name = next(n for n in order if n.endswith(".opf"))
    spine = epub_meta.spine_files(files[opf_name])
    chapters = [n for n in spine if n.startswith(TEXT_DIR)]
    trees = {name: etree.fromstring(files[name]) for name in chapters}
    for name, root in trees.items():
        finish_chapter(root, edition)
    images = embed_images(trees, book)
    endnotes = None
    bibliography = next((n.removeprefix("EPUB/") for n, root in trees.items()
                         if root.find(".//*[@id='bibliography']") is not None), None)
    if book.config.notes == "endnotes":
        endnotes = collect_endnotes(trees, edition)
    for name, root in trees.items():
        files[name] = serialise_xhtml(root)

    front = (front_matter(book, edition) if front is None else front) + images
    if endnotes is not None:
        front.append(("text/" + NOTES_FILE, "application/xhtml+xml", endnotes, "notes"))
    for href, _, data, _ in front:
        files["EPUB/" + href] = data
        order.insert(order.index(opf_name), "EPUB/" + href)
    for name in order:
        if name.endswith(".css"):
            # blocks.css (shared with the PDF) first: epub.css says what differs on a screen
            files[name] = (ASSETS / "blocks.css").read_bytes() + b"\n" + (ASSETS / "epub.css").read_bytes()
        elif name.endswith("nav.xhtml"):
            files[name] = finish_nav(files[name], edition, chapters, endnotes is not None, bibliography)
        elif name.endswith(".ncx") and endnotes is not None:
            files[name] = epub_meta.ncx_with_notes(files[name], term(edition.lang, "notes"),
                                                   "text/" + NOTES_FILE, bibliography)
    files[opf_name] = epub_meta.finish_opf(files[opf_name], book, edition,
                                           [(h, t, role) for h, t, _, role in front], bibliography)
    return repack(files, order, epub_meta.zip_time(book))


# ---- images

def embed_images(trees: dict[str, etree._Element], book: Book) -> list[tuple[str, str, bytes, str]]:
    """Pandoc's sandbox may not read image files, so its EPUB only points at them; the
    loader has checked that each is a file inside the book, and ikidil copies it in.
    Returns (href, media type, data, manifest id) entries, and repoints each <img>."""
    found: dict[Path, str] = {}
    for name, root in trees.items():
        folder = posixpath.dirname(name.removeprefix("EPUB/"))
        for img in root.iter(f"{{{XHTML_NS}}}img"):
            src = img.get("src") or ""
            if not src or ":" in src.split("/")[0] or src.startswith("../media/"):
                continue
            path = (book.root / posixpath.normpath(posixpath.join(folder, src))).resolve()
            if not path.is_file() or not path.is_relative_to(book.root.resolve()):
                continue            # the loader reports these as errors before any rendering
            href = found.setdefault(path, f"media/image-{len(found) + 1}{path.suffix.lower()}")
            img.set("src", posixpath.relpath(href, folder))
    return [(href, mimetypes.guess_type(href)[0] or "application/octet-stream", path.read_bytes(),
             f"image-{number}") for number, (path, href) in enumerate(found.items(), start=1)]


# ---- chapters and notes

def _empty_header_cells(root: etree._Element) -> None:
    """An empty header cell (a table's corner) is a plain cell: a screen reader would
    announce a header with no name (Ace's empty-table-header)."""
    for th in root.iterfind(".//x:th", NS):
        if not "".join(th.itertext()).strip() and not len(th):
            th.tag = f"{{{XHTML_NS}}}td"


def finish_chapter(root: etree._Element, edition: Edition) -> None:
    _mirror_lang(root)
    _empty_header_cells(root)
    _title_from_heading(root)
    task_lists.mark(root.iterfind(".//x:ul", NS))
    section = root.find(".//x:body/x:section", NS)
    prefix = section.get("id") if section is not None and section.get("id") else None
    epub_tables.wrap(root, prefix or "table", edition.lang)
    url_breaks.insert(root, f"{{{XHTML_NS}}}")
    notes = root.find(".//x:section[@epub:type='footnotes']", NS)
    if notes is None or prefix is None:
        return
    by_lang: dict[str, list[tuple[etree._Element, etree._Element]]] = {}
    for ref in root.iterfind(".//x:a[@epub:type='noteref']", NS):
        note = notes.find(f".//*[@id='{ref.get('href')[1:]}']")
        if note is not None:
            by_lang.setdefault(_lang_of(ref, edition.lang), []).append((ref, note))
    bilingual = len(edition.languages) > 1
    sections = []
    for lang in sorted(by_lang, key=lambda l: edition.languages.index(l) if l in edition.languages else 99):
        stem = f"{prefix}-{lang}" if bilingual else prefix
        section_el = _notes_section(lang, f"footnotes-{lang}" if bilingual else "footnotes")
        for number, (ref, note) in enumerate(by_lang[lang], start=1):
            ref.set("id", f"{stem}-fnref{number}")
            note.set("id", f"{stem}-fn{number}")
            ref.set("href", f"#{stem}-fn{number}")
            for child in list(ref):
                ref.remove(child)
            label = note_label(number, lang, edition)
            ref.text = label
            note.set("lang", lang)
            note.set(XML_LANG, lang)
            # A div, not Pandoc's aside: Apple Books takes an aside of type footnote out of
            # the text (pop-up only) and left a bare "Notes" heading; a div keeps the
            # notes on the page and still pops up there and elsewhere.
            note.tag = f"{{{XHTML_NS}}}div"
            _number_and_backlink(note, ref, label, lang)
            section_el.append(note)
        sections.append(section_el)
    parent = notes.getparent()
    position = parent.index(notes)
    parent.remove(notes)
    for offset, section_el in enumerate(sections):
        parent.insert(position + offset, section_el)


def _title_from_heading(root: etree._Element) -> None:
    """The document's <title> is its chapter's title (Pandoc writes the file name), which
    reading systems show in their history and assistive technology announces."""
    heading = root.find(".//x:body//x:h1", NS)
    title = root.find("x:head/x:title", NS)
    if heading is not None and title is not None:
        text = " ".join("".join(heading.itertext()).split())
        title.text = text.replace("\u2060", "").replace("\u00a0", " ") or title.text


def note_label(number: int, lang: str, edition: Edition) -> str:
    """A note's number as the PDF prints it: in a bilingual edition the translation's
    notes are lettered (a, b, … z, aa, ab…), the source's numbered."""
    if len(edition.languages) < 2 or lang == edition.languages[0]:
        return str(number)
    label = ""
    while number:
        number, rest = divmod(number - 1, 26)
        label = chr(ord("a") + rest) + label
    return label


def _notes_section(lang: str, ident: str) -> etree._Element:
    section = etree.Element(f"{{{XHTML_NS}}}section", {
        "id": ident, "class": "footnotes", EPUB_TYPE: "footnotes", "lang": lang, XML_LANG: lang})
    heading = etree.SubElement(section, f"{{{XHTML_NS}}}h2")
    heading.text = term(lang, "notes")
    return section


def _number_and_backlink(note: etree._Element, ref: etree._Element, number: str, lang: str) -> None:
    paragraphs = note.findall("x:p", NS)
    target = paragraphs[-1] if paragraphs else note
    if paragraphs and note[-1] is not target:
        # a note ending with a list or code: the back link closes the note, on a line of its
        # own, not the paragraph before the list
        target = etree.SubElement(note, f"{{{XHTML_NS}}}p")
    if paragraphs:
        mark = etree.Element(f"{{{XHTML_NS}}}span", {"class": "footnote-number"})
        mark.text = f"{number}."
        first = paragraphs[0]
        mark.tail = " " + (first.text or "").lstrip()
        first.text = None
        first.insert(0, mark)
    last = target[-1] if len(target) else None
    if last is not None:
        last.tail = (last.tail or "").rstrip() + " "
    elif (target.text or "").strip():
        target.text = target.text.rstrip() + " "
    back = etree.SubElement(target, f"{{{XHTML_NS}}}a", {
        "href": "#" + ref.get("id"), "class": "footnote-back", "role": "doc-backlink",
        "aria-label": f"{term(lang, 'back_to_text')} ({term(lang, 'note')} {number})",
    })
    back.text = "\u21a9\ufe0e"       # ↩︎: U+FE0E asks for the text glyph (iOS draws ↩ alone as an emoji)


def collect_endnotes(trees: dict[str, etree._Element], edition: Edition) -> bytes | None:
    """Move every chapter's notes into one endnotes file, grouped by chapter, and point the
    calls and back links across files."""
    groups = []
    for name, root in trees.items():
        file = name.removeprefix(TEXT_DIR)
        sections = root.findall(".//x:section[@epub:type='footnotes']", NS)
        if not sections:
            continue
        heading = root.find(".//x:h1", NS)
        chapter = heading.getparent().get("id", file) if heading is not None else file
        for ref in root.iterfind(".//x:a[@epub:type='noteref']", NS):
            ref.set("href", NOTES_FILE + ref.get("href"))
        for section in sections:
            section.getparent().remove(section)
            for back in section.iterfind(".//x:a[@role='doc-backlink']", NS):
                back.set("href", file + back.get("href"))
        groups.append((file, chapter, heading, sections))
    if not groups:
        return None
    lang = edition.lang
    html = etree.Element(f"{{{XHTML_NS}}}html", {"lang": lang, XML_LANG: lang}, nsmap={None: XHTML_NS, "epub": EPUB_NS})
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", {"charset": "utf-8"})
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = term(lang, "notes")
    etree.SubElement(head, f"{{{XHTML_NS}}}link", {"rel": "stylesheet", "type": "text/css",
                                                   "href": "../styles/stylesheet1.css"})
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body", {EPUB_TYPE: "backmatter"})
    wrapper = etree.SubElement(body, f"{{{XHTML_NS}}}section", {
        "id": "endnotes", "class": "endnotes", EPUB_TYPE: "endnotes", "role": "doc-endnotes"})
    etree.SubElement(wrapper, f"{{{XHTML_NS}}}h1").text = term(lang, "notes")
    for file, chapter, heading, sections in groups:
        group = etree.SubElement(wrapper, f"{{{XHTML_NS}}}section", {"class": "endnotes-chapter"})
        if heading is not None:
            title = etree.SubElement(group, f"{{{XHTML_NS}}}h2")
            link = etree.SubElement(title, f"{{{XHTML_NS}}}a", {"href": f"{file}#{chapter}"})
            link.text = " ".join(" ".join(heading.itertext()).split())
        for section in sections:
            for h2 in section.findall("x:h2", NS):
                if len(sections) == 1:
                    section.remove(h2)
                else:
                    h2.tag = f"{{{XHTML_NS}}}h3"
            section.set("id", f"{chapter}-{section.get('id')}")      # unique in the one notes file
            group.append(section)
    return serialise_xhtml(html)


def _mirror_lang(root: etree._Element) -> None:
    """EPUB readers look at xml:lang, browsers at lang: every element says both."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        lang = el.get("lang")
        if lang and el.get(XML_LANG) != lang:
            el.set(XML_LANG, lang)


def _lang_of(el: etree._Element, default: str) -> str:
    while el is not None:
        lang = el.get("lang") or el.get(XML_LANG)
        if lang:
            return lang
        el = el.getparent()
    return default


# ---- navigation and front matter

def front_matter(book: Book, edition: Edition) -> list[tuple[str, str, bytes, str]]:
    """(href under EPUB/, media type, bytes, role) for the cover image, cover page and title page."""
    image = cover.cover_image(book, edition)
    return [
        ("media/" + image.name, image.media_type, image.data, "cover-image"),
        ("text/cover.xhtml", "application/xhtml+xml", cover.cover_page(edition, image), "cover"),
        ("text/titlepage.xhtml", "application/xhtml+xml", cover.title_page(book, edition), "titlepage"),
    ]


def finish_nav(data: bytes, edition: Edition, chapters: list[str], endnotes: bool,
               bibliography: str | None) -> bytes:
    """Landmarks in the edition's language, pointing at cover, title page, contents and text;
    the endnotes file, when there is one, listed in the table of contents."""
    root = etree.fromstring(data)
    _mirror_lang(root)
    lang = edition.lang
    # The contents page is titled as such (Pandoc repeats the book's title there).
    for element in (root.find(".//x:nav[@epub:type='toc']/x:h1", NS), root.find("x:head/x:title", NS)):
        if element is not None:
            element.text = term(lang, "contents")
    toc = root.find(".//x:nav[@epub:type='toc']/x:ol", NS)
    if endnotes and toc is not None:
        following = next((li for li in toc if bibliography and
                          li.find("x:a", NS).get("href", "").split("#")[0] == bibliography), None)
        item = etree.Element(f"{{{XHTML_NS}}}li", {"id": "toc-li-notes"})
        toc.insert(toc.index(following) if following is not None else len(toc), item)
        link = etree.SubElement(item, f"{{{XHTML_NS}}}a", {"href": "text/" + NOTES_FILE})
        link.text = term(lang, "notes")
    landmarks = root.find(".//x:nav[@epub:type='landmarks']/x:ol", NS)
    if landmarks is not None:
        for child in list(landmarks):
            landmarks.remove(child)
        marks = [("text/cover.xhtml", "cover", term(lang, "cover")),
                 ("text/titlepage.xhtml", "titlepage", term(lang, "title_page")),
                 ("#toc", "toc", term(lang, "contents"))]
        if chapters:
            marks.append((chapters[0].removeprefix("EPUB/"), "bodymatter", edition.title))
        for href, kind, text in marks:
            item = etree.SubElement(landmarks, f"{{{XHTML_NS}}}li")
            link = etree.SubElement(item, f"{{{XHTML_NS}}}a", {"href": href, EPUB_TYPE: kind})
            link.text = text
    return serialise_xhtml(root)


def serialise_xhtml(root: etree._Element) -> bytes:
    body = etree.tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n' + body + b"\n"


def repack(files: dict[str, bytes], order: list[str], date_time: tuple) -> bytes:
    """mimetype first and stored, then every file in a fixed order with a fixed time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        names = ["mimetype"] + [n for n in order if n != "mimetype"]
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, files[name], compresslevel=9 if name != "mimetype" else None)
    return out.getvalue()
