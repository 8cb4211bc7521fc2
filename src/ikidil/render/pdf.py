"""PDF renderer: Edition → HTML (front matter, chapters, bibliography) + CSS → WeasyPrint.

Layout (HTML + CSS → pages) is kept apart from PDF assembly (variants, metadata),
following WeasyPrint's own stages: HTML → render() → Document → write_pdf()."""

from __future__ import annotations

import functools
import html
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable
from pathlib import Path

if TYPE_CHECKING:                 # imported where used: an EPUB-only build never loads WeasyPrint
    import weasyprint

from .. import pandoc, typeset
from ..ast import join_words
from ..config import TRIM_SIZES
from ..i18n import term, upper
from ..load import Book
from ..outputs import Output, atomic_path
from ..checks.base import Finding, Severity
from ..transform import Edition, chapter_id, notes_to_spans
from . import epub_meta, task_lists, url_breaks, weasy_fixes
from .columns import pair_bibliography, pair_notes, split_css
from .copyright import copyright_html

VARIANTS = ("digital", "print")


@dataclass(frozen=True)
class PageSetup:
    width: str
    height: str
    bleed: str | None      # print variant only

    def css(self) -> str:
        rules = [f"@page {{ size: {self.width} {self.height}; }}"]
        if self.bleed:
            # Print: no marks from WeasyPrint (it draws them inside the bleed, the MediaBox
            # being the BleedBox); render/press.py draws them outside. Every colour is
            # 100 % K in DeviceCMYK, not RGB black (which a press separates into four inks).
            rules.append(f"@page {{ bleed: {self.bleed}; marks: none; {PRINT_BLACK} }}")
            rules.append(f"html, .ikidil-flag-label {{ {PRINT_BLACK} }} .ikidil-flag {{ border-color: device-cmyk(0 0 0 1); }}")
        return "\n".join(rules)


PRINT_BLACK = "color: device-cmyk(0 0 0 1);"


def page_setup(book: Book, variant: str) -> PageSetup:
    width, height = TRIM_SIZES[book.config.trim]
    if variant != "print":
        return PageSetup(width, height, None)
    # KDP wants 0.125 in, whatever the book's press bleed is (render/press.py)
    bleed = "0.125in" if book.config.print_profile == "kdp" else book.config.bleed
    return PageSetup(width, height, bleed)


def edition_html(book: Book, edition: Edition, layout: str | None = None) -> str:
    """The complete HTML document of a paged edition (`layout`: "facing" for the bilingual
    edition's facing pages, render/parallel/facing.py)."""
    columns = edition.name == "bilingual" and layout != "facing"
    body, toc = prepare_body(body_html(book.root, notes_to_spans(edition.doc)), edition, book.root, columns)
    body = names_unbroken(body, book.config.transliterations.values())
    cfg, lang = book.config, edition.lang
    esc = html.escape
    title, subtitle = edition.title, edition.subtitle
    meta = [f'<meta name="description" content="{esc(subtitle)}">' if subtitle else ""]
    meta += [f'<meta name="author" content="{esc(c)}">' for c in cfg.creator]
    meta.append(f'<meta name="dcterms.created" content="{cfg.date.isoformat()}">')
    # Each title in its language, on lines of its own (a bilingual edition's second one
    # smaller), held together where a line break would hurt (typeset.title).
    langs = list(dict.fromkeys(edition.languages))
    titles = list(dict.fromkeys((l, cfg.title_in(l)) for l in langs)) if len(langs) > 1 else [(lang, title)]
    half_title = "".join(f'<p class="half-title-text" lang="{l}">{esc(typeset.title(t, 34))}</p>' for l, t in titles)
    title_html = "".join(f'<p class="book-title{" book-title-translation" if i else ""}" lang="{l}">'
                         f'{esc(typeset.title(t, 26))}</p>' for i, (l, t) in enumerate(titles))
    subtitle_html = f'<p class="subtitle">{esc(typeset.ranges(subtitle))}</p>' if subtitle else ""
    creators = "".join(f'<p class="creator">{esc(c)}</p>' for c in cfg.creator)
    publisher = f'<p class="publisher">{esc(cfg.publisher)}</p>' if cfg.publisher else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
{''.join(meta)}
<link rel="stylesheet" href="book.css">
<link rel="stylesheet" href="blocks.css">
<link rel="stylesheet" href="fit.css">
</head>
<body class="edition-{esc(edition.name)}{' layout-' + esc(layout) if layout else ''}" data-running-title="{esc(running_title(book, edition))}">
<section class="front half-title">{half_title}</section>
<section class="front title-page">
  {title_html}{subtitle_html}{creators}{publisher}
</section>
<section class="front copyright">{copyright_html(book, edition)}</section>
<nav class="front toc" id="toc" role="doc-toc">
  <h2 class="toc-title">{esc(term(lang, 'contents'))}</h2>
  <ol>{toc}</ol>
</nav>
<div class="body-matter">
{body}
</div>
</body>
</html>
"""


HTML_ARGS = ["--section-divs", "--wrap=none"]
CHUNK_MARK = "ikidil-chunk-7f3c2a"


def body_html(root: Path, doc: dict) -> str:
    """Pandoc's HTML of a document, made chapter by chapter and remembered by each chapter's
    AST, so a rebuild after an edit converts the edited chapter only.

    A chunk starts at each top-level level-1 heading (or a top-level Div opening with one,
    as the bibliography section): --section-divs closes every section there, so the chunks'
    HTML joined is the whole document's. The chunks not in the cache are converted in
    batches of about HTML_BATCH_BYTES of JSON, one Pandoc process each, a process per core at
    a time: a process per chapter would start Pandoc more often than needed, and a whole
    book-sized edition in one process holds too much (half of one, 3 MB of JSON, ~190 MiB;
    1.5 MB, ~160 MiB, most of it Pandoc's code and fixed heap). Two such batches at once,
    beside the loaded book, were the build's peak of memory before the merge's."""
    from ..cache import Cache, digest, even_runs, tool_versions
    doc = join_words(doc)               # the same HTML, written in a fraction of the time
    chunks = _chunks(doc["blocks"])
    cache = Cache(root)
    texts = [json.dumps(chunk, ensure_ascii=False) for chunk in chunks]
    keys = [digest(tool_versions(), "body-html", text) for text in texts]
    html_of = {key: hit for key in set(keys) if isinstance(hit := cache.get_json("html", key), str)}
    missing = [i for i, key in enumerate(keys) if key not in html_of]
    sizes = [len(texts[i]) for i in missing]
    batches = [[(keys[i], chunks[i]) for i in run]
               for run in even_runs(missing, sizes, -(-sum(sizes) // HTML_BATCH_BYTES))]
    with ThreadPoolExecutor(max(1, min(len(batches), os.cpu_count() or 1))) as pool:
        for converted in pool.map(lambda batch: _convert_chunks(doc, batch), batches):
            for key, inner in converted:
                html_of[key] = inner
                cache.put_json("html", key, inner)
    return "".join(html_of[key] + "\n" for key in keys)


HTML_BATCH_BYTES = 1_500_000


def _convert_chunks(doc: dict, chunks: list[tuple[str, list[dict]]]) -> list[tuple[str, str]]:
    """(key, HTML) of each chunk, from one Pandoc call: each chunk wrapped in a marker Div
    whose lines are cut away again."""
    wrapped = [{"t": "Div", "c": [[f"{CHUNK_MARK}-{n}", [], []], chunk]} for n, (_, chunk) in enumerate(chunks)]
    out = pandoc.write({**doc, "blocks": wrapped}, "html5", HTML_ARGS)
    converted = []
    for n, (key, _) in enumerate(chunks):
        opening = f'<div id="{CHUNK_MARK}-{n}">\n'
        start = out.index(opening) + len(opening)
        end = out.index(f'<div id="{CHUNK_MARK}-{n + 1}">') if n + 1 < len(chunks) else len(out)
        inner = out[start:end].rstrip("\n")
        if not inner.endswith("</div>"):
            raise AssertionError("Pandoc's HTML did not keep the chunk markers")
        converted.append((key, inner[:-len("</div>")].rstrip("\n")))
    return converted


def _chunks(blocks: list[dict]) -> list[list[dict]]:
    chunks: list[list[dict]] = []
    for block in blocks:
        if not chunks or _opens_section(block):
            chunks.append([])
        chunks[-1].append(block)
    return chunks


def _opens_section(block: dict) -> bool:
    if block["t"] == "Header":
        return block["c"][0] == 1
    if block["t"] == "Div" and block["c"][1]:
        return _opens_section(block["c"][1][0])
    return False


def names_unbroken(body: str, names) -> str:
    """The book's transliterated names (Chicherin, Vasilyevich…) in spans that are not
    hyphenated: no pattern set knows how a transliterated Russian or Turkish name divides,
    and a wrong break in a name is worse than a looser line. Text only, never tags."""
    names = sorted({n for n in names if len(n) > 4}, key=len, reverse=True)
    if not names:
        return body
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
    pieces = re.split(r"(<[^>]*>)", body)
    for i in range(0, len(pieces), 2):
        if pieces[i]:
            pieces[i] = pattern.sub(r'<span class="name">\1</span>', pieces[i])
    return "".join(pieces)


def running_title(book: Book, edition: Edition) -> str:
    """The verso running head: the book title in the edition's first language."""
    return upper(book.config.title_in(edition.lang), edition.lang)


def prepare_body(body: str, edition: Edition, root: Path, columns: bool = False) -> tuple[str, str]:
    """Finish Pandoc's HTML for paged layout; return (body, table-of-contents items).

    - image paths (relative to book.yaml, checked by the loader to lie inside the book)
      made absolute, since the document's base is ikidil's assets folder;
    - ids made unique (a bilingual edition has one bibliography per language, both #refs…);
    - each chapter heading gets its running-head text, uppercased with its own language's
      rules (CSS text-transform does not know Turkish İ/ı); in a bilingual edition the
      recto carries the translation's chapter title, the verso the source's book title;
    - each block of a chapter gets data-block="<section id>:<n>" (n from 1), so layout
      guards and the EPUB page map can name the block a page or a problem is in;
    - `columns` (the bilingual edition in columns): each pair's notes and the bibliography
      set in the columns of their language (render/columns.py)."""
    from lxml import html as lhtml
    fragment = lhtml.fragment_fromstring(body, create_parent="div")
    _unique_ids(fragment, edition.lang)
    for img in fragment.iter("img"):
        src = img.get("src") or ""
        if src and ":" not in src.split("/")[0]:
            img.set("src", (root / src).resolve().as_uri())
    _mark_introductions(fragment)
    _tight_notes(fragment)
    url_breaks.insert(fragment)
    task_lists.mark(fragment.iter("ul"))
    _code_lines(fragment)
    _stack_wide_tables(fragment)
    toc = []
    for section in fragment.iter("section"):
        if "level1" not in section.get("class", "").split() or not section.get("id"):
            continue
        h1 = next(section.iter("h1"), None)
        if h1 is not None:
            _hold_title_together(h1)
            h1.set("data-running", _running_text(h1, edition))
            # without the word joiners that hold a range on a line: a bookmark is not set in lines
            titles = [" ".join(s.text_content().replace(typeset.WJ, "").split())
                      for s in h1.iter("span") if "bi-title" in (s.get("class") or "").split()]
            # bilingual: one bookmark, "Türkçe / English" (book.css); else the title itself
            h1.set("data-bookmark", " / ".join(titles) if len(titles) > 1
                   else " ".join(h1.text_content().replace(typeset.WJ, "").split()))
            toc.append(f'<li><a href="#{html.escape(section.get("id"))}">'
                       f'{_toc_label(h1)}</a></li>')
        for number, block in enumerate(_blocks(section), start=1):
            block.set("data-block", f"{section.get('id')}:{number}")
    if columns:
        pair_notes(fragment)
        pair_bibliography(fragment)
    body = "".join(lhtml.tostring(child, encoding="unicode") for child in fragment)
    # libxml2's HTML writer does not know <wbr> is void (url_breaks)
    return body.replace("<wbr></wbr>", "<wbr>"), "".join(toc)


def _tight_notes(root) -> None:
    """A note's paragraphs, list items and code lines are lines of its span, one <br> apart
    (transform.note_to_span). WeasyPrint lays a newline after a <br> in a footnote out as
    one more, empty line (in a paragraph it does not): a note holding a list had every item
    a blank line apart. The newline Pandoc writes after each <br> is taken out."""
    for note in root.iter("span"):
        if "footnote" in (note.get("class") or "").split():
            for br in note.iter("br"):
                br.tail = (br.tail or "").lstrip() or None


_INTRODUCED = ("ul", "ol", "dl", "pre", "table", "figure", "blockquote")


def _mark_introductions(root) -> None:
    """A paragraph ending with a colon before a list, code, a table or a quotation gets
    class="introduces" (fit.css keeps it on the page of what it introduces)."""
    for p in root.iter("p"):
        following = p.getnext()            # (the next element first: most are paragraphs)
        tag = following.tag if following is not None and isinstance(following.tag, str) else ""
        if not (tag in _INTRODUCED or (tag == "div" and "sourceCode" in following.get("class", ""))):
            continue
        if (p.text_content() or "").rstrip().endswith(":"):
            p.set("class", (p.get("class", "") + " introduces").strip())


WIDE_TABLE = 6        # columns: more cannot be read in half a page's width


def _stack_wide_tables(root) -> None:
    """A bilingual pair holding a table of WIDE_TABLE columns or more is set one language
    above the other, each table the text block's full width (fit.css .bi-stacked): in
    half of it the cells would break every word."""
    for pair in root.iterfind(".//div"):
        if "bi-pair" not in (pair.get("class") or "").split():
            continue
        for row in pair.iterfind(".//table//tr"):
            if len([cell for cell in row if cell.tag in ("td", "th")]) >= WIDE_TABLE:
                pair.set("class", pair.get("class") + " bi-stacked")
                break


def _code_lines(root) -> None:
    """Each line of a code block in a span of its own (Pandoc writes highlighted ones so),
    without the newlines between them: fit.css makes each line a block whose wrapped
    continuation hangs in, so it cannot be taken for a line of its own."""
    from lxml import etree
    for code in root.iterfind(".//pre/code"):
        if len(code):
            for span in code:
                if span.tail and not span.tail.strip("\n"):
                    span.tail = None
            continue
        if not code.text:
            continue
        lines = code.text.split("\n")
        code.text = None
        for line in lines:
            etree.SubElement(code, "span").text = line


def _blocks(section):
    """A chapter's blocks in reading order: its children but its h1, looking into the
    wrapper divs Pandoc adds (#refs) so that each bibliography entry is a block, and into
    the sections of its subheadings."""
    for child in section:
        if not isinstance(child.tag, str) or child.tag == "h1":
            continue
        if child.tag == "div" and "references" in child.get("class", ""):
            yield from (entry for entry in child if isinstance(entry.tag, str))
        elif child.tag == "section":
            # --section-divs nests each subheading's blocks in a section; in the AST they are
            # top-level blocks after their heading, and block n must be the AST's block n.
            yield from _blocks(child)
        else:
            yield child


H1_ROOM = 34     # letters of a chapter title (17 pt) a line of the narrowest trim surely holds


def _hold_title_together(h1) -> None:
    """No heading ends on a line of one word: the last two words of each title (each
    language's, in a bilingual heading) joined by a no-break space (typeset.title)."""
    # Each title once: a span of another language inside a title (`# Yapılar:
    # [Comprehensive Rust]{lang=en}`) is a piece of it, not a title whose end is held anew.
    titles = [s for s in h1.iter("span") if "bi-title" in (s.get("class") or "").split()] or [h1]
    for element in titles:
        last = element
        while len(last) and isinstance(last[-1].tag, str) and not (last[-1].tail or "").strip():
            last = last[-1]
        if len(last) and (last[-1].tail or "").strip():
            last[-1].tail = typeset.title(last[-1].tail, H1_ROOM)
        elif last.text and last.text.strip():
            last.text = typeset.title(last.text, H1_ROOM)


def _running_text(h1, edition: Edition) -> str:
    spans = [s for s in h1.iter("span") if s.get("lang") and "bi-title" in (s.get("class") or "").split()]
    if spans:                      # bilingual heading: the translation's title on the recto
        span = spans[-1]
        return _upper_by_lang(span, span.get("lang")).strip()
    lang = next((e.get("lang") for e in h1.iterancestors() if e.get("lang")), edition.lang)
    return _upper_by_lang(h1, lang).strip()


def _upper_by_lang(element, lang: str) -> str:
    """The element's text uppercased piece by piece, each with the rules of its own `lang`:
    an English name in a Turkish title stays English (COMPREHENSIVE, not COMPREHENSİVE)."""
    lang = element.get("lang") or lang
    out = [upper(element.text or "", lang)]
    for child in element:
        if isinstance(child.tag, str):
            out.append(_upper_by_lang(child, lang))
        out.append(upper(child.tail or "", lang))
    return "".join(out)


def _toc_label(h1) -> str:
    spans = [s for s in h1.iter("span") if s.get("lang") and "bi-title" in (s.get("class") or "").split()]
    if spans:
        return " / ".join(f'<span lang="{html.escape(s.get("lang"))}">{html.escape(s.text_content().strip())}</span>'
                          for s in spans)
    lang = next((e.get("lang") for e in h1.iterancestors() if e.get("lang")), None)
    text = html.escape(h1.text_content().strip())
    return f'<span lang="{html.escape(lang)}">{text}</span>' if lang else text


def _unique_ids(root, default_lang: str) -> None:
    """Rename the second and later holders of an id to id-<lang>, and the links inside
    the same language to them, so every link and target-counter() finds its own target."""
    seen: set[str] = set()
    renamed: dict[tuple[str, str], str] = {}
    for element in root.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if not ident:
            continue
        if ident in seen:
            lang = next((e.get("lang") for e in element.iterancestors() if e.get("lang")), default_lang)
            new = f"{ident}-{lang}"
            element.set("id", new)
            renamed[(lang, ident)] = new
        seen.add(ident)
    for link in root.iter("a"):
        href = link.get("href", "")
        lang = next((e.get("lang") for e in link.iterancestors() if e.get("lang")), default_lang)
        if href.startswith("#") and (lang, href[1:]) in renamed:
            link.set("href", "#" + renamed[(lang, href[1:])])


def stylesheets(book: Book, variant: str, extra: str = "") -> list["weasyprint.CSS"]:
    """The book's stylesheet for `variant`, then `extra` (a part's counters, the note
    repair's page breaks): the same cascade as one sheet of both, later rules winning.
    The book's sheet is parsed once per process, not once per part and repair."""
    import weasyprint
    from .fetch import ASSETS
    css = "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in ("book.css", "blocks.css", "fit.css")) \
        + "\n" + page_setup(book, variant).css()
    sheets = [_parsed_css(css)]
    if extra:
        sheets.append(weasyprint.CSS(string=extra, base_url=str(ASSETS) + "/"))
    return sheets


@functools.lru_cache(maxsize=4)
def _parsed_css(css: str) -> "weasyprint.CSS":
    import weasyprint
    from .fetch import ASSETS
    return weasyprint.CSS(string=css, base_url=str(ASSETS) + "/")


@functools.lru_cache(maxsize=1)
def font_config() -> "weasyprint.text.fonts.FontConfiguration":
    """One Fontconfig configuration and Pango font map for every layout in the process:
    WeasyPrint otherwise makes a new one per render, and its font and shaping caches start
    cold each time (about 5 % of a 14-page part's layout)."""
    from weasyprint.text.fonts import FontConfiguration
    return FontConfiguration()


MAX_NOTE_REPAIRS = 6


def layout(book: Book, edition: Edition, variant: str) -> "weasyprint.Document":
    """Lay out the edition, keeping every note on the page of its call.

    When WeasyPrint moves a note to the next page to make room for a paragraph's second
    line (see pdf_guards.displaced_notes), the last block of that page is made to start
    the next page instead, and the edition is laid out again (a few times at most; what
    is left is reported by the guards)."""
    weasy_fixes.prepare()
    import weasyprint
    from .fetch import ASSETS, ProjectFetcher
    html_doc = weasyprint.HTML(string=edition_html(book, edition), base_url=str(ASSETS) + "/",
                               url_fetcher=ProjectFetcher(book.root))
    return render_keeping_notes(html_doc, lambda breaks: stylesheets(book, variant, breaks))


def render_keeping_notes(html_doc: "weasyprint.HTML", stylesheets: Callable[[str], list],
                         on_render: Callable[[int], None] = lambda _: None) -> "weasyprint.Document":
    """The note repair shared by the one-document and the part-by-part layouts:
    render, find notes pushed off their call's page, make the last block of that page
    start the next page (extra CSS handed to `stylesheets`), render again. In the columns
    layout a joined note whose translation mark fell on another page is split first
    (render/columns.py), which needs no break."""
    from .pdf_guards import displaced_notes, last_block_on_page, marks_apart
    pushed: list[str] = []
    split: set[str] = set()
    for attempt in range(1, MAX_NOTE_REPAIRS + 1):
        on_render(attempt)
        breaks = "".join(f'[data-block="{block}"] {{ break-before: page; }}\n' for block in pushed)
        document = html_doc.render(stylesheets=stylesheets(breaks + split_css(split)), font_config=font_config())
        apart = {element.get("data-note") for _, _, element in marks_apart(document)} - split
        if apart:
            split |= apart
            continue
        blocks = {last_block_on_page(document, call_page) for call_page, _, _ in displaced_notes(document)}
        blocks = sorted(b for b in blocks if b and b not in pushed)
        if not blocks:
            break
        pushed += blocks
    return document


def render_pdf(book: Book, edition: Edition, target: Path, variant: str = "digital",
               warn: Callable[[Finding], None] | None = None,
               keep: Callable[["weasyprint.Document"], None] | None = None) -> Output:
    """Lay out and write one PDF. Layout faults go to `warn` as findings; `keep` receives
    the laid-out document (the build uses the print layout for the EPUB page list)."""
    document = layout(book, edition, variant)
    if warn is not None:
        for finding in layout_findings(book, edition, document):
            warn(finding)
    if keep is not None:
        keep(document)
    options = {"pdf_variant": "pdf/ua-1"} if variant == "digital" else {}
    with atomic_path(target) as tmp:
        document.write_pdf(tmp, pdf_identifier=pdf_identifier(book, edition, variant).encode(), **options)
    return Output(edition.name, "pdf", variant, target, pages=len(document.pages))


def pdf_identifier(book: Book, edition: Edition, variant: str) -> str:
    return epub_meta.edition_identifier(book.config.identifier, edition.name, f"pdf-{variant}")


def layout_findings(book: Book, edition: Edition, document: "weasyprint.Document") -> list[Finding]:
    """The layout guards' problems as warnings naming the chapter file, line and block."""
    from .pdf_guards import problems
    return findings_from_problems(book, edition, problems(document))


def findings_from_problems(book: Book, edition: Edition, problems) -> list[Finding]:
    """Layout problems (found here or in parallel layout workers) as findings."""
    chapters = {chapter_id(ch): ch for ch in book.chapters[edition.languages[0]]}
    codes = {"footnote-clipped": "PDF001", "overfull-line": "PDF002", "footnote-displaced": "PDF003",
             "outside-text-block": "PDF002"}
    findings = []
    for problem in problems:
        chapter, block = None, None
        if problem.block:
            section, number = problem.block.rsplit(":", 1)
            chapter = chapters.get(section)
            if chapter is not None and int(number) < len(chapter.blocks):
                block = chapter.blocks[int(number)]      # blocks[0] is the chapter heading
        findings.append(Finding(codes[problem.kind], Severity.WARNING,
                                f"{edition.name} PDF, page {problem.page}, block {block.index if block else '?'}: "
                                f"{problem.detail}",
                                file=chapter.path if chapter else None, line=block.line if block else None,
                                chapter=chapter.name if chapter else None,
                                block=block.index if block else None))
    return findings
