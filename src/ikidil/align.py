"""Alignment of a source chapter with its translation.

Top-level blocks pair by order. When the counts differ, the pairing is found by a
global sequence alignment (Needleman–Wunsch) scored on anchors both languages keep:
numbers (read in each language's notation), names spelled alike on both sides,
citation keys, note counts, block kind and length — so a dropped or added block is
reported where it really is, not merely as "counts differ".

The alignment depends on the two chapters only (not on book.yaml), so `check`,
the build policy and the bilingual edition always agree on it."""

from __future__ import annotations

from dataclasses import dataclass

from . import facts
from .load import Block, Chapter

GAP = -1.0


@dataclass(frozen=True)
class BlockPair:
    source: Block | None        # None: an extra block in the translation
    target: Block | None        # None: the translation lacks this block


@dataclass(frozen=True)
class ChapterAlignment:
    name: str
    source: Chapter
    target: Chapter | None
    pairs: tuple[BlockPair, ...]

    @property
    def aligned(self) -> list[BlockPair]:
        return [p for p in self.pairs if p.source is not None and p.target is not None]


@dataclass(frozen=True)
class Profile:
    """What the scoring looks at, computed once per block."""
    kind: str
    anchors: frozenset[str]
    notes: int
    length: int


def anchors(block: Block, lang: str) -> frozenset[str]:
    found = {"#" + n for n in facts.numbers(block.text, lang)}
    found.update("@" + c.key for c in block.citations)
    found.update("name:" + n for n in facts.names(block.text, lang))
    return frozenset(found)


def profiles(blocks: list[Block], lang: str) -> list[Profile]:
    return [Profile(b.kind, anchors(b, lang), len(b.notes), len(b.text) or 1) for b in blocks]


def similarity(a: Profile, b: Profile) -> float:
    score = 1.0 if a.kind == b.kind else -2.0
    na, nb = a.anchors, b.anchors
    if na or nb:
        score += 3.0 * len(na & nb) / len(na | nb) - 1.0
    if a.notes != b.notes:
        score -= 1.0
    ratio = b.length / a.length
    score += 0.5 if 0.6 <= ratio <= 1.6 else -0.5
    return score


def align_blocks(source: list[Block], target: list[Block],
                 source_lang: str = "tr", target_lang: str = "en") -> list[BlockPair]:
    if len(source) == len(target):
        return [BlockPair(s, t) for s, t in zip(source, target)]
    sp, tp = profiles(source, source_lang), profiles(target, target_lang)
    # Anchors only one side has anywhere in the chapter (a name the translation
    # spells differently) cannot pair anything; leaving them out sharpens the score.
    shared = frozenset().union(*(p.anchors for p in sp)) & frozenset().union(*(p.anchors for p in tp))
    sp = [Profile(p.kind, p.anchors & shared, p.notes, p.length) for p in sp]
    tp = [Profile(p.kind, p.anchors & shared, p.notes, p.length) for p in tp]
    n, m = len(source), len(target)
    sim = [[similarity(sp[i], tp[j]) for j in range(m)] for i in range(n)]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        score[i][0] = i * GAP
    for j in range(1, m + 1):
        score[0][j] = j * GAP
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            score[i][j] = max(score[i - 1][j - 1] + sim[i - 1][j - 1],
                              score[i - 1][j] + GAP, score[i][j - 1] + GAP)
    pairs: list[BlockPair] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and score[i][j] == score[i - 1][j - 1] + sim[i - 1][j - 1]:
            pairs.append(BlockPair(source[i - 1], target[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and score[i][j] == score[i - 1][j] + GAP:
            pairs.append(BlockPair(source[i - 1], None))
            i -= 1
        else:
            pairs.append(BlockPair(None, target[j - 1]))
            j -= 1
    return pairs[::-1]


def align_chapter(source: Chapter, target: Chapter | None) -> ChapterAlignment:
    if target is None:
        pairs = [BlockPair(b, None) for b in source.blocks]
    else:
        pairs = align_blocks(source.blocks, target.blocks, source.lang, target.lang)
    return ChapterAlignment(source.name, source, target, tuple(pairs))
