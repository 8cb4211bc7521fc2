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

A document that cannot be split this way (CannotSplit) is laid out as one document."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import sys
import html as htmlmod
import io
import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, wait as futures_wait
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from .. import interrupt, lifetime, limits
from ..cache import Cache, digest, tool_versions

PART_SCHEME = "ikidil-part:"
log = logging.getLogger("ikidil")
STUB_CLASS = "ikidil-target-"


class CannotSplit(Exception):
    """The edition cannot be laid out part by part with the same pages (the caller lays it out whole)."""


# ---------------------------------------------------------------- splitting the document


@dataclass
class Part:
    index: int                 # 0: front matter
    html: str = ""
    notes_before: dict[str, int] = field(default_factory=dict)   # note counter → notes before the part
    ids: set[str] = field(default_factory=set)
    drop_tail: int = 0         # pages after the part's own (the next part's opening copy, targets)
    targets: list[str] = field(default_factory=list)   # front matter: ids it needs page numbers of
    openings: set[str] = field(default_factory=set)   # ids on its first page for sure: see _opening_ids


def split_parts(document_html: str) -> tuple[list[Part], callable]:
    """The parts of an edition document, and a function that writes the front matter's
    HTML once the page of each target is known."""
    from lxml import html as lhtml
    root = lhtml.document_fromstring(document_html)
    body = root.find("body")
    matter = next((el for el in body if isinstance(el.tag, str) and "body-matter" in el.get("class", "").split()), None)
    if matter is None:
        raise CannotSplit("no .body-matter in the edition document")
    pieces = [el for el in matter if isinstance(el.tag, str)]
    if not pieces or any(el.tail and el.tail.strip() for el in matter):
        raise CannotSplit("text between the body parts")
    serialize = lambda el: lhtml.tostring(el, encoding="unicode", with_tail=False)
    head = serialize(root.find("head"))
    root_attrs = _attrs(root)
    body_open = f"<body{_attrs(body)}>"
    matter_open = f"<{matter.tag}{_attrs(matter)}>"

    def opening_copy(el) -> str:
        """The part's opening, emptied: the element and its chain of first children down
        to the one holding text, without text or ids. It breaks the page as the real part
        does (a break-before of a first child applies to its parents) and adds no text."""
        attrs = {k: v for k, v in el.attrib.items() if k != "id"}
        first = next((c for c in el if isinstance(c.tag, str)), None)
        inner = ""
        if first is not None and not (el.text or "").strip() and not _holds_text(first):
            inner = opening_copy(first)
        return f"<{el.tag}{_attrs_of(attrs)}>{inner}</{el.tag}>"

    def document(inner_body: str) -> str:
        return f"<!DOCTYPE html>\n<html{root_attrs}>\n{head}\n{body_open}\n{inner_body}\n</body>\n</html>\n"

    parts: list[Part] = []
    notes: dict[str, int] = {}
    for n, el in enumerate(pieces, start=1):
        part = Part(n, notes_before=dict(notes), openings=_opening_ids(el))
        part.ids = {e.get("id") for e in el.iter() if isinstance(e.tag, str) and e.get("id")}
        parts.append(part)
        for e in el.iter():
            if isinstance(e.tag, str) and "footnote" in e.get("class", "").split():
                for counter in note_counters(e):
                    notes[counter] = notes.get(counter, 0) + 1
    for part, el in zip(parts, pieces):
        for link in el.iter("a"):
            href = link.get("href", "")
            if href.startswith("#") and href[1:] not in part.ids:
                link.set("href", PART_SCHEME + href[1:])
        nxt = pieces[part.index] if part.index < len(pieces) else None
        part.drop_tail = 1 if nxt is not None else 0
        part.html = document(matter_open + serialize(el) + (opening_copy(nxt) if nxt is not None else "")
                             + f"</{matter.tag}>")

    # The front matter: everything of <body> but the body parts.
    front_ids = {e.get("id") for e in body.iter() if isinstance(e.tag, str) and e.get("id")} - set().union(*(p.ids for p in parts))
    targets = []
    for child in body:
        if child is matter or not isinstance(child.tag, str):
            continue
        for link in child.iter("a"):
            href = link.get("href", "")
            if href.startswith("#") and href[1:] not in front_ids and href[1:] not in targets:
                targets.append(href[1:])
    front_children = "".join(serialize(c) for c in body if c is not matter and isinstance(c.tag, str))
    front = Part(0, targets=targets, drop_tail=1)

    def front_html(pages: dict[str, int]) -> tuple[str, str]:
        """HTML and extra CSS of the front matter, each target a stub on the dropped page
        counting as the target's page in the book (the HTML never depends on the pages)."""
        stubs = "".join(f'<div id="{htmlmod.escape(t)}" class="{STUB_CLASS}{i}"></div>'
                        for i, t in enumerate(targets))
        css = stubs_css((i, pages.get(t, 1)) for i, t in enumerate(targets))
        return document(front_children + matter_open + opening_copy(pieces[0]) + f"</{matter.tag}>" + stubs), css

    parts.insert(0, front)
    return parts, front_html


def stubs_css(pages) -> str:
    """The front matter's target stubs' counters: (stub number, page) pairs."""
    return "".join(f".{STUB_CLASS}{stub} {{ counter-reset: page {page}; }}\n" for stub, page in pages)


def note_counters(note) -> list[str]:
    """The CSS counters a note (a `.footnote` span) advances, as assets/book.css counts them:
    `footnote` (WeasyPrint's, every note), and in the bilingual edition `note-source` or
    `note-translation` by the column it is in."""
    counters = ["footnote"]
    for ancestor in note.iterancestors():
        classes = ancestor.get("class", "").split()
        if "bi-block" in classes:
            counters += [f"note-{role}" for role in ("source", "translation") if f"bi-{role}" in classes]
            break
    return counters


def counters_css(notes_before: dict[str, int]) -> str:
    """The note counters' values at the start of a part (see book.css: `footnote` is
    reset on html, the bilingual ones on body)."""
    css = ""
    if notes_before.get("footnote"):
        css += f"html {{ counter-reset: footnote {notes_before['footnote']}; }}\n"
    others = " ".join(f"{name} {value}" for name, value in sorted(notes_before.items()) if name != "footnote")
    if others:
        css += f"body {{ counter-reset: {others} !important; }}\n"
    return css


def _opening_ids(el) -> set[str]:
    """The ids of a part's element and of its chain of first children down to the first
    that holds text (a chapter's section and its heading; the bibliography's section and
    its heading, which the contents link to): the part opens a page, so they are all on it."""
    ids = {el.get("id")} - {None}
    first = next((c for c in el if isinstance(c.tag, str)), None)
    if first is not None and not (el.text or "").strip():
        ids |= {first.get("id")} - {None} if _holds_text(first) else _opening_ids(first)
    return ids


def _holds_text(el) -> bool:
    return bool((el.text or "").strip()) or any((c.tail or "").strip() for c in el)


def _attrs(el) -> str:
    return _attrs_of(dict(el.attrib))


def _attrs_of(attrs: dict) -> str:
    return "".join(f' {k}="{htmlmod.escape(v, quote=True)}"' for k, v in attrs.items())


# ---------------------------------------------------------------- the workers

_SHARED = SimpleNamespace()


def _init_worker(counts, failed, condition):
    """Set up a process for laying out parts (a pool worker, or the main process, which
    lays out parts too rather than wait: see LayoutPool)."""
    from . import weasy_fixes
    weasy_fixes.prepare()
    import weasyprint.layout as wlayout
    _SHARED.counts, _SHARED.failed, _SHARED.condition = counts, failed, condition
    if not hasattr(_SHARED, "make_margin_boxes"):
        original = _SHARED.make_margin_boxes = wlayout.make_margin_boxes

        def remember_context(context, page, state):
            _SHARED.context = context          # the last layout's context: see _renumber
            return original(context, page, state)
        wlayout.make_margin_boxes = remember_context


def _init_pool_worker(*args):
    # Ctrl-C on a terminal reaches the whole process group: the build (the parent) stops
    # its workers itself (interrupt.py), so a worker takes no KeyboardInterrupt of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(*args)
    import weasyprint            # noqa: F401  (the import is most of a worker's start-up)
    # A part's layout allocates millions of small objects, most of them alive until it is
    # written: the collector's frequent young-generation passes over them cost ~15 % of the
    # layout. Freeze what the imports made (never garbage) and collect less often; each job
    # ends with one full collection, so a worker's memory does not grow part after part.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@contextlib.contextmanager
def _collecting_less_often():
    """The pool workers' collector settings for the main process's own layouts, restored
    after. What the main process holds (the book, its documents) is frozen meanwhile, so the
    full collection after each part does not walk it again and again."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


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
            print(f"part {job.index}: {laid.pages} pages, {_SHARED.renders} renders, {time.perf_counter() - began:.2f} s, pid {os.getpid()}", file=sys.stderr)
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
    from . import pdf
    from .fetch import ASSETS, ProjectFetcher
    from .pdf_guards import problems
    from ..pagemap import page_starts
    if job.toc_parts is not None:
        job = dataclasses.replace(job, extra_css=_toc_css(job.toc_parts), toc_parts=None)
    html = weasyprint.HTML(string=job.html, base_url=str(ASSETS) + "/", url_fetcher=ProjectFetcher(job.book.root))
    document = pdf.render_keeping_notes(
        html, lambda breaks: pdf.stylesheets(job.book, job.variant, job.extra_css + breaks),
        on_render=lambda attempt: setattr(_SHARED, "renders", attempt))
    context = _SHARED.context
    own = len(document.pages) - job.drop_tail
    if own < 1 or any(_has_text(page._page_box) for page in document.pages[own:]):
        raise CannotSplit(f"part {job.index}: the next part's opening did not start a page of its own")
    if job.index == 0 and _SHARED.counts[0] >= 0 and _SHARED.counts[0] != own:
        raise CannotSplit("the front matter changed length once page numbers were filled in")
    _report(job.index, own)
    if not job.write:
        return Laid(None, own, 1, {})
    start = _wait_for_start(job.index)
    if start % 2 == 0:
        raise CannotSplit(f"part {job.index} would open on a verso (page {start})")
    if start != 1:
        _renumber(document, context, start - 1)
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


def _renumber(document, context, offset: int) -> None:
    """Re-make the margin boxes (folios, running heads) as if the part began `offset` pages
    later: the same code WeasyPrint runs at the end of layout_document, with the page
    counter moved. The page areas are untouched."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.background import layout_backgrounds
    for i, page in enumerate(document.pages):
        page_box = page._page_box
        context.current_page = i + 1
        state = context.page_maker[i + 1][3]
        counters = dict(state[1])
        counters["page"] = [value + offset for value in counters.get("page", [i + 1])]
        state = (state[0], counters, *state[2:])
        kept = [c for c in page_box.children if not isinstance(c, boxes.MarginBox)]
        page_box.children = tuple(kept) + tuple(_SHARED.make_margin_boxes(context, page_box, state))
        layout_backgrounds(page_box, context.get_image_from_uri)
        # Page keeps its own lists of what it draws beside the box tree: refresh them.
        refreshed = type(page)(page_box)
        page.__dict__.update(refreshed.__dict__)


# ---------------------------------------------------------------- the renderer


@dataclass
class ParallelResult:
    pages: int
    problems: list
    page_starts: list
    parts_laid_out: int


def render_parts(book, document_html: str, target: Path | None, variant: str, pdf_options: dict,
                 css_key: str, jobs: int | None = None, pool: "LayoutPool | None" = None) -> ParallelResult:
    """Lay out an edition document part by part (cached, in parallel) and write the merged
    PDF to `target` (None: only lay out, e.g. for the EPUB page list)."""
    parts, front_html = split_parts(document_html)
    cache = Cache(book.root)
    versions = tool_versions()
    variant_key = digest(versions, css_key, variant, repr(sorted(pdf_options.items())))

    def extra_css(part: Part) -> str:
        return counters_css(part.notes_before)

    probe_html, probe_css = front_html({})
    layout_keys = [digest(variant_key, probe_html, probe_css)] + \
                  [digest(variant_key, p.html, extra_css(p)) for p in parts[1:]]
    counts = [c if isinstance(c := cache.get_json("pages", key), int) else -1 for key in layout_keys]

    laid: dict[int, Laid] = {}
    want_pdf = target is not None
    # The body parts are merged as they come, so the merge is nearly done with the layout.
    merger = Merger(tagged="pdf_variant" in pdf_options) if want_pdf else None

    def have(index: int, result: Laid) -> None:
        laid[index] = result
        if merger is not None and index > 0:
            merger.offer(index, result.pdf, result.pages)

    def starts() -> list[int | None]:
        out, total = [], 1
        for c in counts:
            out.append(total if total is not None else None)
            total = total + c if (total is not None and c >= 0) else None
        return out

    def from_cache(index: int) -> None:
        start = starts()[index]
        if start is None or index in laid:
            return
        hit = cache.get_json("part", digest(layout_keys[index], str(start)))
        data = cache.get_bytes("part", digest(layout_keys[index], str(start))) if want_pdf else None
        if hit is not None and (data is not None or not want_pdf):
            have(index, _laid_from_json(hit, data))

    for i in range(1, len(parts)):
        from_cache(i)
    todo_first = [i for i in range(1, len(parts)) if i not in laid and counts[i] < 0]

    stub = SimpleNamespace(config=book.config, root=book.root)
    laid_out = 0
    with contextlib.ExitStack() as stack:
        scheduler = pool or stack.enter_context(LayoutPool(jobs))
        scheduler.reset(counts)
        def job(i: int, probe: bool = False) -> Job:
            if probe:
                return Job(0, probe_html, probe_css, parts[0].drop_tail, False, pdf_options, stub, variant)
            return Job(i, parts[i].html, extra_css(parts[i]), parts[i].drop_tail, True, pdf_options, stub, variant,
                       want_pdf)

        def keep(i: int, result: Laid, key: str) -> None:
            have(i, result)
            if result.pdf is not None:
                cache.put_bytes("part", key, result.pdf)
            cache.put_json("part", key, _laid_to_json(result))

        def run(indices: list[int], probe: bool = False, front: Job | None = None) -> Laid | None:
            todo = ([job(0, probe=True)] if probe else []) + [job(i) for i in indices]

            def absorb(position: int, result: Laid) -> None:
                nonlocal laid_out
                if position == len(todo):            # the front matter: kept in step 3
                    return
                j = todo[position]
                laid_out += 1
                counts[j.index] = result.pages
                cache.put_json("pages", layout_keys[j.index], result.pages)
                if j.write:
                    keep(j.index, result, digest(layout_keys[j.index], str(result.start)))
            results = scheduler.run(todo + ([front] if front else []), absorb)
            return results[-1] if front else None

        # The front matter's targets are chapter openings, whose pages are the chapters' first
        # pages: when this run lays out every part not cached, the front matter goes last in
        # it, laid out as soon as all page counts are known, beside the last parts' writing.
        opening_of = {name: p.index for p in parts[1:] for name in p.openings}
        front_early = None
        if (todo_first and all(t in opening_of for t in parts[0].targets)
                and all(i in laid or i in todo_first for i in range(1, len(parts)))):
            front_early = Job(0, probe_html, "", parts[0].drop_tail, True, pdf_options, stub, variant, want_pdf,
                              toc_parts=[(n, opening_of[t]) for n, t in enumerate(parts[0].targets)])
        early = None

        # 1. the parts whose length is unknown (and the front matter's length, if unknown)
        if todo_first or counts[0] < 0:
            early = run(todo_first, probe=counts[0] < 0, front=front_early if todo_first else None)
        # 2. every other part: from the cache at its (now known) first page, or laid out
        for i in range(1, len(parts)):
            from_cache(i)
        rest = [i for i in range(1, len(parts)) if i not in laid]
        if rest:
            scheduler.reset(counts)
            run(rest)
        # 3. the front matter, with the page numbers of its targets
        page_of = {}
        for i in range(1, len(parts)):
            for name, (number, _, _) in laid[i].anchors.items():
                page_of.setdefault(name, laid[i].start + number)
        front, css = front_html(page_of)
        front_key = digest(variant_key, front, css)
        hit = cache.get_json("part", front_key)
        data = cache.get_bytes("part", front_key) if want_pdf else None
        if hit is not None and (data is not None or not want_pdf):
            have(0, _laid_from_json(hit, data))
        elif early is not None and early.extra_css == css:     # the front HTML never depends on pages
            laid_out += 1
            keep(0, early, front_key)
        else:
            scheduler.reset(counts)
            [result] = scheduler.run([Job(0, front, css, parts[0].drop_tail, True, pdf_options, stub, variant,
                                          want_pdf)])
            laid_out += 1
            keep(0, result, front_key)
    total = sum(laid[i].pages for i in range(len(parts)))
    if target is not None:
        # The build's pool workers are idle by now: they join the fonts while this merges.
        offload = pool.pool.submit if pool is not None and pool.pool is not None else None
        merger.finish(laid[0].pdf, laid[0].pages, target, offload)
    problems = [p for i in range(len(parts)) for p in laid[i].problems]
    page_starts = [s for i in range(len(parts)) for s in laid[i].page_starts]
    return ParallelResult(total, problems, page_starts, laid_out)


def _start_quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with its stderr on /dev/null. When a build
    is stopped by Ctrl-C (interrupt.py) it ends at once, and the tracker then removes the
    semaphores the pool's queues and counters leave, which is its job, but it also tells the
    user's terminal with a UserWarning about "leaked semaphore objects". It inherits the
    stderr of the moment it starts, so it starts here, while stderr points elsewhere."""
    from multiprocessing import resource_tracker
    sys.stderr.flush()
    saved, quiet = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(quiet, 2)
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)


class LayoutPool:
    """The processes that lay out parts: `jobs - 1` pool workers and the main process, which
    would otherwise only wait (one process fewer is one interpreter start and WeasyPrint
    import fewer; there is no pool at all for `-j 1` or a single part to lay out).

    A build opens one with `start()` before loading the book, so the workers' start-up
    overlaps the load, and shares it between all its PDFs. Jobs are taken in index order,
    and a job reports its page count before it waits for the counts of the parts before it
    (_wait_for_start), so a job only ever waits for jobs already running or done: no
    deadlock. On an error or Ctrl-C the workers (waiting, or laying out) are stopped."""

    MAX_PARTS = 4096

    def __init__(self, jobs: int | None = None):
        self.processes = max(1, jobs or os.cpu_count() or 1) - 1
        self.pool: ProcessPoolExecutor | None = None
        self.main_ready = False
        self.ctx = None
        self.main_joins_after = None      # a Future: see join_after

    def _shared(self) -> None:
        """The state the processes share (made on first use: an EPUB build needs none)."""
        if self.ctx is None:
            _start_quiet_resource_tracker()
            self.ctx = multiprocessing.get_context("spawn")
            self.counts = self.ctx.Array("i", self.MAX_PARTS, lock=False)
            self.failed = self.ctx.Value("i", 0, lock=False)
            self.condition = self.ctx.Condition()

    def start(self) -> "LayoutPool":
        """Start the workers now (they import WeasyPrint while the caller does other work)."""
        self._shared()
        if self.pool is None and self.processes:
            self.pool = ProcessPoolExecutor(self.processes, mp_context=self.ctx, initializer=_init_pool_worker,
                                            initargs=(self.counts, self.failed, self.condition))
            for _ in range(self.processes):
                self.pool.submit(os.getpid)
        return self

    def join_after(self, busy) -> None:
        """Let the workers start without the main process until the Future `busy` is done:
        work of the main process's other threads (the checks) and a layout in the main
        process would slow each other down (one interpreter lock), while a worker process
        loses nothing to them."""
        self.main_joins_after = busy

    def reset(self, counts: list[int]) -> None:
        """A new layout: the known page counts of its parts (-1: unknown)."""
        if len(counts) > self.MAX_PARTS:
            raise CannotSplit(f"more than {self.MAX_PARTS} parts")
        self._shared()
        self.failed.value = 0
        self.counts[:len(counts)] = counts

    def __enter__(self) -> "LayoutPool":
        self._cleanup = interrupt.register(self._terminate)
        return self

    def __exit__(self, kind, error, trace) -> None:
        interrupt.unregister(self._cleanup)
        if self.pool is None:
            return
        if kind is not None and not issubclass(kind, CannotSplit):
            self.failed.value = 1
            processes = self._processes()
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
        else:
            self.pool.shutdown(wait=False)     # every job is done: the workers just exit

    def _processes(self) -> list:
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def _terminate(self) -> None:
        """The build is stopped by a signal: the workers stop too, whatever they are doing."""
        for process in self._processes():
            process.terminate()

    def run(self, jobs: list[Job], absorb=None) -> list[Laid]:
        """The jobs' results, in the jobs' order. `absorb(position, result)` is called in the
        main thread for each, in the jobs' order, as soon as it and those before it are in:
        between the main process's own layouts and while it waits for the workers'."""
        if len(jobs) > 1:
            self.start()
        self._shared()
        with _collecting_less_often():
            return self._run(jobs, absorb or (lambda position, result: None))

    def _main_joins(self) -> None:
        """Set up the main process for layout (its first time imports WeasyPrint: after
        the workers have their jobs)."""
        if not self.main_ready:
            _init_worker(self.counts, self.failed, self.condition)
            self.main_ready = True

    def _run(self, jobs: list[Job], absorb) -> list[Laid]:
        """Whoever is free takes the next job in index order: the main process, or a thread
        that hands it to a pool worker and waits for it (one job per worker at a time, so
        a job never waits for a part still queued behind it)."""
        import threading
        from collections import deque
        queue, lock, arrived = deque(enumerate(jobs)), threading.Lock(), threading.Condition()
        results: list[Laid | None] = [None] * len(jobs)
        errors: list[BaseException] = []
        absorbed = 0

        def take():
            with lock:
                return queue.popleft() if queue and not errors else None

        def feed():
            while (item := take()) is not None:
                try:
                    results[item[0]] = self.pool.submit(_layout_job, item[1]).result()
                except BaseException as error:          # handed to the main thread
                    errors.append(error)
                with arrived:
                    arrived.notify()

        def absorb_ready() -> None:
            nonlocal absorbed
            while absorbed < len(jobs) and results[absorbed] is not None and not errors:
                absorb(absorbed, results[absorbed])
                absorbed += 1

        def feeding() -> bool:
            return any(feeder.is_alive() for feeder in feeders)

        feeders = [threading.Thread(target=feed, daemon=True) for _ in range(self.processes if self.pool else 0)]
        for feeder in feeders:
            feeder.start()
        try:
            if feeders and self.main_joins_after is not None:
                futures_wait([self.main_joins_after])
            if queue:
                self._main_joins()
            while (item := take()) is not None:
                results[item[0]] = _layout_job(item[1])
                absorb_ready()
            while absorbed < len(jobs) and not errors:
                with arrived:
                    arrived.wait_for(lambda: results[absorbed] is not None or errors or not feeding(), timeout=1.0)
                if results[absorbed] is None and not feeding():
                    break                                # a worker's error: raised below
                absorb_ready()
        except BaseException as error:
            errors.append(error)
        for feeder in feeders:
            feeder.join()
        if errors:
            raise errors[0]
        return results


def _laid_to_json(laid: Laid) -> dict:
    return {"pages": laid.pages, "start": laid.start, "anchors": laid.anchors,
            "problems": [[p.kind, p.page, p.block, p.detail] for p in laid.problems],
            "page_starts": [[s.page, s.section, s.offset] for s in laid.page_starts]}


def _laid_from_json(data: dict, pdf: bytes) -> Laid:
    from ..pagemap import PageStart
    from .pdf_guards import LayoutProblem
    return Laid(pdf, data["pages"], data["start"], data["anchors"],
                [LayoutProblem(*p) for p in data["problems"]], [PageStart(*s) for s in data["page_starts"]])


def render_pdf_parallel(book, edition, target: Path | None, variant: str = "digital",
                        jobs: int | None = None, pool: LayoutPool | None = None) -> ParallelResult:
    """render/pdf.render_pdf, part by part. Raises CannotSplit for editions it cannot lay
    out this way (the caller then uses render_pdf)."""
    from . import pdf
    options = {"pdf_variant": "pdf/ua-1"} if variant == "digital" else {}
    options["pdf_identifier"] = pdf.pdf_identifier(book, edition, variant).encode()
    return render_parts(book, pdf.edition_html(book, edition), target, variant, options,
                        _resources_key(book, variant), jobs, pool)


def render_pdf_fast(book, edition, target: Path, variant: str, warn=None, jobs: int | None = None,
                    need_page_starts: bool = False, pool: LayoutPool | None = None):
    """The build's PDF entry point: part by part when the edition allows it, else one
    WeasyPrint document (render/pdf.render_pdf). Returns (Output, page starts or None)."""
    from . import pdf
    from ..outputs import Output
    from ..pagemap import page_starts
    try:
        result = render_pdf_parallel(book, edition, target, variant, jobs, pool)
    except CannotSplit as why:
        log.info("%s PDF laid out as one document: %s", edition.name, why)
        kept = []
        output = pdf.render_pdf(book, edition, target, variant, warn=warn, keep=kept.append)
        return output, page_starts(kept[0]) if need_page_starts else None
    if warn is not None:
        for finding in pdf.findings_from_problems(book, edition, result.problems):
            warn(finding)
    return Output(edition.name, "pdf", variant, target, pages=result.pages), result.page_starts


def print_page_starts(book, edition, jobs: int | None = None) -> list:
    """Where each page of the print edition begins (for the EPUB page list), from the cached
    part layouts when there are any; nothing is written."""
    from ..pagemap import page_starts
    from . import pdf
    try:
        options = {"pdf_identifier": pdf.pdf_identifier(book, edition, "print").encode()}
        return render_parts(book, pdf.edition_html(book, edition), None, "print", options,
                            _resources_key(book, "print"), jobs).page_starts
    except CannotSplit:
        return page_starts(pdf.layout(book, edition, "print"))


def _resources_key(book, variant: str) -> str:
    """What a part's pages depend on besides its HTML: the page set-up and the book's other
    files (images, fonts); chapter texts are in the HTML already."""
    from . import pdf
    from ..cache import fingerprint_bytes, input_files
    parts = [repr(pdf.page_setup(book, variant))]
    inside = os.path.realpath(book.root)
    for path in input_files(book.root):
        if path.suffix != ".md":        # (a FIFO or a link out is not read: fingerprint_bytes)
            parts += [path.relative_to(book.root).as_posix(), fingerprint_bytes(path, inside)]
    return digest(*parts)


# ---------------------------------------------------------------- the merge


class Merger:
    """The edition's PDF, merged as its parts come: render_parts offers each body part as
    soon as it is laid out (between layouts), so that when the last one is done only the
    front matter, the fonts and the writing are left.

    The first body part is the base: its catalog keeps the document's metadata, language,
    viewer preferences and PDF/UA marks (every part has the same ones: the same <head>).
    The next body parts are appended in order, the front matter goes before them at the end.
    For the pages of every part: named destinations (the body's win over the front matter's,
    later parts' over earlier ones'), cross-part links (ikidil-part:<id> → the named
    destination <id>), the outline (rebuilt from each part's bookmarks) and, when tagged,
    the structure tree. The merged document stays in memory until it is written: a PDF
    saved and opened again would have to be parsed whole before pages could be added."""

    def __init__(self, tagged: bool):
        self.tagged = tagged
        self.sources: list = []              # open while the merge is: their streams are read at the save
        self.subsets: dict[str, dict[bytes, bytes]] = {}    # face → its parts' distinct subsets
        self.waiting: dict[int, tuple[bytes, int]] = {}
        self.next = 1                        # the body part to append next
        self.out = None
        self.struct = None
        self.dropped: list = []              # the base's pages after its own
        self.outlines: list[tuple[list, int]] = []   # per part in page order: (outline items, page offset)
        self.dests: dict = {}

    def offer(self, index: int, data: bytes, own: int) -> None:
        """Body part `index` (1: the first), in any order: appended once those before it are."""
        self.waiting[index] = (data, own)
        while self.next in self.waiting:
            self._join(*self.waiting.pop(self.next))
            self.next += 1

    def _join(self, data: bytes, own: int, before: bool = False) -> None:
        """Add a part's first `own` pages after the merged ones, or `before` them."""
        import pikepdf
        pdf = pikepdf.open(io.BytesIO(data))
        self.sources.append(pdf)
        kept = list(pdf.pages)[:own]
        for descriptor in _font_descriptors(kept):          # while these pages are its own
            font = descriptor.FontFile3.read_bytes()
            self.subsets.setdefault(str(descriptor.FontName), {})[hashlib.sha256(font).digest()] = font
        part_struct = _StructMerge(pdf) if self.tagged and "/StructTreeRoot" in pdf.Root else None
        if part_struct:
            part_struct.forget_pages(pdf, list(pdf.pages)[own:])
        if self.out is None:
            self.out, self.struct, self.dropped = pdf, part_struct, list(pdf.pages)[own:]
            copied, offset = [page.obj for page in kept], 0
        elif before:
            for i, page in enumerate(kept):
                self.out.pages.insert(i, page)
            copied, offset = [self.out.pages[i].obj for i in range(own)], 0
            self.outlines = [(items, shifted + own) for items, shifted in self.outlines]
        else:
            offset = len(self.out.pages) - len(self.dropped)
            self.out.pages.extend(kept)
            copied = [self.out.pages[len(self.out.pages) - own + i].obj for i in range(own)]
        if self.struct and part_struct and pdf is not self.out:
            self.struct.append(part_struct, copied, before)
        with pdf.open_outline() as outline:
            self.outlines.insert(0 if before else len(self.outlines), (_outline_tree(pdf, outline.root, own), offset))
        dests = {}
        for name, dest in _name_tree_items(pdf.Root.get("/Names", {}).get("/Dests", {})):
            index = _page_index(pdf, dest[0])
            if index is not None and index < own:
                dests[name] = pikepdf.Array([copied[index], *list(dest)[1:]])
        self.dests = {**dests, **self.dests} if before else {**self.dests, **dests}

    def finish(self, front: bytes, front_own: int, target: Path, offload=None) -> None:
        """Put the front matter before the body, share the fonts, write `target`."""
        import pikepdf
        from ..outputs import atomic_path
        if self.waiting:
            raise ValueError(f"body parts missing before part {min(self.waiting)}")
        self._join(front, front_own, before=True)
        out = self.out
        unions = _start_font_unions(self.subsets, offload)
        for page in self.dropped:            # the base's (its structure forgot them in _join)
            out.pages.remove(page)
        for page in out.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                if action is not None and str(action.get("/URI", "")).startswith(PART_SCHEME):
                    name = str(action.URI)[len(PART_SCHEME):]
                    del annot["/A"]
                    annot.Dest = pikepdf.String(name)
        names = pikepdf.Array()
        for name in sorted(self.dests, key=lambda n: n.encode("utf-8")):
            names.append(pikepdf.String(name))
            names.append(self.dests[name])
        out.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=names))
        if self.struct:
            self.struct.finish()
        with out.open_outline() as outline:
            outline.root.clear()
            for items, offset in self.outlines:
                outline.root.extend(_outline_items(out, items, offset))
        _share_fonts(out, unions)
        with atomic_path(target) as tmp:
            # deterministic_id: the /ID's second half from the content, not at random (qpdf's
            # default); the first half stays the edition's identifier. Saved to memory, then
            # written by Python: qpdf writing a file that fails (a full disk) aborts the whole
            # process from C++ (exit 134, workers and staging left behind); Python's write
            # raises an OSError, a clear error.
            saved = io.BytesIO()
            out.save(saved, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                     deterministic_id=True)
            tmp.write_bytes(saved.getbuffer())
        if not lifetime.done_with(self.sources):
            for pdf in self.sources:
                pdf.close()


def _start_font_unions(subsets: dict[str, dict[bytes, bytes]], offload=None) -> dict:
    """Face name → a Future of the union of its distinct subsets (see _share_fonts),
    computed by `offload` (a pool's submit: another process, while the merge goes on) or
    here, when asked for."""
    from concurrent.futures import Future
    unions = {}
    for face, distinct in subsets.items():
        if len(distinct) < 2:
            continue
        if offload is not None:
            unions[face] = offload(_union_of_subsets, list(distinct.values()))
        else:
            unions[face] = Future()
            unions[face].set_result(_union_of_subsets(list(distinct.values())))
    return unions


def _font_descriptors(pages):
    """The descriptors of the embedded CFF (FontFile3) Type 0 fonts the pages use, once each."""
    seen = set()
    for page in pages:
        for _, font in page.obj.get("/Resources", {}).get("/Font", {}).items():
            if font.objgen in seen or font.get("/Subtype") != "/Type0":
                continue
            seen.add(font.objgen)
            descriptor = font.DescendantFonts[0].get("/FontDescriptor")
            if descriptor is not None and "/FontFile3" in descriptor:
                yield descriptor


def _share_fonts(pdf, unions: dict) -> None:
    """One embedded font per face instead of one subset per part.

    WeasyPrint subsets each part's fonts keeping the original glyph ids (retain_gids,
    CIDToGIDMap /Identity) and without subroutines (desubroutinize), so the subsets of a
    face differ only in which glyphs are filled in: their union is the subset with the
    most glyph slots, its empty slots filled from the others. Every part's font dictionary
    then points at that one stream. A face whose subsets cannot be joined keeps them."""
    import pikepdf
    faces: dict[str, list] = {}
    for descriptor in _font_descriptors(pdf.pages):
        faces.setdefault(str(descriptor.FontName), []).append(descriptor)
    for face, descriptors in faces.items():
        data = unions[face].result() if face in unions else None
        if data is None:
            continue
        shared = pdf.make_stream(data, Subtype=pikepdf.Name.OpenType)
        for descriptor in descriptors:
            descriptor.FontFile3 = shared


def _union_of_subsets(subsets: list[bytes]) -> bytes | None:
    from fontTools.ttLib import TTFont
    try:
        # recalcTimestamp=False: fontTools would stamp the union's `head` with the time of
        # the merge, and the same parts would give a different book every second.
        # recalcBBoxes=False: the subsets carry the whole font's bounding boxes (HarfBuzz
        # keeps them), as the single document's subset does; recomputing them from the
        # union's glyphs would draw every glyph (half the union's time) to make them differ.
        fonts = [TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False) for data in subsets]
        if any("CFF " not in font for font in fonts):
            return None
        fonts.sort(key=lambda font: -len(font.getGlyphOrder()))
        base = fonts[0]
        order = base.getGlyphOrder()
        target = base["CFF "].cff.topDictIndex[0].CharStrings
        lengths = _charstring_lengths(target)
        for other in fonts[1:]:
            other_order = other.getGlyphOrder()
            if other_order != order[:len(other_order)]:
                return None                       # not subsets of the same font
            source = other["CFF "].cff.topDictIndex[0].CharStrings
            # Decompiling thousands of glyphs per part costs seconds: the charstrings'
            # lengths (from the CFF index) tell which slots only the other subset fills,
            # and only those are read and copied (desubroutinized charstrings stand alone).
            for gid, theirs in enumerate(_charstring_lengths(source)):
                if theirs <= BLANK_MAX or lengths[gid] > BLANK_MAX:
                    continue
                name = other_order[gid]
                glyph, candidate = target[name], _bytecode(source[name])
                if _blank(_bytecode(glyph)) and not _blank(candidate):
                    glyph.bytecode, glyph.program = candidate, None
                    lengths[gid] = len(candidate)
        out = io.BytesIO()
        base.save(out)
        return out.getvalue()
    except Exception:                              # a font fontTools cannot rewrite: keep the subsets
        log.debug("fonts of the parts kept apart", exc_info=True)
        return None


def _charstring_lengths(charstrings) -> list[int]:
    offsets = charstrings.charStringsIndex.offsets
    return [end - start for start, end in zip(offsets, offsets[1:])]


def _bytecode(charstring) -> bytes:
    if getattr(charstring, "bytecode", None) is None:
        charstring.compile()
    return charstring.bytecode


def _blank(bytecode: bytes) -> bool:
    """A glyph slot the subsetter emptied: `endchar`, perhaps after a width (one number,
    at most 5 bytes in Type 2 encoding)."""
    return len(bytecode) <= BLANK_MAX and bytecode.endswith(b"\x0e")


BLANK_MAX = 6


def _name_tree_items(node):
    """(name, destination) of a PDF name tree, flat or with kids."""
    for i in range(0, len(node.get("/Names", [])), 2):
        yield str(node.Names[i]), node.Names[i + 1]
    for kid in node.get("/Kids", []):
        yield from _name_tree_items(kid)


def _page_index(pdf, page_obj) -> int | None:
    try:
        return pdf.pages.index(page_obj)
    except ValueError:
        return None


def _outline_tree(pdf, items, own: int) -> list:
    """[(title, page index in the part, top, children)] of a part's outline."""
    out = []
    for item in items:
        dest = item.destination
        index = _page_index(pdf, dest[0]) if dest is not None and len(dest) else None
        if index is None or index >= own:
            continue
        top = float(dest[3]) if len(dest) > 3 and dest[1] == "/XYZ" else None
        out.append((item.title, index, top, _outline_tree(pdf, item.children, own)))
    return out


def _outline_items(pdf, items, offset: int) -> list:
    import pikepdf
    result = []
    for title, index, top, children in items:
        dest = pikepdf.make_page_destination(pdf, index + offset, "XYZ", top=top) if top is not None \
            else pikepdf.make_page_destination(pdf, index + offset)
        item = pikepdf.OutlineItem(title, dest)
        item.children.extend(_outline_items(pdf, children, offset))
        result.append(item)
    return result


class _StructMerge:
    """The tagged structure of one part, and how it joins the merged document's.

    WeasyPrint writes StructTreeRoot /K [Document element], a flat /ParentTree /Nums of
    keys 0…n (each page's /StructParents and each annotation's /StructParent). A part's
    top-level elements move under the base's Document element; its keys are shifted past
    the base's; elements only on dropped pages are removed."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        import pikepdf
        kids = self.root.K
        self.document = kids[0] if isinstance(kids, pikepdf.Array) else kids
        nums = self.root.ParentTree.get("/Nums", [])
        self.nums = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        self.next_key = 1 + max(self.nums, default=-1)
        self.joined_before = 0               # top-level elements of parts joined before it

    def forget_pages(self, pdf, pages) -> None:
        gone = {page.obj.objgen for page in pages}
        for page in pages:
            key = page.obj.get("/StructParents")
            if key is not None:
                self.nums.pop(int(key), None)
            for annot in page.obj.get("/Annots", []):
                if annot.get("/StructParent") is not None:
                    self.nums.pop(int(annot.StructParent), None)
        _prune(self.document, gone)

    def append(self, part: "_StructMerge", copied_pages: list, before: bool = False) -> None:
        """Join a part's structure: after what is there, or `before` it (after the parts
        joined before it so far)."""
        import pikepdf
        shift = self.next_key
        for page in copied_pages:
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + shift
            for annot in page.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + shift
        # One copy_foreign for all of the part's parent tree and top-level elements: qpdf
        # walks the objects in C++ (item by item from Python, it cost ~0.15 s a book).
        keys, part_kids = list(part.nums), _as_list(part.document.get("/K"))
        bundle = part.pdf.make_indirect(pikepdf.Array([*part.nums.values(), *part_kids]))
        copied = list(self.pdf.copy_foreign(bundle))
        for key, value in zip(keys, copied):
            self.nums[key + shift] = value
        self.next_key = shift + part.next_key
        kids = self.document.get("/K")
        if kids is None:
            kids = self.document.K = pikepdf.Array()
        elif not isinstance(kids, pikepdf.Array):
            kids = self.document.K = pikepdf.Array([kids])
        for kid in copied[len(keys):]:
            if isinstance(kid, pikepdf.Dictionary) and "/P" in kid:
                kid.P = self.document
            if before:
                kids.insert(self.joined_before, kid)
                self.joined_before += 1
            else:
                kids.append(kid)

    def finish(self) -> None:
        import pikepdf
        nums = pikepdf.Array()
        for key in sorted(self.nums):
            nums.append(key)
            nums.append(self.nums[key])
        self.root.ParentTree = self.pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = self.next_key


def _as_list(value) -> list:
    import pikepdf
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _prune(element, gone: set) -> bool:
    """Remove from `element` the kids that lie only on dropped pages; True when nothing is left.

    The dropped pages are a part's last ones, and the structure tree is in reading order:
    only a tail of each element's kids can lie on them, so the walk goes from the last kid
    back and stops at the first one that stays (walking whole trees cost ~0.3 s a book)."""
    import pikepdf
    if not isinstance(element, pikepdf.Dictionary):
        return False                                        # a bare MCID: on the element's /Pg
    page = element.get("/Pg")
    kids = _as_list(element.get("/K"))
    if not kids:
        return page is not None and page.objgen in gone
    keep = len(kids)
    while keep:
        kid = kids[keep - 1]
        if isinstance(kid, pikepdf.Dictionary):
            if not _prune(kid, gone):
                break
        elif page is None or page.objgen not in gone:       # an MCID on a kept page
            break
        keep -= 1
    if keep != len(kids):
        element.K = pikepdf.Array(kids[:keep])
    return keep == 0
