"""`ikidil status`: how far each chapter's translation is, and `--accept` to record
that a translator has brought blocks up to date with their source (see lock.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .align import align_chapter
from .ast import stringify
from .errors import BookError, display_path
from .load import Book
from .lock import BlockState, State, accept, block_states, load_lock, write_lock


@dataclass(frozen=True)
class ChapterStatus:
    lang: str
    chapter: str
    tracked: bool                      # False: no lockfile yet, staleness unknown
    blocks: tuple[BlockState, ...]
    translator_notes: tuple[tuple[int, str], ...] = ()   # (line of its block, its text)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(b.state.value for b in self.blocks)
        return {state.value: found.get(state.value, 0) for state in State}

    def as_dict(self) -> dict:
        return {"lang": self.lang, "chapter": self.chapter, "tracked": self.tracked, **self.counts,
                "blocks": [_block_dict(b) for b in self.blocks if b.state is not State.TRANSLATED],
                "translator_notes": [{"line": line, "text": text} for line, text in self.translator_notes]}


def _block_dict(item: BlockState) -> dict:
    src, tgt = item.source, item.target
    return {"state": item.state.value,
            "source_block": src.index + 1 if src else None, "source_line": src.line if src else None,
            "block": tgt.index + 1 if tgt else None, "line": tgt.line if tgt else None}


def book_status(book: Book) -> list[ChapterStatus]:
    out = []
    for lang in book.config.translations:
        lock = load_lock(book.config.manuscript_dir(lang))
        for source in book.chapters[book.config.language]:
            target = book.chapter(lang, source.name)
            alignment = align_chapter(source, target)
            out.append(ChapterStatus(lang, source.name, lock.exists, tuple(block_states(alignment, lock)),
                                     _translator_notes(target)))
    return out


def _translator_notes(chapter) -> tuple[tuple[int, str], ...]:
    """The translator's notes of a chapter: a reviewer reads them apart, since no check can
    compare them with the source."""
    if chapter is None:
        return ()
    return tuple((block.line, stringify(note["c"])) for block in chapter.blocks for note in block.translator_notes)


def resolve_chapter(book: Book, name: str) -> str:
    """A chapter named by file name (01-intro.md), stem (01-intro) or path (manuscript/01-intro.md)."""
    wanted = name.rstrip("/").split("/")[-1]
    for chapter in book.chapters[book.config.language]:
        if wanted in (chapter.name, chapter.slug):
            return chapter.name
    known = ", ".join(c.slug for c in book.chapters[book.config.language])
    raise BookError(f"no chapter '{name}'", hint=f"name one of: {known}")


def accept_translation(book: Book, chapter: str | None = None) -> list[tuple[str, str, int]]:
    """Record the current source of every translated block (of one chapter, or all) as what
    the translation was made from. Returns (lang, chapter, blocks recorded) for each."""
    names = [resolve_chapter(book, chapter)] if chapter else [c.name for c in book.chapters[book.config.language]]
    done = []
    for lang in book.config.translations:
        lock = load_lock(book.config.manuscript_dir(lang))
        if chapter is None:
            lock.chapters = {}      # forget chapters that no longer exist
        for name in names:
            target = book.chapter(lang, name)
            if target is None:
                continue
            count = accept(lock, align_chapter(book.chapter(book.config.language, name), target))
            done.append((lang, name, count))
        write_lock(lock)
    return done


def status_lines(statuses: list[ChapterStatus]) -> list[str]:
    """A plain table: one row per chapter and language."""
    width = max([len(s.chapter) for s in statuses] + [7])
    header = f"{'chapter':<{width}}  lang  translated  stale  missing  extra"
    lines = [header]
    for s in statuses:
        c = s.counts
        stale = str(c["stale"]) if s.tracked else "?"
        lines.append(f"{s.chapter:<{width}}  {s.lang:<4}  {c['translated']:>10}  {stale:>5}  "
                     f"{c['missing']:>7}  {c['extra']:>5}")
    return lines


def detail_lines(book: Book, statuses: list[ChapterStatus]) -> list[str]:
    """Where each stale, missing or extra block is: translation file:line ↔ source file:line;
    then each translator's note, by the line of its block."""
    out = []
    for s in statuses:
        source = book.chapter(book.config.language, s.chapter)
        target_path = book.config.manuscript_dir(s.lang) / s.chapter
        near = 1                         # a missing block belongs after the previous translated one
        for item in s.blocks:
            if item.target is not None:
                near = item.target.line
            if item.state is State.TRANSLATED:
                continue
            there = f"{display_path(target_path)}:{near}"
            here = f"{display_path(source.path)}:{item.source.line}" if item.source else "-"
            out.append(f"{there} ↔ {here}: {item.state.value}")
        for line, text in s.translator_notes:
            words = text.split()
            first = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
            out.append(f"{display_path(target_path)}:{line}: translator's note: “{first}”")
    return out
