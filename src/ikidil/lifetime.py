"""Objects left to the process's end instead of freed as soon as their work is done.

Freeing a book-sized build's objects one at a time (the ASTs of a thousand pages, the
merged PDF's qpdf objects) takes ~0.15 s at the very end of `ikidil build`, which the
user waits for, to give back memory the process returns at once by ending. The command
line, which ends with os._exit (cli._exit_now), allows it around its command; a command
that goes on after a build (watch), a library caller and the tests free as usual."""

from __future__ import annotations

import contextlib

_kept: list = []                  # never emptied: the process's end frees it
_leaving = False


@contextlib.contextmanager
def leaving_to_exit(allowed: bool = True):
    """Within: what is given to done_with is kept until the process ends (allowed), or is
    freed as usual (not allowed: e.g. a command that runs one build after another)."""
    global _leaving
    saved, _leaving = _leaving, allowed
    try:
        yield
    finally:
        _leaving = saved


def done_with(*objects) -> bool:
    """The caller is done with `objects`: True if they are kept until the process ends
    (the caller then skips freeing them), False if the caller frees them now."""
    if _leaving:
        _kept.extend(objects)
    return _leaving
