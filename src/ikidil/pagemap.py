"""Printed pages in the e-book: a finished EPUB gets the print PDF's page breaks.

Once the print edition of a language is laid out, `page_starts` reads, for every page, the
chapter (section id) its first line of running text belongs to and how far into that
chapter it is, counted in letters and digits only (so hyphenation, spacing and note calls
do not matter). `add_page_list` then walks the same chapter in the EPUB's XHTML, counting
the same way, and puts a page-break marker before the word the page begins with; the
navigation document gets a page-list and the package `pageBreakSource`, naming the print
edition. The zip is rebuilt in its own order with its own timestamps, so it stays
reproducible."""

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


def _count(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def page_starts(document) -> list[PageStart]:
    """Where each page of a laid-out edition begins (pages without chapter text are left out)."""
    from .render.pdf_guards import ElementIndex
    if not document.pages:
        return []
    index = ElementIndex(document.pages[0]._page_box.children[0].element)
    seen: dict[str, int] = {}
    starts: list[PageStart] = []
    for number, page in enumerate(document.pages, start=1):
        first = True
        for box in _flow_text(page._page_box):
            section = _section_of(index, box.element)
            if section is None:
                continue
            if first:
                starts.append(PageStart(str(number), section, seen.get(section, 0)))
                first = False
            seen[section] = seen.get(section, 0) + _count(box.text)
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


def add_page_list(epub: Path, starts: list[PageStart], source: str) -> int:
    """Add page-break markers, a page-list and pageBreakSource to a finished EPUB.
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
    for name, tree in trees.items():
        for element in tree.iter(f"{{{XHTML}}}section"):
            if element.get("id"):
                sections[element.get("id")] = (name, element)
    by_section: dict[str, list[PageStart]] = {}
    for start in starts:
        if start.section in sections:
            by_section.setdefault(start.section, []).append(start)
    placed: list[tuple[str, str]] = []
    for section_id, section_starts in by_section.items():
        name, section = sections[section_id]
        placed += [(page, name) for page in _place_markers(section, section_starts)]
    page_index = {start.page: i for i, start in enumerate(starts)}
    placed.sort(key=lambda item: page_index[item[0]])
    if not placed:
        return 0
    for name in {name for _, name in placed}:
        files[name] = serialise_xhtml(trees[name])
    nav_name = next(posixpath.normpath(posixpath.join(base, item.get("href")))
                    for item in manifest.values() if "nav" in (item.get("properties") or "").split())
    nav = etree.fromstring(files[nav_name])
    _add_nav(nav, [(page, posixpath.relpath(name, posixpath.dirname(nav_name))) for page, name in placed])
    files[nav_name] = serialise_xhtml(nav)
    _add_metadata(opf, source)
    files[opf_name] = etree.tostring(opf, xml_declaration=True, encoding="UTF-8")
    write_bytes_atomic(epub, repack(files, order, date_time))
    return len(placed)


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


def _place_markers(section, starts: list[PageStart]) -> list[str]:
    """Place the markers of every page that starts in `section`, in one pass over its text
    (a chapter can hold thousands of pages). A page's offset counts the letters and digits
    before it; its marker goes before the first word that starts at or after that count
    (a word split over two pages is marked at the next word). Returns the pages placed."""
    pending = sorted(starts, key=lambda s: s.offset)
    points, k, seen = [], 0, 0
    for owner, slot in list(_text_slots(section)):
        text = getattr(owner, slot) or ""
        for position, ch in enumerate(text):
            if k == len(pending):
                break
            if not ch.isalnum():
                continue
            if _starts_word(text, position):
                while k < len(pending) and pending[k].offset <= seen:
                    points.append((owner, slot, position, pending[k].page))
                    k += 1
            seen += 1
    # Insert from the end backwards so that earlier positions stay valid.
    for owner, slot, position, page in reversed(points):
        _insert(owner, slot, position, page)
    return [page for *_, page in points]


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
