"""The pipeline, one direction: load → check → transform → render, and the manifest."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import lifetime
from .checks import run_checks
from .cache import Cache, book_fingerprint
from .checks.base import Finding, Report
from .errors import BookError, ChecksFailed
from .load import Book, load_book, load_languages
from .outputs import Output, Staging
from .render.epub import render_epub
from .pagemap import add_page_list
from .render.pdf import VARIANTS, pdf_identifier
from .interleave import bilingual_edition
from .render.parallel import LayoutPool, render_pdf_fast
from .render.parallel.layout import facing_roles
from .render.press import finish_print
from .transform import Edition, monolingual_edition

FORMATS = ("epub", "pdf")


@dataclass
class BuildOptions:
    editions: tuple[str, ...] | None = None        # None: every edition of the book
    formats: tuple[str, ...] = FORMATS
    pdf_variants: tuple[str, ...] = VARIANTS
    build_dir: Path | None = None                  # default: <book>/build
    jobs: int | None = None                        # parallel chapter parsing and PDF layout; None: one per core


@dataclass
class BuildResult:
    outputs: list[Output] = field(default_factory=list)
    report: Report | None = None
    manifest: Path | None = None


Progress = Callable[[str], None]


def book_slug(book: Book) -> str:
    """File-name stem for outputs: the source title, folded to ASCII."""
    title = book.config.title_in(book.config.language)
    folded = unicodedata.normalize("NFKD", title.replace("ı", "i").replace("İ", "I"))
    ascii_title = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60] or "book"


def editions_of(book: Book) -> tuple[str, ...]:
    return editions_of_config(book.config)


def editions_of_config(config) -> tuple[str, ...]:
    """Every edition of a book: one per language, then the bilingual one."""
    return (*config.languages, "bilingual")


def make_edition(book: Book, name: str) -> Edition:
    if name in book.config.languages:
        return monolingual_edition(book, name)
    if name == "bilingual":
        return bilingual_edition(book)
    raise BookError(f"unknown edition '{name}'", hint=f"choose from {', '.join(editions_of(book))}")


def output_path(build_dir: Path, slug: str, edition: str, fmt: str, variant: str | None) -> Path:
    suffix = f".{variant}" if variant == "print" else ""
    return build_dir / f"{slug}.{edition}{suffix}.{fmt}"


def stop_on_errors(report: Report) -> None:
    """Stop the build on error findings. book.yaml's policy decides how severe stale and
    missing translation is (the checks report it as an error only under `error`)."""
    if report.errors:
        first = report.errors[0]
        more = f" (and {len(report.errors) - 1} more: run ikidil check)" if len(report.errors) > 1 else ""
        raise ChecksFailed(f"{first.code} {first.message}{more}", file=first.file, line=first.line)


def build(root: Path, options: BuildOptions | None = None, progress: Progress = lambda _: None) -> BuildResult:
    options = options or BuildOptions()
    # Nothing changed since the last build (inputs, options, tool versions) and its outputs
    # are untouched: return that build's result before loading anything.
    fingerprint = book_fingerprint(Path(root).resolve(), _options_key(options), options.build_dir)
    cache = Cache(Path(root).resolve())
    if (last := cache.last_build(fingerprint)) is not None:
        progress("up to date")
        return _result_from_record(last)
    with LayoutPool(options.jobs) as pool:
        if "pdf" in options.formats:
            pool.start()        # the layout workers start up while the book loads
        return _build(root, options, progress, fingerprint, cache, pool)


def _build(root: Path, options: BuildOptions, progress: Progress, fingerprint: str, cache: Cache,
           pool) -> BuildResult:
    progress("load")
    # The languages the editions need are loaded first; the others (a Turkish edition does
    # not need the translation) load on the checks' thread while the rendering starts.
    book = load_book(root, jobs=options.jobs, languages=_languages_needed(options))
    progress("check")
    # The checks run on a thread beside the rendering: they are pure Python, and the
    # rendering spends much of its time waiting for Pandoc and the layout workers. The
    # outputs are staged and put in place only once the checks have passed; a check error
    # (or a chapter that fails to load there) stops the build as soon as it is known, and
    # is the error reported even when the rendering failed too, as if it had come first.
    with ThreadPoolExecutor(1, thread_name_prefix="ikidil-check") as checker:
        checking = checker.submit(_in_background, lambda: run_checks(load_languages(book, book.config.languages,
                                                                                    options.jobs)))
        pool.join_after(checking)
        try:
            return _render(book, options, progress, checking, fingerprint, cache, pool)
        except Exception:
            report = _report_unless_failed(checking)
            if report is not None:
                stop_on_errors(report)
            raise


def _in_background(work: Callable):
    """Run `work` at a lower CPU priority (this thread and the Pandoc processes it starts):
    on a busy machine the rendering, which the build waits for, goes first."""
    with contextlib.suppress(AttributeError, OSError):        # Linux: nice is per thread
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
    return work()


BACKGROUND_NICENESS = 10


def _languages_needed(options: BuildOptions) -> tuple[str, ...] | None:
    """The languages the requested editions are in, besides the source (None: all)."""
    if options.editions is None or "bilingual" in options.editions:
        return None
    return tuple(options.editions)


def _report_unless_failed(checking: Future) -> Report | None:
    """The checks' report; a BookError of theirs (a translation chapter that does not load)
    is raised; None when they failed otherwise (the rendering's error is then the one)."""
    try:
        return checking.result()
    except BookError:
        raise
    except Exception:
        return None


def _languages_of(book: Book, editions) -> list[str]:
    return [lang for lang in book.config.languages if lang in editions or "bilingual" in editions]


def _render(book: Book, options: BuildOptions, progress: Progress, checking: Future,
            fingerprint: str, cache: Cache, pool: LayoutPool) -> BuildResult:
    from .policy import apply_policy
    from .render.glyphs import missing_glyphs
    # Under policy `mark` the gaps are filled with the flagged source blocks (policy.py);
    # that concerns only editions in a translation (a source-only build loads no other).
    built = apply_policy(book) if len(book.chapters) > 1 else book
    build_dir = options.build_dir or book.root / "build"
    slug = book_slug(book)
    layout_findings: list[Finding] = []
    outputs: list[Output] = []
    with Staging(build_dir) as staging:
        for name in options.editions or editions_of(book):
            if checking.done():
                stop_on_errors(checking.result())
            progress(f"transform {name}")
            edition = make_edition(built, name)
            # PDFs first: the print layout of a language gives that language's EPUB its
            # printed page numbers (pagemap), so it must exist before the EPUB is finished.
            print_starts = None
            if "pdf" in options.formats:
                for variant in options.pdf_variants:
                    progress(f"pdf {name} {variant}")
                    target = staging.path(output_path(build_dir, slug, name, "pdf", variant))
                    # Part by part, in parallel and cached (render/parallel/); one document if it cannot.
                    output, starts = render_pdf_fast(built, edition, target, variant, jobs=options.jobs,
                                                     warn=layout_findings.append if variant == options.pdf_variants[0] else None,
                                                     need_page_starts=variant == "print", pool=pool)
                    if variant == "print":
                        finish_print(built, edition, target)     # PDF/X-4, marks, profile (render/press.py)
                    outputs.append(output)
                    print_starts = starts if variant == "print" else print_starts
            if "epub" in options.formats:
                progress(f"epub {name}")
                epub = render_epub(built, edition, staging.path(output_path(build_dir, slug, name, "epub", None)))
                facing = name == "bilingual" and facing_roles(built, edition) is not None
                if (name in book.config.languages or facing) and print_starts is not None:
                    # The printed page list comes from the print PDF built in this run: an
                    # EPUB-only build does not pay for a print layout (and carries no page list).
                    # The bilingual EPUB's from the facing PDF, page by page in its language
                    # (pagemap); in columns a page holds both languages: none.
                    add_page_list(epub.path, print_starts, pdf_identifier(built, edition, "print"),
                                  by_language=facing)
                outputs.append(epub)
        if "pdf" in options.formats:
            layout_findings.extend(missing_glyphs(built, _languages_of(book, options.editions or editions_of(book))))
        report = checking.result()
        stop_on_errors(report)
        report.findings.extend(layout_findings)
        placed, manifest = staging.commit(outputs, book.root)
        result = BuildResult(placed, report, manifest)
    cache.record_build(fingerprint, [_output_record(o) for o in result.outputs],
                       [f.as_record() for f in report.warnings], result.manifest)
    cache.prune()
    lifetime.done_with(book, built, edition)      # their ASTs: see lifetime.py
    return result


def _options_key(options: BuildOptions) -> str:
    """What the options change in the outputs (jobs does not)."""
    return repr((options.editions, options.formats, options.pdf_variants,
                 str(options.build_dir.resolve()) if options.build_dir else None))


def _output_record(output: Output) -> dict:
    return {"edition": output.edition, "format": output.format, "variant": output.variant,
            "path": str(output.path), "pages": output.pages}


def _result_from_record(record: dict) -> BuildResult:
    """The result of an up-to-date build, as the last real build reported it."""
    outputs = [Output(o["edition"], o["format"], o["variant"], Path(o["path"]), o["pages"])
               for o in record["outputs"]]
    findings = [Finding.from_record(f) for f in record["findings"]]
    manifest = Path(record["manifest"]) if record.get("manifest") else None
    return BuildResult(outputs, Report(findings=findings), manifest)
