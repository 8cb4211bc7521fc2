"""Rules on what a translated block must keep from its source: notes and citations.

Notes and citations pair by order within their block."""

from __future__ import annotations

import re

from .base import Severity, block_rule, view


@block_rule("N001", Severity.ERROR, "note count differs")
def note_count(pair, ctx):
    s, t = len(view(pair.source, ctx).notes), len(view(pair.target, ctx).notes)
    if s != t:
        yield f"source block has {s} footnote(s), translation has {t}: add or remove notes to match"


@block_rule("C001", Severity.ERROR, "citation keys differ")
def citation_keys(pair, ctx):
    s = [c.key for c in view(pair.source, ctx).citations]
    t = [c.key for c in view(pair.target, ctx).citations]
    if s != t:
        def show(keys):
            return ", ".join(f"@{k}" for k in keys) or "none"
        yield f"citations differ: source cites {show(s)}, translation cites {show(t)}"


@block_rule("C002", Severity.ERROR, "citation locator differs")
def citation_locators(pair, ctx):
    for number, (s, t) in enumerate(zip(view(pair.source, ctx).citations,
                                                         view(pair.target, ctx).citations), 1):
        if s.key == t.key and _locator(s.locator) != _locator(t.locator):
            yield (f"citation {number} (@{s.key}) points to “{s.locator or 'no page'}” in the source "
                   f"but “{t.locator or 'no page'}” in the translation")


def _locator(text: str) -> str:
    """Locators compare by their numbers and ranges: `s. 9` and `p. 9` are the same page."""
    numbers = re.findall(r"\d+(?:\s*[-–]\s*\d+)?", text)
    return " ".join(re.sub(r"\s*[-–]\s*", "-", n) for n in numbers) or " ".join(text.split())
