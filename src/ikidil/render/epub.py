"""EPUB 3 renderer: Pandoc writes the EPUB; ikidil then finishes what Pandoc leaves out
(footnote back links, book-wide note ids, accessibility metadata) and repacks the zip
deterministically so the same sources give the same bytes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree

from .. import pandoc
from ..ast import meta_inlines, meta_string
from ..i18n import term
from ..load import Book
from ..outputs import Output, atomic_path
from ..transform import Edition
from . import epub_meta

ASSETS = Path(__file__).resolve().parent.parent / "assets"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
NS = {"x": XHTML_NS, "epub": EPUB_NS}
EPUB_TYPE = f"{{{EPUB_NS}}}type"


def render_epub(book: Book, edition: Edition, target: Path) -> Output:
    doc = dict(edition.doc, meta={**edition.doc["meta"], **pandoc_metadata(book, edition)})
    # Pandoc's sandbox forbids reading a --css file, so its default stylesheet is
    # replaced by ours while finishing the zip.
    args = ["--split-level=1", "--toc", "--toc-depth=1", "--epub-title-page=false"]
    env = {"SOURCE_DATE_EPOCH": str(epub_meta.source_date_epoch(book))}
    with atomic_path(target) as raw:
        pandoc.write(doc, "epub3", [*args, "-o", str(raw)], env=env)
        finished = finish(raw.read_bytes(), book, edition)
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
    for key in ("publisher", "rights"):
        if getattr(cfg, key):
            meta[key] = meta_inlines(getattr(cfg, key))
    return meta


def finish(epub: bytes, book: Book, edition: Edition) -> bytes:
    """Post-process Pandoc's EPUB and repack it reproducibly."""
    source = zipfile.ZipFile(io.BytesIO(epub))
    files = {info.filename: source.read(info) for info in source.infolist()}
    order = [info.filename for info in source.infolist()]
    for name in order:
        if name.startswith("EPUB/text/") and name.endswith(".xhtml"):
            files[name] = finish_chapter(files[name], edition)
        elif name.endswith(".css"):
            files[name] = (ASSETS / "epub.css").read_bytes()
        elif name.endswith(".opf"):
            files[name] = epub_meta.finish_opf(files[name], book, edition)
    return repack(files, order, epub_meta.zip_time(book))


def finish_chapter(data: bytes, edition: Edition) -> bytes:
    root = etree.fromstring(data)
    section = root.find(".//x:body/x:section", NS)
    prefix = section.get("id") if section is not None and section.get("id") else None
    notes = root.find(".//x:section[@epub:type='footnotes']", NS)
    if notes is None or prefix is None:
        return _serialise(root)
    renames: dict[str, str] = {}
    for ref in root.iterfind(".//x:a[@epub:type='noteref']", NS):
        old_ref, old_note = ref.get("id"), ref.get("href").lstrip("#")
        renames[old_ref] = f"{prefix}-{old_ref}"
        renames[old_note] = f"{prefix}-{old_note}"
    for el in root.iter():
        if el.get("id") in renames:
            el.set("id", renames[el.get("id")])
        href = el.get("href")
        if href and href.startswith("#") and href[1:] in renames:
            el.set("href", "#" + renames[href[1:]])
    _heading_for_notes(notes, edition)
    for ref in root.iterfind(".//x:a[@epub:type='noteref']", NS):
        note = root.find(f".//*[@id='{ref.get('href')[1:]}']")
        if note is not None:
            _add_backlink(note, ref, edition)
    return _serialise(root)


def _heading_for_notes(notes: etree._Element, edition: Edition) -> None:
    hr = notes.find("x:hr", NS)
    if hr is not None:
        notes.remove(hr)
    lang = notes.get("lang") or edition.lang
    heading = etree.Element(f"{{{XHTML_NS}}}h2")
    heading.text = term(lang, "notes")
    notes.insert(0, heading)


def _add_backlink(note: etree._Element, ref: etree._Element, edition: Edition) -> None:
    number = "".join(ref.itertext()).strip()
    lang = _lang_of(ref, edition.lang)
    paragraphs = note.findall("x:p", NS)
    target = paragraphs[-1] if paragraphs else note
    if paragraphs:
        mark = etree.Element(f"{{{XHTML_NS}}}span", {"class": "footnote-number"})
        mark.text = number + "."
        first = paragraphs[0]
        mark.tail = " " + (first.text or "")
        first.text = None
        first.insert(0, mark)
    back = etree.SubElement(target, f"{{{XHTML_NS}}}a", {
        "href": "#" + ref.get("id"), "class": "footnote-back", "role": "doc-backlink",
        "aria-label": f"{term(lang, 'back_to_text')} ({term(lang, 'note')} {number})",
    })
    back.text = "↩"


def _lang_of(el: etree._Element, default: str) -> str:
    while el is not None:
        lang = el.get("lang") or el.get("{http://www.w3.org/XML/1998/namespace}lang")
        if lang:
            return lang
        el = el.getparent()
    return default


def _serialise(root: etree._Element) -> bytes:
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
