"""What a manuscript from a stranger may not do, checked on the Pandoc AST at load time.

A chapter may carry nothing that runs or fetches in a reader's e-book or in the PDF
renderer: raw HTML that could (scripts, frames, forms, media, styles), event-handler
attributes, `javascript:`-style links, remote or out-of-project images. Those are
refused with the file and line. Harmless raw HTML (<b>, <br>, <span>…) is stripped
with a warning, HTML comments silently: the manuscript is prose, Markdown says the rest.

Footnotes that Pandoc could not match (an unclosed `^[`, a `[^1]` with no definition,
a definition never used) are refused too: otherwise a note silently vanishes or
shows as literal brackets in the book."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from . import images, limits
from .ast import transform, walk
from .config import LANG_RE
from .errors import BookError, display_path
from .pandoc import Warning as PandocWarning

log = logging.getLogger("ikidil")

# Raw HTML elements that could run code, fetch something or change the page around them.
ACTIVE_TAGS = frozenset("""
    script style iframe frame frameset object embed applet link meta base form input button
    textarea select option svg math img image picture source video audio track canvas template
    portal noscript xml html head body
""".split())
# Attributes an author may put on a heading, span or div ({lang=en}, {.smallcaps}); the
# rest (onclick, style, src, …) could run, fetch or restyle and are refused.
ALLOWED_ATTRIBUTES = frozenset({"lang", "dir", "title", "width", "height", "alt", "custom-style"})
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9:-]*)([^>]*)>?", re.S)
_HANDLER = re.compile(r"\bon[a-z]+\s*=|javascript:|vbscript:", re.I)
_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")


@dataclass
class Located:
    """Finds the line of a piece of text in a chapter, searching from a block's line."""
    source: str
    path: Path
    notes: int = 0          # footnotes seen so far in the chapter (limits.MAX_NOTES)
    maths: list = field(default_factory=list)      # (Math node, line): checked by _check_math

    def line(self, needle: str, start: int) -> int:
        lines = self.source.split("\n")
        probe = needle.strip().split("\n")[0][:60]
        for number in range(max(start - 1, 0), len(lines)):
            if probe and probe in lines[number]:
                return number + 1
        return start

    def error(self, message: str, line: int, hint: str) -> BookError:
        return BookError(message, file=self.path, line=line, hint=hint)


def sanitise(blocks: list[dict], lines: list[int], source: str, path: Path, root: Path) -> list[int]:
    """Check and clean a chapter's top-level blocks in place; return the indexes of the
    blocks to keep (blocks that held only raw HTML go)."""
    where = Located(source, path)
    keep = []
    for index, block in enumerate(blocks):
        line = lines[index]
        if block["t"] == "RawBlock":
            # Pandoc may cut a paragraph at an HTML block tag, so the tag can sit on the
            # previous block's line: search from there.
            _raw_html(block, where, lines[index - 1] if index else 1)
            continue
        if _check_elements(block, where, line, root):       # (rebuilding a block costs: only if raw)
            cleaned = transform(block, lambda node: _strip_raw(node, where, line))
            block.clear()
            block.update(cleaned)
        if _has_content(block):
            keep.append(index)
    _check_math(where)
    return keep


def _check_math(where: Located) -> None:
    """TeX math is kept only where every output can set it. The EPUB writes it as MathML,
    but WeasyPrint has no MathML: the PDF gets Pandoc's text rendering (e^iπ, x², ℝ), and
    where Pandoc has none (\\frac, \\sum with limits, matrices) it would print the TeX
    source. One Pandoc run per chapter that has math, none for the others."""
    if not where.maths:
        return
    from . import pandoc
    doc = {"pandoc-api-version": [1, 23], "meta": {},
           "blocks": [{"t": "Para", "c": [node]} for node, _ in where.maths]}
    rendered = pandoc.write(doc, "html").split("</p>")
    for (node, line), html in zip(where.maths, rendered):
        text = re.sub(r"<[^>]+>", "", html).strip()
        if text.startswith("$") or text.startswith("\\("):
            raise where.error(f"TeX math '{node['c'][1].strip()[:40]}' cannot be set as text in the PDF",
                              line, "write it as Pandoc can set it, e.g. x^2, a/b, \\alpha, \\mathbb{R}; "
                              "or make it an image; write \\$ for a dollar sign")


def check_pandoc_warnings(warnings: list[PandocWarning], path: Path) -> None:
    """Pandoc's reader warnings: an unused note definition is an error (the note would
    vanish); anything else is passed on as a warning."""
    for warning in warnings:
        if warning.message.startswith("Note with key") or warning.message.startswith("Duplicate note"):
            raise BookError(warning.message.replace("Note with key", "footnote"), file=path,
                            line=warning.line,
                            hint="refer to it with [^key] where the note belongs, or delete the definition")
        where = f"{display_path(path)}:{warning.line}" if warning.line else display_path(path)
        log.warning("%s: warning: %s", where, warning.message)


def _raw_html(node: dict, where: Located, line: int) -> None:
    fmt, text = node["c"]
    line = where.line(text, line)
    if fmt != "html" or is_active(text):
        tag = first_tag(text)
        raise where.error(f"raw HTML {tag} is not allowed: it could run code or fetch files in the e-book",
                          line, "remove it; write the text in Markdown")
    if not text.lstrip().startswith("<!--"):
        log.warning("%s:%d: warning: raw HTML %s removed (write it in Markdown, e.g. *italic*, **bold**)",
                    display_path(where.path), line, first_tag(text))


def _strip_raw(node: dict, where: Located, line: int):
    if node["t"] in ("RawInline", "RawBlock"):
        _raw_html(node, where, line)
        return []
    return None


def is_active(html: str) -> bool:
    if _HANDLER.search(html):
        return True
    return any(match.group(1).lower() in ACTIVE_TAGS for match in _TAG.finditer(html))


def first_tag(html: str) -> str:
    match = _TAG.search(html)
    return f"<{match.group(1)}>" if match else repr(html[:20])


def _check_elements(block: dict, where: Located, line: int, root: Path) -> bool:
    """Refuse what the block may not hold; tell whether it holds raw markup."""
    raw = False
    for node in walk(block):
        kind, content = node["t"], node.get("c")
        if kind == "Str":                   # most elements: nothing else applies to them
            _check_note_marks(content, where, line)
            if "\\" in content:
                _check_latex(content, where, line)
            continue
        raw = raw or kind in ("RawInline", "RawBlock")
        attr = _attr_of(node)
        if attr is not None:
            for key, value in attr[2]:
                if key.lower() not in ALLOWED_ATTRIBUTES and not key.lower().startswith("data-"):
                    raise where.error(f"attribute '{key}' is not allowed", where.line(key, line),
                                      f"remove it; allowed: {', '.join(sorted(ALLOWED_ATTRIBUTES))}, data-*")
                if key.lower() == "lang" and not LANG_RE.match(value):
                    raise where.error(f"lang='{value[:40]}' is not a language tag", where.line(key, line),
                                      "write a tag such as en, tr or de-AT")
                if key.lower() == "dir" and value not in ("ltr", "rtl", "auto"):
                    raise where.error(f"dir='{value[:40]}' is not a direction", where.line(key, line),
                                      "write ltr, rtl or auto")
        if kind == "Note":
            where.notes += 1
            limits.check_notes(where.notes, where.path, line)
            if any(inner["t"] == "Note" for inner in walk(content) if inner is not node):
                raise where.error("a footnote inside a footnote", where.line("^[", line),
                                  "move the inner note's text into the outer note, e.g. in parentheses")
        elif kind == "Math":
            where.maths.append((node, where.line(content[1].strip()[:30] or "$", line)))
        elif kind == "Table" and len(content[2]) > limits.MAX_TABLE_COLUMNS:
            raise where.error(f"table of {len(content[2])} columns: at most {limits.MAX_TABLE_COLUMNS} fit "
                              "a page", line, "split it into narrower tables, or make it an image")
        elif kind in ("Code", "CodeBlock"):
            limits.check_code(content[1], where.path, lambda: where.line(content[1][:30], line))
        elif kind == "Link":
            _check_link(content[2][0], where, line)
        elif kind == "Image":
            _check_image(content[2][0], where, line, root)
    return raw


def _attr_of(node: dict):
    """The [id, classes, key-values] of any element that has one, wherever Pandoc keeps it."""
    content = node.get("c")
    if node["t"] in ("Link", "Image", "Span", "Div", "Code", "CodeBlock", "Header", "Table", "Figure"):
        candidate = content[1] if node["t"] == "Header" else content[0]
        if isinstance(candidate, list) and len(candidate) == 3 and isinstance(candidate[2], list):
            return candidate
    return None


def _check_link(url: str, where: Located, line: int) -> None:
    scheme = urlparse(url).scheme.lower()
    if scheme and scheme not in LINK_SCHEMES:
        raise where.error(f"link to '{url[:60]}' is not allowed: '{scheme}:' links could run code or open local files",
                          where.line(url[:30], line), "link only to http(s) or mailto addresses")


def _check_image(url: str, where: Located, line: int, root: Path) -> None:
    at = where.line(url[:40], line)
    parsed = urlparse(url)
    if parsed.scheme and len(parsed.scheme) > 1:   # (a one-letter "scheme" is a Windows drive)
        raise where.error(f"image '{url[:60]}' is not a file in the book: remote and '{parsed.scheme}:' images are not fetched",
                          at, "download it into the book's folder, e.g. images/, and link that file")
    relative = Path(unquote(parsed.path))
    target = (root / relative).resolve()
    if relative.is_absolute() or not target.is_relative_to(root.resolve()):
        raise where.error(f"image '{url}' is outside the book's folder",
                          at, "copy it into the book, e.g. images/, and use a path relative to book.yaml")
    if not target.exists():
        raise where.error(f"image '{url}' does not exist", at,
                          "image paths are relative to the book's folder, where book.yaml is: fix the path or add the file")
    if not target.is_file():        # a folder, a FIFO (reading it blocks), a device
        raise where.error(f"image '{url}' is not a regular file", at, "link an image file")
    images.check_image_file(target, url, where.path, at)


def _check_note_marks(text: str, where: Located, line: int) -> None:
    if "^[" in text:
        at = where.line("^[", line)
        if "\\^[" not in where.source.split("\n")[at - 1]:
            raise where.error("footnote '^[' is never closed", at,
                              "add the closing ']' at the end of the note, or write \\^[ for a literal ^[")
    match = "[^" in text and _UNDEFINED_NOTE.search(text)
    if match:
        raise where.error(f"footnote [^{match.group(1)}] has no definition", where.line(match.group(0), line),
                          f"add a line '[^{match.group(1)}]: the note's text' after the paragraph")


# A LaTeX command as Pandoc leaves it in the text when raw TeX is off (\newpage,
# \textbf{x}, \vspace{1cm}): two letters or more, at the start of a word.
_LATEX = re.compile(r"^\\[A-Za-z]{2,}\*?(?:[{\[]|$)")


def _check_latex(text: str, where: Located, line: int) -> None:
    """Raw LaTeX would print as its source in every edition: no edition goes through TeX."""
    if _LATEX.match(text):
        raise where.error(f"raw LaTeX '{text[:40]}' is not supported: the editions are EPUB and HTML-made PDFs, "
                          "not TeX", where.line(text[:30], line),
                          "write it in Markdown (*italic*, **bold**, a heading for a new page), "
                          "or as `code` if the LaTeX itself is meant")


def _has_content(block: dict) -> bool:
    if block["t"] in ("Para", "Plain"):
        return any(el["t"] not in ("Space", "SoftBreak", "LineBreak") for el in block["c"])
    return True
