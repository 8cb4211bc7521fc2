"""EPUB front matter: the cover image, its page, and the title page.

A book.yaml `cover:` image is used as given. Without one, a typographic cover is drawn
(Pillow, already installed with WeasyPrint): the edition's title(s) and subtitle set in
EB Garamond on a plain ground. PNG, because every reading system (Kobo, Apple Books,
Calibre's library thumbnails) shows a raster cover; the drawing is deterministic, so
rebuilds stay byte-identical."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from .. import typeset
from ..i18n import term
from ..load import Book
from ..transform import Edition

SIZE = (1600, 2560)                 # the 1:1.6 ratio stores and readers expect
GROUND, INK, ACCENT = "#1f2a36", "#f4efe6", "#c9a96e"
FONT_FILES = {
    "regular": "/usr/share/fonts/opentype/ebgaramond/EBGaramond12-Regular.otf",
    "italic": "/usr/share/fonts/opentype/ebgaramond/EBGaramond12-Italic.otf",
}


@dataclass(frozen=True)
class CoverImage:
    name: str            # file name inside EPUB/media/
    media_type: str
    data: bytes
    alt: str


def cover_image(book: Book, edition: Edition) -> CoverImage:
    alt = f"{term(edition.lang, 'cover')}: {edition.title}"
    path = book.config.cover
    if path is not None:
        suffix = path.suffix.lower()
        media_type = "image/png" if suffix == ".png" else "image/jpeg"
        return CoverImage("cover" + (".png" if suffix == ".png" else ".jpg"), media_type, path.read_bytes(), alt)
    return CoverImage("cover.png", "image/png", typographic_cover(book, edition), alt)


def edition_titles(book: Book, edition: Edition) -> list[tuple[str, str, str | None]]:
    """(lang, title, subtitle) for each language of the edition, in its order; a subtitle
    shared by every language (e.g. dates) is given once, after the last title."""
    cfg = book.config
    rows = [(lang, cfg.title_in(lang), cfg.subtitle_in(lang)) for lang in edition.languages]
    subtitles = {sub for _, _, sub in rows}
    if len(rows) > 1 and len(subtitles) == 1:
        rows = [(lang, title, None) for lang, title, _ in rows[:-1]] + [rows[-1]]
    return rows


def typographic_cover(book: Book, edition: Edition) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", SIZE, GROUND)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    margin = 160
    y = 520
    for index, (lang, title, subtitle) in enumerate(edition_titles(book, edition)):
        main = index == 0
        font = _font("regular" if main else "italic", 120 if main else 92)
        for line in _wrap(draw, title, font, width - 2 * margin):
            y = _centred(draw, line, font, y, width, INK) + 30
        if subtitle:
            y += 20
            y = _centred(draw, subtitle, _font("regular", 80), y, width, ACCENT) + 30
        if index < len(edition.languages) - 1:
            y += 60
            draw.line([(width / 2 - 120, y), (width / 2 + 120, y)], fill=ACCENT, width=4)
            y += 100
    if book.config.publisher:
        _centred(draw, book.config.publisher, _font("regular", 64), height - 300, width, ACCENT)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@lru_cache(maxsize=None)
def _font(style: str, size: int):
    from PIL import ImageFont

    path = Path(FONT_FILES[style])
    if not path.is_file():
        path = _fontconfig_serif()
    if path is None:                          # still a cover, in Pillow's own face
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size)


def _fontconfig_serif() -> Path | None:
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", "serif"], capture_output=True, text=True).stdout
    except OSError:
        return None
    return Path(found) if found and Path(found).is_file() else None


def _wrap(draw, text: str, font, max_width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def _centred(draw, text: str, font, y: int, width: int, fill: str) -> int:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - (right - left)) / 2 - left, y), text, font=font, fill=fill)
    return y + int(font.size * 1.2)


# ---- XHTML pages

def _page(lang: str, title: str, body_type: str, body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
            f'lang="{lang}" xml:lang="{lang}">\n<head>\n  <meta charset="utf-8"/>\n'
            f'  <title>{escape(title)}</title>\n'
            f'  <link rel="stylesheet" type="text/css" href="../styles/stylesheet1.css"/>\n</head>\n'
            f'<body epub:type="{body_type}">\n{body}</body>\n</html>\n').encode("utf-8")


def cover_page(edition: Edition, image: CoverImage) -> bytes:
    body = (f'<section class="cover" epub:type="cover">\n'
            f'<img role="doc-cover" src="../media/{image.name}" alt="{escape(image.alt, {chr(34): "&quot;"})}"/>\n'
            f'</section>\n')
    return _page(edition.lang, term(edition.lang, "cover"), "frontmatter", body)


def title_page(book: Book, edition: Edition) -> bytes:
    """Every title of the edition, each in its language, then creators, publisher, date, rights."""
    cfg = book.config
    parts = ['<section class="title-page" epub:type="titlepage">']
    for index, (lang, title, subtitle) in enumerate(edition_titles(book, edition)):
        tag, cls = ("h1", "title") if index == 0 else ("p", "title title-translation")
        parts.append(f'<{tag} class="{cls}" lang="{lang}" xml:lang="{lang}">{escape(typeset.title(title))}</{tag}>')
        if subtitle:
            parts.append(f'<p class="subtitle" lang="{lang}" xml:lang="{lang}">{escape(typeset.ranges(subtitle))}</p>')
    for creator in cfg.creator:
        parts.append(f'<p class="creator">{escape(creator)}</p>')
    if cfg.publisher:
        parts.append(f'<p class="publisher">{escape(cfg.publisher)}</p>')
    parts.append(f'<p class="date">{cfg.date.year}</p>')
    for lang in dict.fromkeys(edition.languages):
        rights = cfg.rights_in(lang)
        if rights and (lang == edition.languages[0] or rights != cfg.rights_in(edition.languages[0])):
            parts.append(f'<p class="rights" lang="{lang}" xml:lang="{lang}">{escape(rights)}</p>')
    parts.append("</section>")
    return _page(edition.lang, term(edition.lang, "title_page"), "frontmatter", "\n".join(parts) + "\n")
