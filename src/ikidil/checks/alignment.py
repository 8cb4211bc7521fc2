"""Rules on structure: chapters and blocks that must exist on both sides."""

from __future__ import annotations

from ..errors import display_path
from .base import RULES, Finding, Severity, block_rule, chapter_rule, pair_finding


# A001 and A002 are the "missing" translation gaps: their severity follows book.yaml's
# policy.missing (error stops the build; warn and mark build anyway).

@chapter_rule("A001", Severity.ERROR, "translation chapter missing")
def missing_chapter(ctx):
    if ctx.alignment.target is None:
        source = ctx.alignment.source
        expected = ctx.book.config.manuscript_dir(ctx.lang) / source.name
        yield Finding("A001", ctx.policy_severity("missing"),
                      f"missing translation of {display_path(source.path)}: create {display_path(expected)}",
                      file=expected, chapter=source.name)


@chapter_rule("A002", Severity.ERROR, "source block has no translation")
def missing_block(ctx):
    if ctx.alignment.target is None:
        return
    for pair in ctx.alignment.pairs:
        if pair.target is None:
            src = pair.source
            yield Finding("A002", ctx.policy_severity("missing"),
                          f"block {src.index + 1} ({src.kind}: “{_start(src.text)}”) has no translation; "
                          "translate it or restore the deleted block",
                          file=ctx.alignment.target.path, line=_line_near(ctx, pair),
                          other_file=ctx.alignment.source.path, other_line=src.line,
                          chapter=ctx.alignment.name, block=src.index)


@chapter_rule("A003", Severity.ERROR, "translation block has no source")
def extra_block(ctx):
    if ctx.alignment.target is None:
        return
    for pair in ctx.alignment.pairs:
        if pair.source is None:
            tgt = pair.target
            yield Finding("A003", Severity.ERROR,
                          f"extra block ({tgt.kind}: “{_start(tgt.text)}”) matches no source block; "
                          "remove it or merge it into its neighbour",
                          file=ctx.alignment.target.path, line=tgt.line,
                          other_file=ctx.alignment.source.path, other_line=_line_near(ctx, pair, "source"),
                          chapter=ctx.alignment.name)


@chapter_rule("A004", Severity.ERROR, "chapter does not open with a heading")
def chapter_heading(ctx):
    for chapter in filter(None, (ctx.alignment.source, ctx.alignment.target)):
        first = chapter.blocks[0] if chapter.blocks else None
        if first is None or first.kind != "Header" or first.node["c"][0] != 1:
            if chapter is ctx.alignment.target and ctx.alignment.source.blocks[0].kind != "Header":
                continue  # reported once, on the source
            yield Finding("A004", Severity.ERROR,
                          "chapter must open with a level-1 heading (# Title)",
                          file=chapter.path, line=first.line if first else 1, chapter=chapter.name)


# Paragraph-like blocks may stand for one another (a Turkish paragraph set as a
# one-item list is still that paragraph); a heading paired with a paragraph is not.
_KIND_FAMILY = {"Para": "text", "Plain": "text", "LineBlock": "text"}


@block_rule("A005", Severity.WARNING, "block kinds differ")
def kind_mismatch(pair, ctx):
    s, t = pair.source.kind, pair.target.kind
    if _KIND_FAMILY.get(s, s) != _KIND_FAMILY.get(t, t):
        yield (f"source block is a {_KIND_NAMES.get(s, s)}, its translation a {_KIND_NAMES.get(t, t)}: "
               "blocks pair by order, so one may be missing or split")


_KIND_NAMES = {"Para": "paragraph", "Plain": "paragraph", "Header": "heading", "BlockQuote": "quotation",
               "BulletList": "list", "OrderedList": "numbered list", "Table": "table", "CodeBlock": "code block",
               "Div": "division", "HorizontalRule": "rule", "DefinitionList": "definition list"}


def _start(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _line_near(ctx, pair, side: str = "target") -> int | None:
    """Where an unpaired block belongs on the other `side` ("target": a missing block in
    the translation; "source": an extra block's place in the source): after the last
    block of that side that comes before it."""
    previous = None
    for p in ctx.alignment.pairs:
        if p is pair:
            break
        if getattr(p, side) is not None:
            previous = getattr(p, side)
    return previous.line if previous else 1


__all__ = ["RULES", "pair_finding"]
