"""Rules on translation that has fallen behind its source (see lock.py)."""

from __future__ import annotations

from ..errors import display_path
from ..lock import State, block_states, load_lock, lock_path
from .base import Finding, Severity, chapter_rule


def lock_of(ctx):
    folder = ctx.book.config.manuscript_dir(ctx.lang)
    return ctx.memo("lock", lambda: load_lock(folder))


# Severity follows book.yaml's policy.stale: error stops the build; warn and mark build anyway.
@chapter_rule("S001", Severity.ERROR, "translation is stale")
def stale_blocks(ctx):
    if ctx.alignment.target is None:
        return
    lock = lock_of(ctx)
    mark = ctx.book.config.policy["stale"] == "mark"
    for item in block_states(ctx.alignment, lock):
        if item.state is State.STALE:
            src, tgt = item.source, item.target
            then = " (built in the source language, flagged)" if mark else ""
            yield Finding("S001", ctx.policy_severity("stale"),
                          f"source block {src.index + 1} changed since it was translated{then}: update the "
                          f"translation, then run: ikidil status --accept {ctx.alignment.source.slug}",
                          file=ctx.alignment.target.path, line=tgt.line,
                          other_file=ctx.alignment.source.path, other_line=src.line,
                          chapter=ctx.alignment.name, block=src.index)


@chapter_rule("S002", Severity.WARNING, "no translation lockfile")
def no_lock(ctx):
    lock = lock_of(ctx)
    first = ctx.book.chapters[ctx.book.config.language][0].name == ctx.alignment.name
    if not lock.exists and first:
        yield Finding("S002", Severity.WARNING,
                      f"no {display_path(lock_path(ctx.book.config.manuscript_dir(ctx.lang)))}: staleness is "
                      "not tracked; once the translation is current, run: ikidil status --accept",
                      file=lock.path, chapter=ctx.alignment.name)
