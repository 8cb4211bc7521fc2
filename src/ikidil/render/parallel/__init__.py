"""Chapter-parallel PDF layout: the same pages as one WeasyPrint call, laid out part by part
in a process pool, cached by content, and merged with pikepdf.

Why it is exact. The edition's HTML (render/pdf.py, a black box here) is split generically:
the front matter, then each top-level child of `.body-matter` (a chapter, the bibliography).
Every part is a complete document with the same <head>, stylesheet and <body> attributes;
chapters open on a recto, so a part's layout does not depend on what came before, except for
three things, carried over explicitly:

- the page counter. A part's folios only exist in margin boxes, which WeasyPrint lays out
  after the whole part is paginated (layout/__init__.py, "Add margin boxes"). The worker keeps
  the layout context of that pass, waits until the parts before it have reported their page
  counts (a shared array: no part waits for a later one, so the pool cannot deadlock), and
  re-makes just the margin boxes with the right page numbers. No second layout.
- the blank verso a part may need at its end: each part is laid out with an empty copy of
  the next part's opening element after it, so WeasyPrint itself decides on (and draws) the
  blank page; the copy's own page is dropped.
- the note counters: notes are numbered through the book (CSS `footnote` counter; in the
  bilingual edition one counter per language), so a part starts each at the number of
  notes (`.footnote` spans, see transform.notes_to_spans) before it that advance it.

The table of contents asks for the page numbers of targets in other parts
(target-counter): the front matter is laid out last, with an empty target for each link
on its dropped last page, each resetting an element counter named `page` to the target's
real page. WeasyPrint's target-counter() reads the target's element counters over its page
counters (formatting_structure/build.py, compute_content_list), so the contents get the
real numbers in the first pass: no page per target, no second pass over the contents.

Links between parts are written as `ikidil-part:<id>` and turned back into named
destinations in the merge; outlines are rebuilt from every part's bookmarks; the tagged
(PDF/UA) structure trees are joined under the first body part's document element. The
body parts are merged as they are laid out (Merger), the front matter last.

Caching: each part's PDF is kept under a key of its HTML, stylesheet, variant, tool versions
and first page number; its page count under the same key without the page number, so an
edit that does not change a chapter's length re-lays out that chapter only.


The package's modules, one job each: split.py (the parts), jobs.py (one part's layout),
pool.py (the processes), layout.py (the schedule, the cache and the entry points),
merge.py (the merged PDF), fonts.py (font unions), structure.py (structure trees)."""

from .layout import ParallelResult, print_page_starts, render_parts, render_pdf_fast, render_pdf_parallel
from .pool import LayoutPool
from .split import CannotSplit, Part, split_parts

__all__ = ["CannotSplit", "LayoutPool", "ParallelResult", "Part", "print_page_starts", "render_parts",
           "render_pdf_fast", "render_pdf_parallel", "split_parts"]
