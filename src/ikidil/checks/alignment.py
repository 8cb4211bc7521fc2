"""Rules on structure: chapters and blocks that must exist on both sides."""

from __future__ import annotations

from ..errors import display_path
from .base import RULES, Finding, Severity, chapter_rule, pair_finding


@chapter_rule("A001", Severity.ERROR, "translation chapter missing")
def missing_chapter(ctx):
    if ctx.alignment.target is None:
        source = ctx.alignment.source
        expected = ctx.book.config.manuscript_dir(ctx.lang) / source.name
        yield Finding("A001", Severity.ERROR,
                      f"missing translation of {display_path(source.path)}: create {display_path(expected)}",
                      file=expected, chapter=source.name)


@chapter_rule("A002", Severity.ERROR, "source block has no translation")
def missing_block(ctx):
    if ctx.alignment.target is None:
        return
    for pair in ctx.alignment.pairs:
        if pair.target is None:
            src = pair.source
            yield Finding("A002", Severity.ERROR,
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


def _start(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _line_near(ctx, pair) -> int | None:
    """Where the missing block belongs in the translation: after the previous aligned block."""
    previous = None
    for p in ctx.alignment.pairs:
        if p is pair:
            break
        if p.target is not None:
            previous = p.target
    return previous.line if previous else 1


__all__ = ["RULES", "pair_finding"]
