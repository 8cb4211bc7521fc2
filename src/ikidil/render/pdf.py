"""PDF renderer: Edition → HTML (front matter, chapters, bibliography) + CSS → WeasyPrint.

Layout (HTML + CSS → pages) is kept apart from PDF assembly (variants, metadata),
following WeasyPrint's own stages: HTML → render() → Document → write_pdf()."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import weasyprint

from .. import pandoc
from ..config import TRIM_SIZES
from ..i18n import term, upper
from ..load import Book
from ..outputs import Output, atomic_path
from ..transform import Edition, notes_to_spans
from . import epub_meta
from .fetch import ASSETS, ProjectFetcher

VARIANTS = ("digital", "print")
BOOK_FACE = "EB Garamond"


@dataclass(frozen=True)
class PageSetup:
    width: str
    height: str
    bleed: str | None      # print variant only

    def css(self) -> str:
        rules = [f"@page {{ size: {self.width} {self.height}; }}"]
        if self.bleed:
            rules.append(f"@page {{ bleed: {self.bleed}; marks: crop; }}")
        return "\n".join(rules)


def page_setup(book: Book, variant: str) -> PageSetup:
    width, height = TRIM_SIZES[book.config.trim]
    return PageSetup(width, height, book.config.bleed if variant == "print" else None)


def edition_html(book: Book, edition: Edition) -> str:
    """The complete HTML document of a paged edition."""
    body = pandoc.write(notes_to_spans(edition.doc), "html5", ["--section-divs", "--wrap=none"])
    cfg, lang = book.config, edition.lang
    esc = html.escape
    title, subtitle = edition.title, edition.subtitle
    meta = [f'<meta name="description" content="{esc(subtitle)}">' if subtitle else ""]
    meta += [f'<meta name="author" content="{esc(c)}">' for c in cfg.creator]
    meta.append(f'<meta name="dcterms.created" content="{cfg.date.isoformat()}">')
    subtitle_html = f'<p class="subtitle">{esc(subtitle)}</p>' if subtitle else ""
    creators = "".join(f'<p class="creator">{esc(c)}</p>' for c in cfg.creator)
    publisher = f'<p class="publisher">{esc(cfg.publisher)}</p>' if cfg.publisher else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
{''.join(meta)}
<link rel="stylesheet" href="book.css">
</head>
<body data-running-title="{esc(upper(title, lang))}">
<section class="front half-title"><p class="half-title-text">{esc(title)}</p></section>
<section class="front title-page">
  <p class="book-title">{esc(title)}</p>{subtitle_html}{creators}{publisher}
</section>
<section class="front copyright">{copyright_html(book, edition)}</section>
<nav class="front toc" id="toc" role="doc-toc">
  <h2 class="toc-title">{esc(term(lang, 'contents'))}</h2>
  <ol>{toc_items(edition.doc)}</ol>
</nav>
<div class="body-matter">
{running_heads(body, edition)}
</div>
</body>
</html>
"""


def copyright_html(book: Book, edition: Edition) -> str:
    cfg, lang, esc = book.config, edition.lang, html.escape
    lines = [esc(edition.title) + (f" — {esc(edition.subtitle)}" if edition.subtitle else "")]
    if cfg.rights:
        lines.append(esc(cfg.rights))
    lines.append(f"{esc(term(lang, 'edition'))}: {esc(edition.name)}")
    lines.append(f"{esc(term(lang, 'identifier'))}: "
                 f"{epub_meta.edition_identifier(cfg.identifier, edition.name, 'pdf')}")
    lines.append(f"{esc(term(lang, 'published'))}: {cfg.date.isoformat()}")
    lines.append(f"{esc(term(lang, 'typeset_in'))}: {BOOK_FACE}")
    lines.append(esc(term(lang, "editorial_title")))
    if cfg.publisher:
        lines.append(esc(cfg.publisher))
    return "".join(f"<p>{line}</p>" for line in lines)


def toc_items(doc: dict) -> str:
    from ..ast import stringify
    items = []
    for block in _level1_headers(doc["blocks"]):
        ident = block["c"][1][0]
        items.append(f'<li><a href="#{html.escape(ident)}">{html.escape(stringify(block))}</a></li>')
    return "".join(items)


def _level1_headers(blocks: list[dict]):
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] == 1:
            yield block
        elif block["t"] == "Div":
            yield from _level1_headers(block["c"][1])


def running_heads(body: str, edition: Edition) -> str:
    """Give each chapter heading its running-head text, uppercased with the
    edition language's rules (CSS text-transform does not know Turkish İ/ı)."""
    from lxml import html as lhtml
    fragment = lhtml.fragment_fromstring(body, create_parent="div")
    for h1 in fragment.iter("h1"):
        h1.set("data-running", upper(h1.text_content().strip(), edition.lang))
    return "".join(lhtml.tostring(child, encoding="unicode") for child in fragment)


def stylesheet(book: Book, variant: str) -> weasyprint.CSS:
    css = (ASSETS / "book.css").read_text(encoding="utf-8") + "\n" + page_setup(book, variant).css()
    return weasyprint.CSS(string=css, base_url=str(ASSETS) + "/")


def layout(book: Book, edition: Edition, variant: str) -> weasyprint.Document:
    fetcher = ProjectFetcher(book.root)
    document = weasyprint.HTML(string=edition_html(book, edition), base_url=str(ASSETS) + "/",
                               url_fetcher=fetcher)
    return document.render(stylesheets=[stylesheet(book, variant)])


def render_pdf(book: Book, edition: Edition, target: Path, variant: str = "digital") -> Output:
    document = layout(book, edition, variant)
    options = {"pdf_variant": "pdf/ua-1"} if variant == "digital" else {}
    with atomic_path(target) as tmp:
        document.write_pdf(tmp, pdf_identifier=epub_meta.edition_identifier(
            book.config.identifier, edition.name, f"pdf-{variant}").encode(), **options)
    return Output(edition.name, "pdf", variant, target, pages=len(document.pages))
