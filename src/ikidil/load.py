"""Stage 1, load: book.yaml + chapter files → Book (typed config, chapters as Pandoc AST).

Everything later reads this Book; no later stage opens a Markdown file again."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import contain, limits, links, untrusted
from .cache import read_markdown_cached, read_markdown_cached_many
from .ast import stringify
from .bibliography import Bibliography, load_bibliography
from .config import BookConfig, load_config
from .errors import BookError, display_path
from .textio import line_of, read_text

CHAPTER_GLOB = "*.md"
# A chapter's file name gives its ids and its file in the EPUB: no spaces, no leading dash
# (an option to a tool), nothing an XML id or a URL would have to escape.
SAFE_CHAPTER_NAME = re.compile(r"[^\W_][\w.-]{0,100}\.md")
LARGE_CHAPTER = 1_000_000   # bytes; reading larger chapters is reported (--verbose) as progress
log = logging.getLogger("ikidil")


@dataclass(frozen=True)
class Citation:
    key: str
    prefix: str
    locator: str


@dataclass
class Block:
    """One top-level block of a chapter, with what alignment and QA need to know."""

    index: int
    node: dict
    line: int

    @property
    def kind(self) -> str:
        return self.node["t"]

    @property
    def text(self) -> str:
        return stringify(self.node)

    @property
    def citations(self) -> list[Citation]:
        """The block's citations, those inside translator's notes left out."""
        out = []
        for el in _outside_tn(self.node, "Cite"):
            for c in el["c"][0]:
                out.append(Citation(c["citationId"], stringify(c["citationPrefix"]),
                                    stringify(c["citationSuffix"]).lstrip(", ")))
        return out

    @property
    def notes(self) -> list[dict]:
        """The block's notes, translator's notes left out: they have no source to match."""
        return _outside_tn(self.node, "Note")

    @property
    def translator_notes(self) -> list[dict]:
        """The Note of each translator's note (`[^[…]]{.tn}`) in the block."""
        return [s["c"][1][0] for s in elements_of(self.node, "Span") if is_translator_note(s)]


TN_CLASS = "tn"


def is_translator_note(node: dict) -> bool:
    """A translator's note is written `[^[text]]{.tn}`: a Span of class tn holding one Note and
    nothing else (Pandoc attaches no attributes to a Note itself: `^[text]{.tn}` reads as a
    caret and a span)."""
    if node.get("t") != "Span":
        return False
    (_, classes, _), content = node["c"]
    return TN_CLASS in classes and len(content) == 1 and content[0]["t"] == "Note"


def _outside_tn(node: dict, kind: str) -> list[dict]:
    found = elements_of(node, kind)
    if not found:
        return found
    inside = {id(e) for s in elements_of(node, "Span") if is_translator_note(s) for e in elements_of(s, kind)}
    return [e for e in found if id(e) not in inside] if inside else found


# Elements whose content holds no element but maybe Math's type: searches step over them.
_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "Code", "RawInline",
                     "CodeBlock", "RawBlock", "HorizontalRule"})


def elements_of(value, kind: str) -> list[dict]:
    """The elements of type `kind` in `value`, in ast.walk's order (parents first), found
    without visiting every Str: a chapter has a million elements, and this runs per block."""
    found: list[dict] = []

    def visit(v) -> None:
        if type(v) is list:
            for item in v:
                if type(item) is dict or type(item) is list:
                    visit(item)
            return
        t = v.get("t")
        if t == kind:
            found.append(v)
        if t not in _LEAVES:
            for child in v.values():
                if type(child) is dict or type(child) is list:
                    visit(child)

    if type(value) is dict or type(value) is list:
        visit(value)
    return found


@dataclass
class Chapter:
    name: str          # file name, the key that pairs a chapter with its translation
    lang: str
    path: Path
    source: str        # the Markdown text (NFC, LF)
    doc: dict          # Pandoc JSON document
    blocks: list[Block] = field(default_factory=list)

    @property
    def title(self) -> str:
        for block in self.blocks:
            if block.kind == "Header" and block.node["c"][0] == 1:
                return block.text
        return Path(self.name).stem

    @property
    def slug(self) -> str:
        return Path(self.name).stem


@dataclass
class Book:
    config: BookConfig
    bibliography: Bibliography
    chapters: dict[str, list[Chapter]]          # lang → chapters in reading order
    missing: dict[str, list[str]] = field(default_factory=dict)  # lang → source chapters not translated

    @property
    def root(self) -> Path:
        return self.config.root

    def chapter(self, lang: str, name: str) -> Chapter | None:
        return next((c for c in self.chapters.get(lang, []) if c.name == name), None)


def load_book(root: Path, jobs: int | None = None, languages: tuple[str, ...] | None = None) -> Book:
    """`jobs`: Pandoc processes parsing chapters at once (default: one per core).
    `languages`: load only these and the source (a build starts on what its editions need
    while the rest loads for the checks: load_languages)."""
    root = root.resolve()
    config = load_config(root)
    book = Book(config, load_bibliography(config.bibliography), {}, {})
    return load_languages(book, (config.language, *languages) if languages else config.languages, jobs)


def load_languages(book: Book, languages, jobs: int | None = None) -> Book:
    """The book with the chapters of `languages` loaded too (those it has are kept)."""
    config, root = book.config, book.root
    languages = [lang for lang in config.languages if lang in languages and lang not in book.chapters]
    names = chapter_order(config)
    chapters: dict[str, list[Chapter]] = {}
    missing: dict[str, list[str]] = {}
    wanted = [(lang, config.manuscript_dir(lang) / name) for lang in languages for name in names]
    present = []
    for lang, path in wanted:
        if os.path.lexists(path):
            # A link out of the book, a FIFO (blocks the read forever), a device: refused.
            contain.check_regular(path, root, "chapter file")
            present.append((lang, path))
        else:
            missing.setdefault(lang, []).append(path.name)
    texts = [_text_or_error(path) for _, path in present]
    readable = [(text, path) for text, (_, path) in zip(texts, present) if isinstance(text, str)]
    with contextlib.closing(read_markdown_cached_many(readable, root, jobs or os.cpu_count() or 1)) as parsed:
        # In reading order, so the first faulty chapter is the one reported.
        for (lang, path), text in zip(present, texts):
            if isinstance(text, BookError):
                raise text
            try:
                doc, warnings = next(parsed) or read_markdown_cached(text, path, root)
                chapter = _vet_chapter(path, lang, text, doc, warnings, book.bibliography, root)
            except RecursionError:
                # A structure nested deeper than the limits on the text foresee (limits.py).
                raise BookError("chapter is nested too deeply to be read (quotations, lists or emphasis "
                                "inside one another)", file=path, hint="nest less deeply") from None
            chapters.setdefault(lang, []).append(chapter)
    for lang in languages:
        chapters.setdefault(lang, [])
        links.check(chapters[lang])
        folder = config.manuscript_dir(lang)
        if lang != config.language:
            _reject_extra_chapters(folder, names, config.manuscript_dir(config.language))
    merged = {**book.chapters, **chapters}
    ordered = {lang: merged[lang] for lang in config.languages if lang in merged}
    return dataclasses.replace(book, chapters=ordered, missing={**book.missing, **missing})


def _book_root_of(path: Path, lang: str) -> Path:
    folder = path.resolve().parent
    return folder.parent if folder.name == "manuscript" else folder.parent.parent


def chapter_order(config: BookConfig) -> list[str]:
    folder = config.manuscript_dir(config.language)
    if not folder.is_dir():
        raise BookError("no manuscript/ folder", file=config.root,
                        hint="put the source chapters in manuscript/ as Markdown files")
    on_disk = sorted(p.name for p in folder.glob(CHAPTER_GLOB))
    _reject_clashing_names(folder, on_disk)
    if config.chapters is None:
        names = on_disk
    else:
        names = list(config.chapters)
        for name in names:
            if name not in on_disk:
                raise BookError(f"chapter '{name}' listed in book.yaml is not in manuscript/",
                                file=config.root / "book.yaml", line=config.line_of("chapters"),
                                hint="fix the name or add the file")
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise BookError(f"chapter '{twice[0]}' is listed twice in 'chapters'",
                            file=config.root / "book.yaml", line=config.line_of("chapters"),
                            hint="list each chapter file once")
    for name in names:
        if not SAFE_CHAPTER_NAME.fullmatch(name):
            raise BookError(f"chapter file name '{name}' is not usable: it becomes the chapter's id and "
                            "file name in the e-book", file=folder / name,
                            hint="use letters, digits, '-', '_' and '.', starting with a letter or digit, "
                                 "e.g. 02-second-chapter.md")
    if not names:
        raise BookError("the book has no chapters", file=folder,
                        hint="add a Markdown file such as manuscript/01-introduction.md")
    return names


def _reject_clashing_names(folder: Path, names: list[str]) -> None:
    """Two files whose names differ only in case or Unicode form (01-a.md / 01-A.md, NFC / NFD
    from a Mac) are one chapter on Windows and macOS and two on Linux: refuse the ambiguity."""
    seen: dict[str, str] = {}
    for name in names:
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen:
            raise BookError(f"two chapter files differ only in case or accents: '{seen[key]}' and '{name}'",
                            file=folder / name, line=None,
                            hint="merge them or rename one; file names must differ in more than letter case")
        seen[key] = name


def _reject_extra_chapters(folder: Path, names: list[str], source_folder: Path) -> None:
    _reject_clashing_names(folder, sorted(p.name for p in folder.glob(CHAPTER_GLOB)))
    for path in sorted(folder.glob(CHAPTER_GLOB)):
        if path.name not in names:
            raise BookError(f"translated chapter has no source chapter {source_folder.name}/{path.name}",
                            file=path, hint="rename it to match its source chapter, or remove it")


def load_chapter(path: Path, lang: str, bibliography: Bibliography, root: Path | None = None) -> Chapter:
    """Read, parse and vet one chapter. `root` is the book's folder: images must lie inside it
    (default: the folder above manuscript/ or translations/<lang>/)."""
    root = root or _book_root_of(path, lang)
    contain.check_regular(path, root, "chapter file")
    source = _chapter_text(path)
    doc, warnings = read_markdown_cached(source, path, root)
    return _vet_chapter(path, lang, source, doc, warnings, bibliography, root)


def vet_text(source: str, path: Path, lang: str, bibliography: Bibliography, root: Path) -> Chapter:
    """A chapter's new text (an import's), vetted as load_chapter would vet the file, before
    it is written to `path`."""
    limits.check_source(source, path)
    doc, warnings = read_markdown_cached(source, path, root)
    return _vet_chapter(path, lang, source, doc, warnings, bibliography, root)


def _chapter_text(path: Path) -> str:
    size = path.stat().st_size if path.is_file() else 0
    if size > LARGE_CHAPTER:
        log.info("reading %s (%.1f MB)", display_path(path), size / 1e6)
    source = read_text(path)
    limits.check_source(source, path)
    if not source.strip():
        raise BookError("chapter is empty", file=path, line=1,
                        hint="write the chapter, or remove the file")
    return source


def _text_or_error(path: Path) -> str | BookError:
    try:
        return _chapter_text(path)
    except BookError as error:
        return error


def _vet_chapter(path: Path, lang: str, source: str, doc: dict, warnings: list, bibliography: Bibliography,
                 root: Path) -> Chapter:
    """The parsed chapter, checked (Pandoc's warnings, untrusted content, citation keys) and cut
    into blocks."""
    untrusted.check_pandoc_warnings(warnings, path)
    lines = block_lines(source, doc["blocks"])
    keep = untrusted.sanitise(doc["blocks"], lines, source, path, root)
    doc["blocks"] = [doc["blocks"][i] for i in keep]
    chapter = Chapter(path.name, lang, path, source, doc,
                      [Block(n, doc["blocks"][n], lines[i]) for n, i in enumerate(keep)])
    if not chapter.blocks:
        raise BookError("chapter has no text (only comments or raw HTML)", file=path, line=1,
                        hint="write the chapter, or remove the file")
    for block in chapter.blocks:
        for cite in block.citations:
            if cite.key not in bibliography:
                known = ", ".join(sorted(bibliography.entries)) or "none: no bibliography in book.yaml"
                raise BookError(f"unknown citation key '@{cite.key}'", file=path,
                                line=line_of(source, "@" + cite.key, block.line),
                                hint=f"add it to the bibliography or fix the key; known keys: {known}")
    return chapter


_WORD = re.compile(r"\w+")


def block_lines(source: str, blocks: list[dict]) -> list[int]:
    """Line number (1-based) where each top-level block starts.

    Pandoc Markdown has no source positions, so each block is anchored by its first
    word, searched forward from the previous block's line as a whole word ("An" is not
    the start of "Anlyer"; markup such as _x_ around it is no part of it). A block
    without a word starts on the next line that is not blank: spaces and tabs only,
    as Markdown counts them (a no-break space is text to Pandoc)."""
    lines = source.split("\n")
    result, cursor = [], 0
    for node in blocks:
        word = _anchor_word(node)
        found = cursor
        verbatim = _verbatim_probe(node)
        if verbatim:                        # code and raw HTML: their own first line, as written
            found = next((n for n in range(cursor, len(lines)) if verbatim in lines[n]), cursor)
        elif word:
            whole = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])")
            for number in range(cursor, len(lines)):
                if whole.search(lines[number]):
                    found = number
                    break
        else:
            while found < len(lines) - 1 and not lines[found].strip(" \t\r"):
                found += 1
        if node["t"] in ("CodeBlock", "Div") and found > cursor and lines[found - 1].lstrip().startswith(("```", "~~~", ":::")):
            found -= 1                      # a fenced block starts at its fence
        result.append(found + 1)
        cursor = found + 1 if found + 1 < len(lines) else found
    return result


def _verbatim_probe(node: dict) -> str | None:
    """The first non-blank line of a code or raw block's text (Pandoc keeps it verbatim)."""
    if node["t"] not in ("CodeBlock", "RawBlock"):
        return None
    return next((line.strip() for line in node["c"][1].split("\n") if line.strip()), None)


def _anchor_word(node: dict) -> str | None:
    """The first word of a block as it is written in the file. A code or raw block's words
    are its text, which stringify leaves out (anchoring it to the next non-blank line put
    every code block after the first one line too early); a table's caption comes after its
    rows in the file (Table: …), so its first word is its header's, or its first row's."""
    kind, content = node["t"], node.get("c")
    if kind in ("CodeBlock", "RawBlock"):
        match = _WORD.search(content[1])
        return match.group() if match else None
    if kind == "Table":
        return first_word({"t": "Div", "c": [content[3], content[4], content[5]]})
    if kind == "DefinitionList" and content:
        # A term and its definition have no space between them in stringify's text
        # ("TerimTanım"), a word no line holds: the term alone is what the file starts with.
        return first_word({"t": "Plain", "c": content[0][0]})
    return first_word(node)


def first_word(node: dict) -> str | None:
    """_WORD.findall(stringify(node, skip=()))[0] (or None), reading only as much of the block
    as that word needs: the text of a whole block costs a walk of all of it.

    The text comes in the pieces stringify joins, in its order; a word may run across pieces
    (Ata*türk*), so it is complete only once the text goes on past it."""
    text, pieces = "", 0

    def add(piece: str) -> bool:
        nonlocal text, pieces
        pieces += 1
        text += piece
        match = _WORD.search(text)
        if not match:
            text = ""                       # nothing of it can belong to the first word
        return bool(match) and match.end() < len(text)

    def visit(v) -> bool:                   # stringify's visit (skip=()); True once the word is complete
        if isinstance(v, list):
            return any(visit(item) for item in v)
        if not isinstance(v, dict) or "t" not in v:
            return False
        t, c = v["t"], v.get("c")
        if t == "Str":
            return add(c)
        if t in ("Space", "SoftBreak", "LineBreak"):
            return add(" ")
        if t == "Quoted":                   # (any quote mark: not a word character, as stringify's)
            return add("\u201c") or visit(c[1]) or add("\u201d")
        if t in ("Code", "Math", "RawInline"):
            return add(c[-1])
        if t in ("Para", "Plain", "Header", "BlockQuote", "Div") or isinstance(c, list):
            before = pieces
            if visit(c):
                return True
            if t in ("Para", "Plain", "Header", "CodeBlock") and pieces > before:
                return add(" ")
        return False

    visit(node)
    match = _WORD.search(text)
    return match.group() if match else None
