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


BAND = 30      # how far (in blocks) the alignment may stray beyond the count difference


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
    # Needleman–Wunsch within a band around the diagonal: a few dropped or added blocks
    # move the pairing by the count difference at most (plus slack), so a chapter of
    # ten thousand blocks costs ten thousand rows of a few dozen cells, not 10⁸ cells.
    low, high = min(0, m - n) - BAND, max(0, m - n) + BAND

    score: dict[tuple[int, int], float] = {(0, 0): 0.0}
    sim: dict[tuple[int, int], float] = {}
    for i in range(n + 1):
        for j in range(max(0, i + low), min(m, i + high) + 1):
            if i == j == 0:
                continue
            best = float("-inf")
            if i > 0 and j > 0 and (i - 1, j - 1) in score:
                sim[i, j] = similarity(sp[i - 1], tp[j - 1])
                best = score[i - 1, j - 1] + sim[i, j]
            if (i - 1, j) in score:
                best = max(best, score[i - 1, j] + GAP)
            if (i, j - 1) in score:
                best = max(best, score[i, j - 1] + GAP)
            score[i, j] = best
    pairs: list[BlockPair] = []
    i, j = n, m
    while i > 0 or j > 0:
        if (i, j) in sim and score[i, j] == score[i - 1, j - 1] + sim[i, j]:
            pairs.append(BlockPair(source[i - 1], target[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and (i - 1, j) in score and score[i, j] == score[i - 1, j] + GAP:
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
