"""L001: a translation much shorter or longer than its source, judged against the
language pair and against the book itself.

How long a faithful translation is depends on the pair (Turkish runs longer than
English in characters, glosses in parentheses add more) and on the translator. So the
band is the pair's own (PAIR_BANDS, or `length_ratio` in book.yaml), and in a book with
MIN_BLOCKS_FOR_MEDIAN or more measured blocks it is centred on the book's own median
ratio and widened to its spread (3 × the median absolute deviation of the log ratios,
a robust outlier test): a translator who is consistently 1.5× long is not flagged
block after block, and a block half as long as the others still is. Only prose is
measured (code, math and URLs are the same length in both), in blocks of 80+ characters."""

from __future__ import annotations

import math
from statistics import median

from .base import Severity, book_rule, view

MIN_LENGTH_FOR_RATIO = 80   # characters: shorter blocks (headings, short lines) vary too much
MIN_BLOCKS_FOR_MEDIAN = 20
MAX_SPREAD = math.log(2)    # a careless book widens its band to half or twice its median, no more

# (source, translation) → band of translation/source character ratios for a faithful
# block. Data: add a pair by adding a line; unknown pairs use DEFAULT_BAND.
PAIR_BANDS: dict[tuple[str, str], tuple[float, float]] = {
    ("tr", "en"): (0.7, 1.45),
    ("en", "tr"): (0.75, 1.7),
    ("en", "de"): (0.8, 1.6),
    ("de", "en"): (0.65, 1.3),
    ("en", "fr"): (0.8, 1.6),
    ("fr", "en"): (0.65, 1.3),
}
DEFAULT_BAND = (0.65, 1.6)


def band_of(config, lang: str) -> tuple[float, float]:
    if config.length_ratio is not None:
        return config.length_ratio
    return PAIR_BANDS.get((config.language.split("-")[0], lang.split("-")[0]), DEFAULT_BAND)


def measure(pair, ctx) -> tuple[int, int] | None:
    s, t = len(view(pair.source, ctx).prose), len(view(pair.target, ctx).prose)
    if max(s, t) < MIN_LENGTH_FOR_RATIO or s == 0:
        return None
    return s, t


def book_band(ratios: list[float], low: float, high: float) -> tuple[float, float]:
    """The band, centred on the book's median ratio and as wide as its spread, when the
    book has enough blocks to tell."""
    logs = [math.log(r) for r in ratios if r > 0]
    if len(logs) < MIN_BLOCKS_FOR_MEDIAN:
        return low, high
    centre = median(logs)
    spread = min(3 * 1.4826 * median(abs(x - centre) for x in logs), MAX_SPREAD)
    # The pair's band, moved to the book's centre, and never narrower than it.
    below = max(math.log((low * high) ** 0.5 / low), spread)
    above = max(math.log(high / (low * high) ** 0.5), spread)
    return math.exp(centre - below), math.exp(centre + above)


@book_rule("L001", Severity.WARNING, "length ratio outlier", measure)
def length_ratio(measures, ctx):
    low, high = band_of(ctx.book.config, ctx.lang)
    lo, hi = book_band([t / s for s, t in measures], low, high)
    out = []
    for s, t in measures:
        ratio = t / s
        if lo <= ratio <= hi:
            out.append(None)
            continue
        hint = "a sentence may be missing" if ratio < lo else "something may be added or doubled"
        out.append(f"translation is {ratio:.2f}× the source's length ({t} vs {s} characters), "
                   f"outside {lo:.2f}–{hi:.2f}: {hint}")
    return out
