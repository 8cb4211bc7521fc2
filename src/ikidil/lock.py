"""The translation lock: which source text each translated block was translated from.

`translations/<lang>/ikidil.lock` (committed with the book) holds, per translated
block, a hash of the normalised source block it was accepted against — gettext's
"fuzzy" without a .po file. When the source block changes, its hash no longer appears
in the lock and the translation is *stale* until a translator updates it and runs
`ikidil status --accept`.

The hash is taken from the Pandoc AST, not the Markdown: line wrapping and extra
spaces leave it unchanged, an edited word, number, note or citation changes it.
Entries match by hash, not by position, so inserting a paragraph in the source makes
only that paragraph untranslated, not every paragraph after it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from . import yamlsafe

from .align import ChapterAlignment
from .ast import transform
from .errors import BookError
from .load import Block
from .outputs import write_bytes_atomic
from .textio import read_text

LOCK_NAME = "ikidil.lock"
LOCK_VERSION = 1
HASH_CHARS = 16            # 64 bits: ample for the blocks of one chapter
_VOLATILE_CITATION_KEYS = ("citationHash", "citationNoteNum")   # Pandoc numbers these per document


def normalised(node: dict) -> str:
    """A block as canonical JSON: soft line breaks are spaces, Pandoc's document-wide
    citation counters are dropped (they move when another block gains a citation)."""
    def canonical(el: dict):
        if el["t"] == "SoftBreak":
            return {"t": "Space"}
        if el["t"] == "Cite":
            for citation in el["c"][0]:
                for key in _VOLATILE_CITATION_KEYS:
                    citation.pop(key, None)
        return None
    tree = _merge_adjacent_text(transform(node, canonical))
    return json.dumps(tree, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _merge_adjacent_text(value):
    """`Str "gelişti"`, `Str "."` → `Str "gelişti."`: the same words, however the reader
    split them (markup removed around a word leaves its pieces apart)."""
    if isinstance(value, dict):
        return {k: _merge_adjacent_text(v) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    out: list = []
    for item in (_merge_adjacent_text(v) for v in value):
        if isinstance(item, dict) and item.get("t") == "Str" and out and isinstance(out[-1], dict) \
                and out[-1].get("t") == "Str":
            out[-1] = {"t": "Str", "c": out[-1]["c"] + item["c"]}
        elif isinstance(item, dict) and item.get("t") == "Space" and out and isinstance(out[-1], dict) \
                and out[-1].get("t") == "Space":
            continue
        else:
            out.append(item)
    return out


def block_hash(block: Block) -> str:
    return hashlib.sha256(normalised(block.node).encode("utf-8")).hexdigest()[:HASH_CHARS]


@dataclass(frozen=True)
class LockEntry:
    block: int         # translation block number (1-based)
    source: int        # source block number (1-based) it was accepted against
    hash: str          # hash of that source block
    text: str          # its first words, for people reading the lock or its diff


@dataclass
class Lock:
    path: Path
    chapters: dict[str, list[LockEntry]] = field(default_factory=dict)
    exists: bool = True

    def hashes(self, chapter: str) -> set[str]:
        return {e.hash for e in self.chapters.get(chapter, [])}


def lock_path(folder: Path) -> Path:
    return folder / LOCK_NAME


def _number(value) -> int:
    """A block number: a whole number from 1 (`.inf`, 2.5, -1 or a text are not)."""
    if type(value) is not int or value < 1:
        raise ValueError(f"block number {value!r} is not a whole number from 1")
    return value


def load_lock(folder: Path) -> Lock:
    """The lock of one translation folder; `exists` is False when there is none yet."""
    path = lock_path(folder)
    if not path.is_file():
        return Lock(path, exists=False)
    data = yamlsafe.load(read_text(path), path, "lockfile",
                         "resolve merge conflicts, or rewrite it with: ikidil status --accept")
    chapters: dict[str, list[LockEntry]] = {}
    try:
        if data.get("version") != LOCK_VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        for name, entries in (data.get("chapters") or {}).items():
            chapters[str(name)] = [LockEntry(_number(e["block"]), _number(e["source"]), str(e["hash"]),
                                             str(e.get("text", ""))) for e in entries or []]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise BookError(f"lockfile is not an ikidil lock ({exc})", file=path, line=1,
                        hint="rewrite it with: ikidil status --accept") from None
    return Lock(path, chapters)


def write_lock(lock: Lock) -> None:
    lines = ["# ikidil translation lock: the source each translated block was translated from.",
             "# Written by `ikidil status --accept`; commit it with the book. One line per block:",
             "# translation block, source block, hash of the normalised source block, its first words.",
             f"version: {LOCK_VERSION}", "chapters:"]
    for name in sorted(lock.chapters):
        lines.append(f"  {json.dumps(name, ensure_ascii=False)}:")
        for e in sorted(lock.chapters[name], key=lambda e: e.block):
            lines.append(f"  - {{block: {e.block}, source: {e.source}, hash: \"{e.hash}\", "
                         f"text: {json.dumps(e.text, ensure_ascii=False)}}}")
    write_bytes_atomic(lock.path, ("\n".join(lines) + "\n").encode("utf-8"))


def first_words(block: Block, count: int = 6) -> str:
    words = block.text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def accept(lock: Lock, alignment: ChapterAlignment) -> int:
    """Record every translated block of the chapter as translated from the current source."""
    entries = [LockEntry(p.target.index + 1, p.source.index + 1, block_hash(p.source), first_words(p.source))
               for p in alignment.aligned]
    lock.chapters[alignment.name] = entries
    return len(entries)


class State(str, Enum):
    TRANSLATED = "translated"   # the source is what the translation was accepted against
    STALE = "stale"             # the source changed since (or the block was never accepted)
    MISSING = "missing"         # the source block has no translation
    EXTRA = "extra"             # a translation block with no source block


@dataclass(frozen=True)
class BlockState:
    state: State
    source: Block | None
    target: Block | None


def block_states(alignment: ChapterAlignment, lock: Lock) -> list[BlockState]:
    """The state of every block pair of a chapter. Without a lockfile nothing is stale:
    staleness is tracked from the first `ikidil status --accept` on."""
    accepted = lock.hashes(alignment.name)
    states = []
    for pair in alignment.pairs:
        if pair.target is None:
            state = State.MISSING
        elif pair.source is None:
            state = State.EXTRA
        elif lock.exists and block_hash(pair.source) not in accepted:
            state = State.STALE
        else:
            state = State.TRANSLATED
        states.append(BlockState(state, pair.source, pair.target))
    return states
