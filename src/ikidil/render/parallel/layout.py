"""An edition's PDF part by part: which parts the cache has, which to lay out (and in what
order, so the front matter's contents get their page numbers in the same run), the merge
as they come; and the build's entry points."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from ...cache import Cache, digest, tool_versions
from .jobs import Job, Laid
from .merge import Merger
from .pool import LayoutPool
from .facing import FacingSide
from .split import CannotSplit, Part, counters_css, split_parts

log = logging.getLogger("ikidil")

@dataclass
class ParallelResult:
    pages: int
    problems: list
    page_starts: list
    parts_laid_out: int


def render_parts(book, document_html: str, target: Path | None, variant: str, pdf_options: dict,
                 css_key: str, jobs: int | None = None, pool: "LayoutPool | None" = None,
                 facing: dict[str, str] | None = None) -> ParallelResult:
    """Lay out an edition document part by part (cached, in parallel) and write the merged
    PDF to `target` (None: only lay out, e.g. for the EPUB page list). `facing`: the
    bilingual edition in facing pages, {role: language} (facing.py)."""
    parts, front_html = split_parts(document_html)
    cache = Cache(book.root)
    versions = tool_versions()
    variant_key = digest(versions, css_key, variant, repr(sorted(pdf_options.items())), repr(facing))

    def extra_css(part: Part) -> str:
        return "" if facing else counters_css(part.notes_before)

    def sides(part: Part) -> tuple | None:
        """A facing body part's sides; each counts its own language's notes."""
        if not facing or part.index == 0:
            return None
        return tuple(FacingSide(role, lang, part.notes_before.get(f"note-{role}", 0)) for role, lang in facing.items())

    def drop_tail(part: Part) -> int:
        return 0 if sides(part) else part.drop_tail     # a facing part lays out without the next's opening

    probe_html, probe_css = front_html({})
    layout_keys = [digest(variant_key, probe_html, probe_css)] + \
                  [digest(variant_key, p.html, extra_css(p), repr(sides(p))) for p in parts[1:]]
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
            return Job(i, parts[i].html, extra_css(parts[i]), drop_tail(parts[i]), True, pdf_options, stub, variant,
                       want_pdf, facing=sides(parts[i]))

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
    # Facing pages: the front matter ends on a recto (odd), every part fills whole spreads;
    # a last blank page makes the book's page count even (its last leaf).
    blank_end = bool(facing) and total % 2 == 1
    total += blank_end
    if target is not None:
        # The build's pool workers are idle by now: they join the fonts while this merges.
        offload = pool.pool.submit if pool is not None and pool.pool is not None else None
        merger.finish(laid[0].pdf, laid[0].pages, target, offload, blank_end=blank_end)
    problems = [p for i in range(len(parts)) for p in laid[i].problems]
    page_starts = [s for i in range(len(parts)) for s in laid[i].page_starts]
    return ParallelResult(total, problems, page_starts, laid_out)


def _laid_to_json(laid: Laid) -> dict:
    return {"pages": laid.pages, "start": laid.start, "anchors": laid.anchors,
            "problems": [[p.kind, p.page, p.block, p.detail] for p in laid.problems],
            "page_starts": [[s.page, s.section, s.offset, s.lang] for s in laid.page_starts]}


def _laid_from_json(data: dict, pdf: bytes) -> Laid:
    from ...pagemap import PageStart
    from ..pdf_guards import LayoutProblem
    return Laid(pdf, data["pages"], data["start"], data["anchors"],
                [LayoutProblem(*p) for p in data["problems"]], [PageStart(*s) for s in data["page_starts"]])


def render_pdf_parallel(book, edition, target: Path | None, variant: str = "digital",
                        jobs: int | None = None, pool: LayoutPool | None = None) -> ParallelResult:
    """render/pdf.render_pdf, part by part. Raises CannotSplit for editions it cannot lay
    out this way (the caller then uses render_pdf)."""
    from .. import pdf
    options = {"pdf_variant": "pdf/ua-1"} if variant == "digital" else {}
    options["pdf_identifier"] = pdf.pdf_identifier(book, edition, variant).encode()
    facing = facing_roles(book, edition)
    return render_parts(book, pdf.edition_html(book, edition, "facing" if facing else None), target, variant,
                        options, _resources_key(book, variant), jobs, pool, facing)


def facing_roles(book, edition) -> dict[str, str] | None:
    """{role: language} when the edition is laid out in facing pages (the bilingual edition
    of a two-language book under `bilingual_layout: facing`), else None."""
    if edition.name != "bilingual" or book.config.bilingual_layout != "facing" or len(edition.languages) != 2:
        return None
    return dict(zip(("source", "translation"), edition.languages))


def render_pdf_fast(book, edition, target: Path, variant: str, warn=None, jobs: int | None = None,
                    need_page_starts: bool = False, pool: LayoutPool | None = None):
    """The build's PDF entry point: part by part when the edition allows it, else one
    WeasyPrint document (render/pdf.render_pdf). Returns (Output, page starts or None)."""
    from .. import pdf
    from ...outputs import Output
    from ...pagemap import page_starts
    try:
        result = render_pdf_parallel(book, edition, target, variant, jobs, pool)
    except CannotSplit as why:
        if facing_roles(book, edition):
            log.warning("%s PDF laid out in columns, as one document: %s", edition.name, why)
        else:
            log.info("%s PDF laid out as one document: %s", edition.name, why)
        kept = []
        output = pdf.render_pdf(book, edition, target, variant, warn=warn, keep=kept.append)
        # (laid out in columns, its pages are no single language's: the bilingual EPUB gets
        # no page list from them, see pagemap)
        return output, page_starts(kept[0]) if need_page_starts and not facing_roles(book, edition) else None
    if warn is not None:
        for finding in pdf.findings_from_problems(book, edition, result.problems):
            warn(finding)
    return Output(edition.name, "pdf", variant, target, pages=result.pages), result.page_starts


def print_page_starts(book, edition, jobs: int | None = None) -> list:
    """Where each page of the print edition begins (for the EPUB page list), from the cached
    part layouts when there are any; nothing is written."""
    from ...pagemap import page_starts
    from .. import pdf
    try:
        options = {"pdf_identifier": pdf.pdf_identifier(book, edition, "print").encode()}
        return render_parts(book, pdf.edition_html(book, edition), None, "print", options,
                            _resources_key(book, "print"), jobs).page_starts
    except CannotSplit:
        return page_starts(pdf.layout(book, edition, "print"))


def _resources_key(book, variant: str) -> str:
    """What a part's pages depend on besides its HTML: the page set-up and the book's other
    files (images, fonts); chapter texts are in the HTML already."""
    from .. import pdf
    from ...cache import fingerprint_bytes, input_files
    parts = [repr(pdf.page_setup(book, variant))]
    inside = os.path.realpath(book.root)
    for path in input_files(book.root):
        if path.suffix != ".md":        # (a FIFO or a link out is not read: fingerprint_bytes)
            parts += [path.relative_to(book.root).as_posix(), fingerprint_bytes(path, inside)]
    return digest(*parts)
