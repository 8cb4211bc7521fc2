"""Alignment of a source chapter with its translation.

Top-level blocks pair by order. When the counts differ, the pairing is found by a
global sequence alignment (Needleman–Wunsch) scored on anchors both languages keep:
numbers, citation keys, note counts, block kind and length — so a dropped or added
block is reported where it really is, not merely as "counts differ"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .load import Block, Chapter

NUMBER = re.compile(r"\d+")
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


def anchors(block: Block) -> frozenset[str]:
    found = set(NUMBER.findall(block.text))
    found.update("@" + c.key for c in block.citations)
    return frozenset(found)


def similarity(a: Block, b: Block) -> float:
    score = 1.0 if a.kind == b.kind else -2.0
    na, nb = anchors(a), anchors(b)
    if na or nb:
        score += 3.0 * len(na & nb) / len(na | nb) - 1.0
    if len(a.notes) != len(b.notes):
        score -= 1.0
    la, lb = len(a.text) or 1, len(b.text) or 1
    ratio = lb / la
    score += 0.5 if 0.6 <= ratio <= 1.6 else -0.5
    return score


def align_blocks(source: list[Block], target: list[Block]) -> list[BlockPair]:
    if len(source) == len(target):
        return [BlockPair(s, t) for s, t in zip(source, target)]
    n, m = len(source), len(target)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        score[i][0] = i * GAP
    for j in range(1, m + 1):
        score[0][j] = j * GAP
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            score[i][j] = max(score[i - 1][j - 1] + similarity(source[i - 1], target[j - 1]),
                              score[i - 1][j] + GAP, score[i][j - 1] + GAP)
    pairs: list[BlockPair] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and score[i][j] == score[i - 1][j - 1] + similarity(source[i - 1], target[j - 1]):
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
    pairs = align_blocks(source.blocks, target.blocks) if target else [BlockPair(b, None) for b in source.blocks]
    return ChapterAlignment(source.name, source, target, tuple(pairs))
