"""Images from a stranger's manuscript, checked before they enter any output.

An image is copied into the EPUB as it is and laid out by WeasyPrint, so what it holds
reaches every reader: an SVG may carry scripts, event handlers, links that fetch (file:,
https:), a DTD with entities (XXE, billion laughs) or foreign HTML; a file named .png may
be anything; a PNG may declare 100,000 × 100,000 pixels to exhaust memory. Each of these
is refused with the place that links the image: nothing is silently rewritten, and the
author fixes the file once."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import BookError

# The image types both an EPUB 3 reader (core media types) and WeasyPrint show.
SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}
MAX_PIXELS = 80_000_000          # a 600 dpi full-page 6×9 in scan is 19 M: generous
MAX_SVG_BYTES = 5_000_000
MAX_IMAGE_BYTES = 50_000_000

# SVG elements that run code, embed other documents or fetch.
_SVG_ACTIVE = frozenset("script foreignObject iframe object embed handler listener audio video "
                        "animation discard set".split())


def check_image_file(path: Path, name: str, where: Path, line: int | None) -> None:
    """Refuse an image that is not what its name says, too big to decode, or (SVG) active."""
    suffix = path.suffix.lower()

    def error(message: str, hint: str) -> BookError:
        return BookError(f"image '{name}' {message}", file=where, line=line, hint=hint)
    if suffix == ".svg":
        _check_svg(path, error)
        return
    if suffix not in SIGNATURES:
        raise error(f"has the type '{suffix or 'none'}': e-books show only PNG, JPEG, GIF, WebP and SVG",
                    "convert it to PNG or JPEG")
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise error(f"is larger than {MAX_IMAGE_BYTES // 1_000_000} MB", "scale it down or compress it")
    with path.open("rb") as handle:
        head = handle.read(16)
    if not head.startswith(SIGNATURES[suffix]) or (suffix == ".webp" and head[8:12] != b"WEBP"):
        raise error(f"is not a {suffix[1:].upper()} file (its bytes say otherwise)",
                    "save it again in the format its name says, or rename it")
    _check_pixels(path, error)


def _check_pixels(path: Path, error) -> None:
    from PIL import Image
    try:
        with Image.open(path) as image:
            width, height = image.size
    except Image.DecompressionBombError:     # (Pillow's own limit, far above ours)
        width, height = MAX_PIXELS, 2
    except Exception:           # (Pillow raises many kinds for a damaged file)
        raise error("is damaged: it cannot be read as an image", "save it again from an image editor") from None
    if width * height > MAX_PIXELS or not width or not height:
        raise error(f"declares more than {MAX_PIXELS // 1_000_000} million pixels",
                    "scale it down: 300 dpi at the page size is plenty for print")


def _check_svg(path: Path, error) -> None:
    from lxml import etree
    if path.stat().st_size > MAX_SVG_BYTES:
        raise error(f"is larger than {MAX_SVG_BYTES // 1_000_000} MB", "simplify it or convert it to PNG")
    data = path.read_bytes()
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        raise error("has a DOCTYPE or entities, which could read files or explode in memory",
                    "remove the <!DOCTYPE …> declaration (SVG needs none)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise error(f"is not well-formed SVG (XML error at its line {exc.lineno})",
                    "save it again from a drawing program") from None
    if etree.QName(root).localname != "svg":
        raise error("is not an SVG file (its root element is not <svg>)", "save it as SVG, or rename it")
    for element in root.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, etree._ProcessingInstruction):
                raise error("holds a processing instruction (<?…?>)", "remove it")
            continue
        local = etree.QName(element).localname
        if local in _SVG_ACTIVE:
            raise error(f"holds a <{local}> element, which could run code or fetch files in the e-book",
                        "remove it; a book's image is a picture only")
        for key, value in element.attrib.items():
            attribute = etree.QName(key).localname.lower()
            if attribute.startswith("on"):
                raise error(f"has an event handler ({attribute}=…) on <{local}>", "remove the attribute")
            if attribute in ("href", "src") and not _local_reference(value):
                raise error(f"refers to '{value[:60]}' on <{local}>: an image may point only inside itself",
                            "embed what it shows, or remove the reference")
            if attribute == "style" and re.search(r"url\s*\(\s*['\"]?(?!#)|@import|expression", value, re.I):
                raise error(f"has a style that fetches ({value[:40]}…) on <{local}>", "remove the url(…)")
        if local == "style" and re.search(r"url\s*\(\s*['\"]?(?!#)|@import", element.text or "", re.I):
            raise error("has a <style> that fetches (url(…) or @import)", "remove it")


def _local_reference(value: str) -> bool:
    """'#id' (a part of the same image) or an embedded raster image: nothing fetched."""
    value = value.strip()
    return value.startswith("#") or re.match(r"data:image/(png|jpeg|gif|webp);", value, re.I) is not None
