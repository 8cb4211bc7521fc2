"""Printed pages in the e-book: a finished EPUB gets the print PDF's page breaks.

Once the print edition of a language is laid out, `page_starts` reads, for every page, the
chapter (section id) its first line of running text belongs to and how far into that
chapter it is, counted in letters and digits only (so hyphenation, spacing and note calls
do not matter). `add_page_list` then walks the same chapter in the EPUB's XHTML, counting
the same way, and puts a page-break marker before the word the page begins with; the
navigation document gets a page-list and the package `pageBreakSource`, naming the print
edition. The zip is rebuilt in its own order with its own timestamps, so it stays
reproducible.

The bilingual EPUB gets its pages from the facing PDF (`by_language`): there every page is
one language's (versos the source, rectos the translation), laid out as that language's
own document, so a page begins at a count of that language's letters in the chapter; in
the EPUB the chapter holds both languages pair by pair, and only the text of that
language's blocks (and title) is counted for it. The page list must follow reading order
(EPUBCheck NAV-011), and a spread's two pages need not: where a recto begins inside a pair
whose source the verso has left behind (the verso begins the next pair), the recto's marker
would come before the verso's. Such a marker goes right after the one before it in the
list: the reader who asks for that recto lands where its verso begins."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .outputs import write_bytes_atomic
from .render.epub import repack, serialise_xhtml

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
NS = {"h": XHTML, "epub": EPUB_NS, "opf": OPF}


@dataclass(frozen=True)
class PageStart:
    page: str          # the folio as printed
    section: str       # id of the chapter section the page's running text starts in
    offset: int        # letters and digits of that section before the page
    lang: str = ""     # the language of the document the page was laid out in


def _count(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def page_starts(document) -> list[PageStart]:
    """Where each page of a laid-out edition begins (pages without chapter text are left out).
    A document's pages may come from several documents (facing pages: each side's own)."""
    from .render.pdf_guards import ElementIndex
    indexes: dict[int, tuple[ElementIndex, str]] = {}
    seen: dict[tuple[str, str], int] = {}      # (language, section): letters so far
    starts: list[PageStart] = []
    for number, page in enumerate(document.pages, start=1):
        root = page._page_box.children[0].element
        if id(root) not in indexes:
            indexes[id(root)] = (ElementIndex(root), root.get("lang") or "")
        index, lang = indexes[id(root)]
        first = True
        for box in _flow_text(page._page_box):
            section = _section_of(index, box.element)
            if section is None:
                continue
            if first:
                starts.append(PageStart(str(number), section, seen.get((lang, section), 0), lang))
                first = False
            seen[lang, section] = seen.get((lang, section), 0) + _count(box.text)
    return starts


def _flow_text(page_box):
    """The page's running text in order: no margin boxes (heads, folios), no footnote
    area, no generated content (note calls, leaders)."""
    from weasyprint.formatting_structure import boxes
    from .render.pdf_guards import walk
    for child in page_box.children:
        if isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            continue
        for box, _ in walk(child):
            if isinstance(box, boxes.TextBox) and "::" not in (box.element_tag or ""):
                yield box


def _section_of(index, element) -> str | None:
    while element is not None:
        if element.tag == "section" and "level1" in (element.get("class") or "").split() and element.get("id"):
            return element.get("id")
        element = index.parent.get(element)
    return None


def add_page_list(epub: Path, starts: list[PageStart], source: str, by_language: bool = False) -> int:
    """Add page-break markers, a page-list and pageBreakSource to a finished EPUB.
    `by_language`: the bilingual EPUB, its pages from the facing PDF (see the module's note).
    Returns the number of pages placed."""
    with zipfile.ZipFile(epub) as zf:
        infos = zf.infolist()
        files = {info.filename: zf.read(info) for info in infos}
    order = [info.filename for info in infos]
    date_time = infos[0].date_time
    opf_name = _opf_name(files)
    opf = etree.fromstring(files[opf_name])
    base = posixpath.dirname(opf_name)
    manifest = {item.get("id"): item for item in opf.iterfind("opf:manifest/opf:item", NS)}
    spine = [posixpath.normpath(posixpath.join(base, manifest[ref.get("idref")].get("href")))
             for ref in opf.iterfind("opf:spine/opf:itemref", NS)]
    trees = {name: etree.fromstring(files[name]) for name in spine if name.endswith("html")}
    sections = {}
    for number, (name, tree) in enumerate(trees.items()):
        for element in tree.iter(f"{{{XHTML}}}section"):
            if element.get("id"):
                sections[element.get("id")] = (number, name, element)
    by_section: dict[tuple[str, str], list[PageStart]] = {}
    for start in starts:
        section = start.section
        if by_language and section not in sections and section.endswith(f"-{start.lang}"):
            section = section[:-len(start.lang) - 1]     # the translation side's ids (facing.py)
        if section in sections:
            by_section.setdefault((section, start.lang if by_language else ""), []).append(start)
    points: list[Point] = []
    for (section_id, lang), section_starts in by_section.items():
        number, name, section = sections[section_id]
        points += _markers(section, section_starts, lang, number, name)
    if not points:
        return 0
    page_index = {start.page: i for i, start in enumerate(starts)}
    points = _in_reading_order(sorted(points, key=lambda p: page_index[p.page]))
    # Inserted from the last backwards, so that earlier positions stay valid.
    for point in sorted(points, key=lambda p: (p.key, page_index[p.page]), reverse=True):
        _insert(point.owner, point.slot, point.position, point.page)
    for name in {p.name for p in points}:
        files[name] = serialise_xhtml(trees[name])
    nav_name = next(posixpath.normpath(posixpath.join(base, item.get("href")))
                    for item in manifest.values() if "nav" in (item.get("properties") or "").split())
    nav = etree.fromstring(files[nav_name])
    _add_nav(nav, [(p.page, posixpath.relpath(p.name, posixpath.dirname(nav_name))) for p in points])
    files[nav_name] = serialise_xhtml(nav)
    _add_metadata(opf, source)
    files[opf_name] = etree.tostring(opf, xml_declaration=True, encoding="UTF-8")
    write_bytes_atomic(epub, repack(files, order, date_time))
    return len(points)


@dataclass
class Point:
    """Where a page's marker goes: before `position` of owner's text or tail, in file `name`."""
    page: str
    name: str
    owner: object
    slot: str
    position: int
    key: tuple          # reading order: (spine item, text slot, position)


def _in_reading_order(points: list[Point]) -> list[Point]:
    """Points in page order, each moved, where it comes before the previous one in reading
    order, to just after it (a facing recto that begins before its verso: the module's note)."""
    for before, point in zip(points, points[1:]):
        if point.key < before.key:
            point.name, point.owner, point.slot, point.position, point.key = (
                before.name, before.owner, before.slot, before.position, before.key)
    return points


def _opf_name(files: dict[str, bytes]) -> str:
    container = etree.fromstring(files["META-INF/container.xml"])
    return container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")


def _skipped(element) -> bool:
    """Note calls and the notes section: they are not running text in the print edition."""
    if not isinstance(element.tag, str):
        return True
    role = element.get("role") or ""
    kind = element.get(f"{{{EPUB_NS}}}type") or ""
    return ("doc-noteref" in role or "noteref" in kind or "footnotes" in kind or "doc-endnotes" in role
            or "footnotes" in (element.get("class") or "").split() or "pagebreak" in kind)


def _text_slots(element):
    """(owner, 'text'|'tail') for every piece of text under element, in reading order."""
    yield element, "text"
    for child in element:
        if not _skipped(child):
            yield from _text_slots(child)
        yield child, "tail"


def _side(element) -> str | None:
    """The language whose text `element` holds in the bilingual EPUB: that of its block
    (interleave.py: .bi-block), title half or bibliography; None for what is neither's."""
    while element is not None:
        classes = (element.get("class") or "").split()
        if "bi-block" in classes or "bi-title" in classes or "bi-bibliography" in classes:
            return element.get("lang")
        element = element.getparent()
    return None


def _markers(section, starts: list[PageStart], lang: str, spine: int, name: str) -> list[Point]:
    """The markers of every page that starts in `section`, in one pass over its text (a
    chapter can hold thousands of pages); with `lang`, only that language's text counts.
    A page's offset counts the letters and digits before it; its marker goes before the
    first word that starts at or after that count (a word split over two pages is marked
    at the next word)."""
    pending = sorted(starts, key=lambda s: s.offset)
    points, k, seen = [], 0, 0
    for slot_number, (owner, slot) in enumerate(list(_text_slots(section))):
        if k == len(pending):
            break
        text = getattr(owner, slot) or ""
        if not text or (lang and _side(owner if slot == "text" else owner.getparent()) != lang):
            continue
        for position, ch in enumerate(text):
            if k == len(pending):
                break
            if not ch.isalnum():
                continue
            if _starts_word(text, position):
                while k < len(pending) and pending[k].offset <= seen:
                    points.append(Point(pending[k].page, name, owner, slot, position,
                                        (spine, slot_number, position)))
                    k += 1
            seen += 1
    return points


def _starts_word(text: str, position: int) -> bool:
    """A letter after a non-letter, except after an apostrophe inside a word: Turkish
    suffixes (`Türkiye’deki`) and English possessives are the same word, and a page that
    begins inside one is marked at the next word, like any other split word."""
    if position == 0:
        return True
    before = text[position - 1]
    if before.isalnum():
        return False
    return not (before in "’'" and position >= 2 and text[position - 2].isalnum())


def _marker(page: str):
    marker = etree.Element(f"{{{XHTML}}}span", nsmap={"epub": EPUB_NS})
    marker.set(f"{{{EPUB_NS}}}type", "pagebreak")
    marker.set("role", "doc-pagebreak")
    marker.set("id", f"page-{page}")
    marker.set("aria-label", page)
    return marker


def _insert(owner, slot: str, position: int, page: str) -> None:
    marker = _marker(page)
    if slot == "text":
        text = owner.text
        owner.text = text[:position]
        marker.tail = text[position:]
        owner.insert(0, marker)
    else:
        text = owner.tail
        owner.tail = text[:position]
        marker.tail = text[position:]
        owner.addnext(marker)


def _add_nav(nav, pages: list[tuple[str, str]]) -> None:
    body = nav.find(f"{{{XHTML}}}body")
    for old in body.iterfind(".//h:nav", NS):
        if old.get(f"{{{EPUB_NS}}}type") == "page-list":
            old.getparent().remove(old)
    element = etree.SubElement(body, f"{{{XHTML}}}nav")
    element.set(f"{{{EPUB_NS}}}type", "page-list")
    element.set("role", "doc-pagelist")
    element.set("hidden", "hidden")
    element.set("aria-label", "Page list")
    ol = etree.SubElement(element, f"{{{XHTML}}}ol")
    for page, href in pages:
        li = etree.SubElement(ol, f"{{{XHTML}}}li")
        link = etree.SubElement(li, f"{{{XHTML}}}a", href=f"{href}#page-{page}")
        link.text = page


def _add_metadata(opf, source: str) -> None:
    metadata = opf.find("opf:metadata", NS)
    for meta in list(metadata.iterfind("opf:meta", NS)):
        if meta.get("property") == "pageBreakSource" or (
                meta.get("property") == "schema:accessibilityFeature" and meta.text in ("pageBreakMarkers", "pageNavigation")):
            metadata.remove(meta)
    for prop, value in (("pageBreakSource", source), ("schema:accessibilityFeature", "pageBreakMarkers"),
                        ("schema:accessibilityFeature", "pageNavigation")):
        meta = etree.SubElement(metadata, f"{{{OPF}}}meta", property=prop)
        meta.text = value
