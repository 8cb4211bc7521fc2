"""One part's layout, in a pool worker or the main process: WeasyPrint's pages of the
part, its folios renumbered once the parts before it have reported their page counts
(the shared counts array), and the part's PDF bytes, anchors, problems and page starts."""

from __future__ import annotations

import dataclasses
import gc
import io
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from ... import limits
from .split import CannotSplit, stubs_css

_SHARED = SimpleNamespace()


def _init_worker(counts, failed, condition):
    """Set up a process for laying out parts (a pool worker, or the main process, which
    lays out parts too rather than wait: see LayoutPool)."""
    from .. import weasy_fixes
    weasy_fixes.prepare()
    import weasyprint.layout as wlayout
    _SHARED.counts, _SHARED.failed, _SHARED.condition = counts, failed, condition
    if not hasattr(_SHARED, "make_margin_boxes"):
        original = _SHARED.make_margin_boxes = wlayout.make_margin_boxes

        def remember_context(context, page, state):
            _SHARED.context = context          # the last layout's context: see _renumber
            return original(context, page, state)
        wlayout.make_margin_boxes = remember_context


@dataclass
class Laid:
    """A laid-out part, as it travels back from a worker and into the cache."""
    pdf: bytes | None
    pages: int                         # the part's own pages (dropped ones excluded)
    start: int
    anchors: dict[str, list]           # id → [page within part (0-based), x, y]
    problems: list = field(default_factory=list)
    page_starts: list = field(default_factory=list)
    extra_css: str = ""                # what the layout was given besides the stylesheet


@dataclass
class Job:
    index: int
    html: str
    extra_css: str
    drop_tail: int
    write: bool                        # False: only count pages (front matter probe)
    pdf_options: dict
    book: SimpleNamespace              # config and root: what pdf.stylesheet needs
    variant: str
    want_pdf: bool = True              # False: page starts and problems only (EPUB page list)
    # Front matter only: its targets' page numbers are the first pages of these parts (stub
    # number, part index), read from the page counts once every part has one (_toc_css).
    toc_parts: list | None = None
    # Facing pages (facing.py): the part's two sides, source then translation; None: one document.
    facing: tuple | None = None


def _counts_before(index: int) -> list[int]:
    """The page counts of parts 0 … index-1, once every one of them is known."""
    counts, failed, condition = _SHARED.counts, _SHARED.failed, _SHARED.condition
    with condition:
        while True:
            if failed.value:
                raise CannotSplit("an earlier part failed")
            before = counts[:index]
            if all(c >= 0 for c in before):
                return before
            condition.wait(1.0)


def _wait_for_start(index: int) -> int:
    """First page number of part `index`: 1 + the pages of every part before it."""
    return 1 + sum(_counts_before(index))


def _toc_css(toc_parts: list) -> str:
    """The front matter's stub counters (see split_parts' front_html) from the page
    counts, waiting until every part it names has one."""
    known = _counts_before(1 + max(part for _, part in toc_parts))
    return stubs_css((stub, 1 + sum(known[:part])) for stub, part in toc_parts)


def _report(index: int, pages: int) -> None:
    with _SHARED.condition:
        _SHARED.counts[index] = pages
        _SHARED.condition.notify_all()


def _layout_job(job: Job) -> Laid:
    try:
        began = time.perf_counter()
        with limits.layout_budget(lambda: _chapter_file(job)):
            laid = _layout(job)
        gc.collect()
        if os.environ.get("IKIDIL_TIMING"):
            print(f"part {job.index}: {laid.pages} pages, {_SHARED.renders} renders, {getattr(_SHARED, 'layouts', 1)} layouts, {time.perf_counter() - began:.2f} s, pid {os.getpid()}", file=sys.stderr)
        return laid
    except BaseException:
        with _SHARED.condition:
            _SHARED.failed.value = 1
            _SHARED.condition.notify_all()
        raise


def _chapter_file(job: Job) -> Path | None:
    """The source chapter a part lays out (its first chapter section's id is ch-<file stem>)."""
    import re
    match = re.search(r'<section[^>]*\bid="ch-([^"]+)"', job.html)
    if match is None:
        return None
    path = job.book.config.manuscript_dir(job.book.config.language) / f"{match.group(1)}.md"
    return path if path.is_file() else None


def _layout(job: Job) -> Laid:
    import weasyprint
    from .. import pdf
    from ..fetch import ASSETS, ProjectFetcher
    from ..pdf_guards import problems
    from ...pagemap import page_starts
    if job.toc_parts is not None:
        job = dataclasses.replace(job, extra_css=_toc_css(job.toc_parts), toc_parts=None)
    _SHARED.layouts, _SHARED.renders = 1, 0      # (IKIDIL_TIMING: this job's, not the last one's)

    def render(html_text: str, extra_css: str):
        html = weasyprint.HTML(string=html_text, base_url=str(ASSETS) + "/", url_fetcher=ProjectFetcher(job.book.root))
        document = pdf.render_keeping_notes(
            html, lambda breaks: pdf.stylesheets(job.book, job.variant, extra_css + breaks),
            on_render=lambda attempt: setattr(_SHARED, "renders", attempt))
        return document, _SHARED.context

    def start_side(html_text: str, extra_css: str, markers: list[str]):
        from .stepping import SideLayout
        html = weasyprint.HTML(string=html_text, base_url=str(ASSETS) + "/", url_fetcher=ProjectFetcher(job.book.root))
        return SideLayout(html, pdf.stylesheets(job.book, job.variant, extra_css), pdf.font_config(), markers)

    if job.facing is not None:
        document, renumber = _facing_layout(job, render, start_side)
    else:
        document, context = render(job.html, job.extra_css)

        def renumber(offset: int) -> None:
            if offset:
                _renumber(document, context, lambda value: value + offset)
    own = len(document.pages) - job.drop_tail
    if own < 1 or any(_has_text(page._page_box) for page in document.pages[own:]):
        raise CannotSplit(f"part {job.index}: the next part's opening did not start a page of its own")
    if job.index == 0 and _SHARED.counts[0] >= 0 and _SHARED.counts[0] != own:
        raise CannotSplit("the front matter changed length once page numbers were filled in")
    _report(job.index, own)
    if not job.write:
        return Laid(None, own, 1, {})
    start = _wait_for_start(job.index)
    # A chapter opens on a recto; in facing pages, on a spread (its verso).
    if (start % 2 == 0) != (job.facing is not None):
        raise CannotSplit(f"part {job.index} would open on the wrong side (page {start})")
    renumber(start - 1)
    # The dropped pages stay in this part's PDF (its links to them become named
    # destinations the merge points at the real pages); only the merge leaves them out.
    offset = start - 1
    found = [dataclasses.replace(p, page=p.page + offset) for p in problems(document) if p.page <= own]
    starts = [dataclasses.replace(s, page=str(int(s.page) + offset)) for s in page_starts(document)
              if int(s.page) <= own]
    anchors = {}
    for number, page in enumerate(document.pages[:own]):
        for name, position in page.anchors.items():
            anchors.setdefault(name, [number, *position[:2]])
    if not job.want_pdf:
        return Laid(None, own, start, anchors, found, starts, extra_css=job.extra_css)
    buffer = io.BytesIO()
    document.write_pdf(buffer, **job.pdf_options)
    return Laid(buffer.getvalue(), own, start, anchors, found, starts, extra_css=job.extra_css)


def _has_text(page_box) -> bool:
    from weasyprint.formatting_structure import boxes
    return any(isinstance(box, boxes.TextBox) and box.text.strip()
               for child in page_box.children if not isinstance(child, boxes.MarginBox)
               for box in child.descendants())      # the page area and the footnote area


def _facing_layout(job: Job, render, start_side):
    """A facing part's pages, verso and recto in turn (facing.py), and how to number them:
    the source's page i is the book's page start + 2i, the translation's the next.
    Both sides a page at a time (stepping.py); where that cannot be done, whole layouts
    and tails (facing.in_step)."""
    from . import facing, stepping
    sides = {side.role: facing.side_document(job.html, side, {s.role: s.lang for s in job.facing})
             for side in job.facing}
    css = {side.role: job.extra_css + facing.side_css(side) for side in job.facing}
    try:
        laid, made = stepping.in_step(
            lambda role, html, extra: start_side(html, css[role] + extra, sides[role].markers), sides)
        _SHARED.layouts = f"2 stepped ({made} pages made)"
    except stepping.StepFailed as why:
        if os.environ.get("IKIDIL_TIMING"):
            print(f"part {job.index}: not stepped: {why}", file=sys.stderr)
        try:
            laid, _SHARED.layouts = facing.in_step(lambda role, html, extra: render(html, css[role] + extra),
                                                   sides, {side.role: side.notes_before for side in job.facing})
        except facing.OutOfStep as why:
            raise CannotSplit(f"part {job.index}: {why}") from None
    versos, rectos = facing.pages_of(laid["source"]), facing.pages_of(laid["translation"])
    if len(versos) != len(rectos):
        raise CannotSplit(f"part {job.index}: its sides end on different spreads")
    document = laid["source"][0].document.copy([page for spread in zip(versos, rectos) for page in spread])

    def renumber(offset: int) -> None:
        # Each layout numbered its pages 1, 2, 3…; the side's page i (0-based) is spread i's
        # verso (the book's page offset + 2i + 1) or recto (the next).
        for role, side in ((0, laid["source"]), (1, laid["translation"])):
            base = 0
            for segment in side:
                _renumber(segment.document, segment.context,
                          lambda value, base=base, segment=segment: offset + 2 * (base + value - 1 - segment.first) + 1 + role,
                          pages=range(segment.first, segment.first + segment.count))
                base += segment.count
    return document, renumber


def _renumber(document, context, folio, pages=None) -> None:
    """Re-make the margin boxes (folios, running heads) with the page counter's value v
    moved to folio(v): the same code WeasyPrint runs at the end of layout_document. The
    page areas are untouched; the Page objects are updated in place. `pages`: only those."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.background import layout_backgrounds
    for i, page in enumerate(document.pages):
        if pages is not None and i not in pages:
            continue                          # pages of a layout the part does not use
        page_box = page._page_box
        context.current_page = i + 1
        state = context.page_maker[i + 1][3]
        counters = dict(state[1])
        counters["page"] = [folio(value) for value in counters.get("page", [i + 1])]
        state = (state[0], counters, *state[2:])
        kept = [c for c in page_box.children if not isinstance(c, boxes.MarginBox)]
        page_box.children = tuple(kept) + tuple(_SHARED.make_margin_boxes(context, page_box, state))
        layout_backgrounds(page_box, context.get_image_from_uri)
        # Page keeps its own lists of what it draws beside the box tree: refresh them.
        refreshed = type(page)(page_box)
        page.__dict__.update(refreshed.__dict__)
