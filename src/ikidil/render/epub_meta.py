"""EPUB package metadata: edition identifiers, reproducible dates, and the
accessibility metadata of EPUB Accessibility 1.1 that Pandoc does not write."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from lxml import etree

from ..load import Book
from ..transform import Edition

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"


def edition_identifier(book_identifier: str, edition: str, fmt: str) -> str:
    """A distinct, stable identifier per edition and format, derived from the book's."""
    base = uuid.UUID(book_identifier.removeprefix("urn:uuid:"))
    return f"urn:uuid:{uuid.uuid5(base, f'{edition}/{fmt}')}"


def source_date_epoch(book: Book) -> int:
    """SOURCE_DATE_EPOCH when set (reproducible-builds.org), else the book's date at 00:00 UTC."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return int(env)
    moment = dt.datetime.combine(book.config.date, dt.time(), tzinfo=dt.timezone.utc)
    return int(moment.timestamp())


def zip_time(book: Book) -> tuple:
    moment = dt.datetime.fromtimestamp(max(source_date_epoch(book), 315532800), dt.timezone.utc)
    return moment.timetuple()[:6]


def accessibility_summary(edition: Edition) -> str:
    """What a reader can rely on in this edition, and nothing more: said from the document
    itself (its images and their text alternatives), not from a template."""
    from ..load import elements_of
    images = elements_of(edition.doc, "Image")
    described = [i for i in images if "".join(_texts(i["c"][1])).strip()]
    parts = ["It has a table of contents and headings in reading order; every text is tagged "
             "with its language, and each note is linked to and from its call."]
    if len(edition.languages) > 1:
        parts.append("Each passage is followed by its translation, each tagged with its language.")
    if not images:
        parts.append("Its only image is the cover, described by a text alternative.")
    elif len(described) == len(images):
        parts.append("Every image, the cover included, has a text alternative.")
    else:
        parts.append(f"{len(images) - len(described)} of its {len(images)} images have no text alternative.")
    parts.append("It contains no audio, video or other media, and no flashing, motion or sound hazards.")
    return " ".join(parts)


def _texts(inlines) -> list[str]:
    return [i.get("c", "") if i.get("t") == "Str" else " " for i in inlines if isinstance(i, dict)]


def spine_files(data: bytes) -> list[str]:
    """Zip names of the spine's documents, in reading order."""
    root = etree.fromstring(data)
    hrefs = {item.get("id"): item.get("href") for item in root.iter(f"{{{OPF_NS}}}item")}
    return ["EPUB/" + hrefs[ref.get("idref")] for ref in root.iter(f"{{{OPF_NS}}}itemref")]


def finish_opf(data: bytes, book: Book, edition: Edition,
               extra: list[tuple[str, str, str]] = (), notes_before: str | None = None) -> bytes:
    """Metadata Pandoc leaves out, and the files ikidil adds: `extra` lists (href, media type,
    role) with role cover-image, cover, titlepage (spine, before the contents) or notes
    (spine, before `notes_before` — the bibliography — or at the end)."""
    root = etree.fromstring(data)
    metadata = root.find(f"{{{OPF_NS}}}metadata")
    _add_files(root, extra, notes_before)

    def meta(prop: str, text: str) -> None:
        el = etree.SubElement(metadata, f"{{{OPF_NS}}}meta", {"property": prop})
        el.text = text

    existing = {(m.get("property"), m.text) for m in metadata.iterfind(f"{{{OPF_NS}}}meta")}
    for prop, text in [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "displayTransformability"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", accessibility_summary(edition)),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
    ]:
        if (prop, text) not in existing:
            meta(prop, text)
    if any(role == "cover-image" for _, _, role in extra):
        # EPUB 2 readers (older Kobo firmware, Calibre's thumbnails) find the cover this way.
        etree.SubElement(metadata, f"{{{OPF_NS}}}meta", {"name": "cover", "content": "cover-image"})
    for m in metadata.iterfind(f"{{{OPF_NS}}}meta[@property='dcterms:modified']"):
        m.text = modified(book)
    _languages(metadata, edition)
    _sort_meta(metadata)
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _add_files(root: etree._Element, extra, notes_before: str | None) -> None:
    manifest = root.find(f"{{{OPF_NS}}}manifest")
    spine = root.find(f"{{{OPF_NS}}}spine")
    refs = list(spine)
    hrefs = {item.get("id"): item.get("href") for item in manifest}
    first_front = refs[0] if refs else None
    bibliography = next((r for r in refs if hrefs.get(r.get("idref")) == notes_before), None)
    for href, media_type, role in extra:
        attrs = {"id": role, "href": href, "media-type": media_type}
        if role == "cover-image":
            attrs["properties"] = "cover-image"
        etree.SubElement(manifest, f"{{{OPF_NS}}}item", attrs)
        if role == "cover-image" or not media_type.endswith("xml"):
            continue                     # images are resources, not spine documents
        itemref = etree.Element(f"{{{OPF_NS}}}itemref", {"idref": role})
        if role == "notes":
            spine.insert(spine.index(bibliography) if bibliography is not None else len(spine), itemref)
        else:
            spine.insert(spine.index(first_front), itemref)
        if role == "cover":
            guide = root.find(f"{{{OPF_NS}}}guide")
            if guide is not None:
                guide.insert(0, etree.Element(f"{{{OPF_NS}}}reference",
                                              {"type": "cover", "title": "Cover", "href": href}))


def ncx_with_notes(data: bytes, label: str, href: str, before: str | None) -> bytes:
    """The endnotes file in the NCX too, before the entry of `before` (the bibliography)."""
    ncx = "http://www.daisy.org/z3986/2005/ncx/"
    root = etree.fromstring(data)
    nav_map = root.find(f"{{{ncx}}}navMap")
    point = etree.Element(f"{{{ncx}}}navPoint", {"id": "navPoint-notes"})
    text = etree.SubElement(etree.SubElement(point, f"{{{ncx}}}navLabel"), f"{{{ncx}}}text")
    text.text = label
    etree.SubElement(point, f"{{{ncx}}}content", {"src": href})
    following = next((p for p in nav_map.findall(f"{{{ncx}}}navPoint") if before
                      and p.find(f"{{{ncx}}}content").get("src", "").split("#")[0] == before), None)
    nav_map.insert(nav_map.index(following) if following is not None else len(nav_map), point)

    return etree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def modified(book: Book) -> str:
    """dcterms:modified; Pandoc's sandbox has no clock, so ikidil sets it."""
    moment = dt.datetime.fromtimestamp(source_date_epoch(book), dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _languages(metadata: etree._Element, edition: Edition) -> None:
    """dc:language for every language of the edition, the main one first."""
    for el in metadata.findall(f"{{{DC_NS}}}language"):
        metadata.remove(el)
    for lang in reversed(edition.languages):
        el = etree.Element(f"{{{DC_NS}}}language")
        el.text = lang
        metadata.insert(0, el)


def _sort_meta(metadata: etree._Element) -> None:
    """Dublin Core first (identifier, title, language…), then meta: easier to read, stable."""
    children = list(metadata)
    dc = [c for c in children if c.tag.startswith(f"{{{DC_NS}}}")]
    rest = [c for c in children if not c.tag.startswith(f"{{{DC_NS}}}")]
    for c in children:
        metadata.remove(c)
    for c in dc + rest:
        metadata.append(c)
