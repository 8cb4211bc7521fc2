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
    return ("This publication meets WCAG 2.1 Level AA. It has a table of contents, headings in "
            "reading order, language tags on every text, and footnotes linked to and from "
            "their calls. It contains no images, media or hazards.")


def finish_opf(data: bytes, book: Book, edition: Edition) -> bytes:
    root = etree.fromstring(data)
    metadata = root.find(f"{{{OPF_NS}}}metadata")

    def meta(prop: str, text: str) -> None:
        el = etree.SubElement(metadata, f"{{{OPF_NS}}}meta", {"property": prop})
        el.text = text

    existing = {(m.get("property"), m.text) for m in metadata.iterfind(f"{{{OPF_NS}}}meta")}
    for prop, text in [
        ("schema:accessMode", "textual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "displayTransformability"),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", accessibility_summary(edition)),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
    ]:
        if (prop, text) not in existing:
            meta(prop, text)
    # Pandoc lists alternativeText by default; there are no images to describe.
    for m in list(metadata.iterfind(f"{{{OPF_NS}}}meta")):
        if m.get("property") == "schema:accessibilityFeature" and m.text == "alternativeText":
            metadata.remove(m)
    for m in metadata.iterfind(f"{{{OPF_NS}}}meta[@property='dcterms:modified']"):
        m.text = modified(book)
    _languages(metadata, edition)
    _sort_meta(metadata)
    etree.indent(root, space="  ")
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
