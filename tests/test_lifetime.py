"""lifetime: what a build is done with is left to the process's end only where the process
ends with the command (the command line's `ikidil build`); elsewhere it is freed."""

from __future__ import annotations

import gc
import weakref

from ikidil import lifetime
from ikidil.build import BuildOptions, build
from ikidil.load import Book


class Thing:
    pass


def test_kept_only_within_leaving_to_exit_and_not_where_refused():
    kept, freed, inner = Thing(), Thing(), Thing()
    assert lifetime.done_with(freed) is False
    with lifetime.leaving_to_exit():
        assert lifetime.done_with(kept) is True
        with lifetime.leaving_to_exit(False):          # watch: builds one after another
            assert lifetime.done_with(inner) is False
        assert lifetime.done_with() is True            # the outer choice is back
    assert lifetime.done_with(Thing()) is False
    refs = [weakref.ref(t) for t in (kept, freed, inner)]
    del kept, freed, inner
    gc.collect()
    assert [r() is not None for r in refs] == [True, False, False]


def test_a_library_build_frees_its_book(book_copy):
    # A build called from Python (or by watch) must not hold its books until the process
    # ends: a long-lived caller would keep every build's ASTs.
    books = []
    original = Book.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        books.append(weakref.ref(self))
    Book.__init__ = remember
    try:
        build(book_copy, BuildOptions(editions=("tr",), formats=("epub",)))
    finally:
        Book.__init__ = original
    gc.collect()
    assert books and all(ref() is None for ref in books)
