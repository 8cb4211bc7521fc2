"""Stage 1, load: book.yaml + chapter files → Book (typed config, chapters as Pandoc AST).

Everything later reads this Book; no later stage opens a Markdown file again."""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from concurrent.futures import ThreadPoolExecutor

from . import untrusted
from .cache import read_markdown_cached
from .ast import stringify, walk
from .bibliography import Bibliography, load_bibliography
from .config import BookConfig, load_config
from .errors import BookError, display_path
from .textio import read_text

CHAPTER_GLOB = "*.md"
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
        out = []
        for el in walk(self.node):
            if el["t"] == "Cite":
                for c in el["c"][0]:
                    out.append(Citation(c["citationId"], stringify(c["citationPrefix"]),
                                        stringify(c["citationSuffix"]).lstrip(", ")))
        return out

    @property
    def notes(self) -> list[dict]:
        return [el for el in walk(self.node) if el["t"] == "Note"]


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


def load_book(root: Path, jobs: int | None = None) -> Book:
    """`jobs`: chapters parsed at once (Pandoc runs as a subprocess, so threads suffice)."""
    root = root.resolve()
    config = load_config(root)
    bibliography = load_bibliography(config.bibliography)
    names = chapter_order(config)
    chapters: dict[str, list[Chapter]] = {}
    missing: dict[str, list[str]] = {}
    wanted = [(lang, config.manuscript_dir(lang) / name) for lang in config.languages for name in names]
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        # map() yields in order, so the first faulty chapter (in reading order) is the one reported.
        loaded = pool.map(lambda item: load_chapter(item[1], item[0], bibliography, root)
                          if item[1].is_file() else None, wanted)
        for (lang, path), chapter in zip(wanted, loaded):
            if chapter is None:
                missing.setdefault(lang, []).append(path.name)
            else:
                chapters.setdefault(lang, []).append(chapter)
    for lang in config.languages:
        chapters.setdefault(lang, [])
        folder = config.manuscript_dir(lang)
        if lang != config.language:
            _reject_extra_chapters(folder, names, config.manuscript_dir(config.language))
    return Book(config, bibliography, chapters, missing)


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
    size = path.stat().st_size if path.is_file() else 0
    if size > LARGE_CHAPTER:
        log.info("reading %s (%.1f MB)", display_path(path), size / 1e6)
    source = read_text(path)
    if not source.strip():
        raise BookError("chapter is empty", file=path, line=1,
                        hint="write the chapter, or remove the file")
    doc, warnings = read_markdown_cached(source, path, _book_root_of(path, lang) if root is None else root)
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
                                line=_line_of(source, "@" + cite.key, block.line),
                                hint=f"add it to the bibliography or fix the key; known keys: {known}")
    return chapter


_WORD = re.compile(r"\w+")


def block_lines(source: str, blocks: list[dict]) -> list[int]:
    """Line number (1-based) where each top-level block starts.

    Pandoc Markdown has no source positions, so each block is anchored by its first
    word, searched forward from the previous block's line."""
    lines = source.split("\n")
    result, cursor = [], 0
    for node in blocks:
        words = _WORD.findall(stringify(node, skip=()))
        found = cursor
        if words:
            for number in range(cursor, len(lines)):
                if words[0] in lines[number]:
                    found = number
                    break
        else:
            while found < len(lines) - 1 and not lines[found].strip():
                found += 1
        result.append(found + 1)
        cursor = found + 1 if found + 1 < len(lines) else found
    return result


def _line_of(source: str, needle: str, start_line: int) -> int:
    lines = source.split("\n")
    for number in range(start_line - 1, len(lines)):
        if needle in lines[number]:
            return number + 1
    return start_line
