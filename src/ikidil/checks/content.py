"""Rules on what a translated block must keep from its source: notes and citations."""

from __future__ import annotations

from .base import Severity, block_rule


@block_rule("N001", Severity.ERROR, "note count differs")
def note_count(pair, ctx):
    s, t = len(pair.source.notes), len(pair.target.notes)
    if s != t:
        yield f"source block has {s} footnote(s), translation has {t}: add or remove notes to match"


@block_rule("C001", Severity.ERROR, "citations differ")
def citations(pair, ctx):
    s = [(c.key, c.locator) for c in pair.source.citations]
    t = [(c.key, c.locator) for c in pair.target.citations]
    if s != t:
        def show(cites):
            return ", ".join(f"@{k}" + (f" {loc}" if loc else "") for k, loc in cites) or "none"
        yield f"citations differ: source has {show(s)}, translation has {show(t)}"
