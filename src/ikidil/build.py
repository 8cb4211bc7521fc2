"""The pipeline, one direction: load → check → transform → render, and the manifest."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .checks import run_checks
from .checks.base import Report
from .errors import BookError
from .load import Book, load_book
from .outputs import Output, write_manifest
from .render.epub import render_epub
from .render.pdf import VARIANTS, render_pdf
from .interleave import bilingual_edition
from .transform import Edition, monolingual_edition

FORMATS = ("epub", "pdf")


@dataclass
class BuildOptions:
    editions: tuple[str, ...] | None = None        # None: every edition of the book
    formats: tuple[str, ...] = FORMATS
    pdf_variants: tuple[str, ...] = VARIANTS
    build_dir: Path | None = None                  # default: <book>/build


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
    return (*book.config.languages, "bilingual")


def make_edition(book: Book, name: str) -> Edition:
    if name in book.config.languages:
        return monolingual_edition(book, name)
    if name == "bilingual":
        return bilingual_edition(book)
    raise BookError(f"unknown edition '{name}'", hint=f"choose from {', '.join(editions_of(book))}")


def output_path(build_dir: Path, slug: str, edition: str, fmt: str, variant: str | None) -> Path:
    suffix = f".{variant}" if variant == "print" else ""
    return build_dir / f"{slug}.{edition}{suffix}.{fmt}"


def enforce_policy(book: Book, report: Report) -> None:
    """Stop the build on error findings (the book.yaml policy may relax translation gaps)."""
    if report.errors:
        first = report.errors[0]
        more = f" (and {len(report.errors) - 1} more: run ikidil check)" if len(report.errors) > 1 else ""
        raise BookError(f"{first.code} {first.message}{more}", file=first.file, line=first.line)


def build(root: Path, options: BuildOptions | None = None, progress: Progress = lambda _: None) -> BuildResult:
    options = options or BuildOptions()
    progress("load")
    book = load_book(root)
    progress("check")
    report = run_checks(book)
    enforce_policy(book, report)
    build_dir = options.build_dir or book.root / "build"
    slug = book_slug(book)
    result = BuildResult(report=report)
    for name in options.editions or editions_of(book):
        progress(f"transform {name}")
        edition = make_edition(book, name)
        if "epub" in options.formats:
            progress(f"epub {name}")
            result.outputs.append(render_epub(book, edition, output_path(build_dir, slug, name, "epub", None)))
        if "pdf" in options.formats:
            for variant in options.pdf_variants:
                progress(f"pdf {name} {variant}")
                target = output_path(build_dir, slug, name, "pdf", variant)
                result.outputs.append(render_pdf(book, edition, target, variant))
    result.manifest = write_manifest(result.outputs, book.root, build_dir)
    return result
