"""The command line: thin click commands over the library. User errors (BookError)
print as one line and exit 2 (a build stopped by check errors: 1, as `check`);
tracebacks only with --debug."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from . import __version__, interrupt, lifetime
from .errors import BookError

EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
INTERRUPTED = "interrupted; outputs from before are untouched"


class State:
    def __init__(self, book: Path, debug: bool, quiet: bool, verbose: bool):
        self.book, self.debug, self.quiet, self.verbose = book, debug, quiet, verbose

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ikidil")
@click.option("--book", "-C", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="The book's folder (the one holding book.yaml).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, help="Print each stage as it runs.")
@click.pass_context
def cli(ctx, book, debug, quiet, verbose):
    """ikidil — build bilingual books: EPUB and print-ready PDF."""
    ctx.obj = State(book, debug, quiet, verbose)
    _setup_logging(quiet, verbose)


def _setup_logging(quiet: bool, verbose: bool) -> None:
    """Warnings from the library (raw HTML removed, …) go to stderr as they come;
    --verbose adds progress notes (large chapters), --quiet keeps only errors."""
    import logging
    logger = logging.getLogger("ikidil")
    logger.handlers[:] = []
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


@cli.command()
@click.option("--edition", "-e", "editions", multiple=True, help="Edition to build (tr, en, …); default all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(["epub", "pdf"]),
              help="Format to build; default both.")
@click.option("--pdf-variant", "variants", multiple=True, type=click.Choice(["digital", "print"]),
              help="PDF variant: digital (tagged PDF/UA-1, links) or print (bleed, crop marks); default both.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for parsing and PDF layout; default: one per core.")
@click.pass_obj
def build(state: State, editions, formats, variants, jobs):
    """Build every edition into build/ and write build/manifest.json."""
    from .build import FORMATS, BuildOptions, build as run_build
    from .render.pdf import VARIANTS
    options = BuildOptions(editions=tuple(editions) or None, formats=tuple(formats) or FORMATS,
                           pdf_variants=tuple(variants) or VARIANTS, jobs=jobs)
    with _progress(state, options) as progress:
        result = run_build(state.book, options, progress)
    for warning in result.report.warnings:
        click.echo(f"{warning.location()}: warning {warning.code}: {warning.message}", err=True)
    for output in result.outputs:
        pages = f", {output.pages} pages" if output.pages else ""
        state.say(f"wrote {output.path.relative_to(Path.cwd()) if output.path.is_relative_to(Path.cwd()) else output.path}{pages}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--outputs", is_flag=True,
              help="Also validate the built EPUBs (build/manifest.json) with EPUBCheck and DAISY Ace.")
@click.option("--ignore", "ignore", multiple=True, metavar="CODE",
              help="Do not run this rule (repeatable; book.yaml `checks:` does it for good).")
@click.pass_obj
def check(state: State, fmt, outputs, ignore):
    """Check alignment and translation; exit 1 on errors."""
    from .checks import run_checks
    from .load import load_book
    codes = [c for value in ignore for c in value.split(",") if c.strip()]
    report = run_checks(load_book(state.book), ignore=codes)
    verdicts = []
    if outputs:
        from .validate import built_epubs, validate_epubs
        verdicts = validate_epubs(built_epubs(state.book))
    if fmt == "json":
        click.echo(json.dumps({"findings": [f.as_dict() for f in report.findings],
                               "errors": len(report.errors), "warnings": len(report.warnings),
                               "accepted": len(report.accepted),
                               "outputs": [{"tool": v.tool, "path": str(v.path), "ok": v.ok, "errors": v.errors,
                                            "warnings": v.warnings} for v in verdicts]},
                              ensure_ascii=False, indent=2))
    else:
        from .checks.output import print_findings
        print_findings([f for f in report.findings if f.accepted is None])
        for v in verdicts:
            verdict = click.style("ok", fg="green") if v.ok else click.style(
                f"{len(v.errors)} error(s), {len(v.warnings)} warning(s)", fg="red")
            click.echo(f"{v.path.name}: {v.tool}: {verdict}")
            for message in v.errors + v.warnings:
                click.echo(f"  {message}")
        if not state.quiet:
            accepted = f", {len(report.accepted)} accepted" if report.accepted else ""
            click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s){accepted}", err=True)
    if report.errors or not all(v.ok for v in verdicts):
        sys.exit(EXIT_FINDINGS)


@cli.command()
@click.argument("location")
@click.argument("code")
@click.option("--reason", "-r", required=True, help="Why the finding is right as it is (kept with the book).")
@click.pass_obj
def accept(state: State, location, code, reason):
    """Accept the finding CODE at LOCATION (FILE:LINE, as `ikidil check` prints it) for a reason."""
    from .checks import run_checks
    from .checks.accept import accept as accept_finding
    from .checks.silence import known_code
    from .load import load_book
    code = known_code(code.strip().upper(), "accept")
    book = load_book(state.book)
    path, count = accept_finding(book, run_checks(book).findings, location, code, reason)
    state.say(f"accepted {count} {code} finding(s) in {_shown(path)}")


@cli.command()
@click.argument("chapter", required=False)
@click.option("--accept", is_flag=True,
              help="Record the current source of the translated blocks (of CHAPTER, or all) as translated.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def status(state: State, chapter, accept, fmt):
    """Translation status per chapter: translated, stale, missing and extra blocks."""
    from .load import load_book
    from .status import accept_translation, book_status, detail_lines, resolve_chapter, status_lines
    book = load_book(state.book)
    if accept:
        for lang, name, count in accept_translation(book, chapter):
            state.say(f"accepted {count} block(s) of {name} ({lang})")
    statuses = book_status(book)
    if chapter:
        statuses = [s for s in statuses if s.chapter == resolve_chapter(book, chapter)]
    if fmt == "json":
        click.echo(json.dumps({"chapters": [s.as_dict() for s in statuses]}, ensure_ascii=False, indent=2))
        return
    for line in status_lines(statuses) + detail_lines(book, statuses):
        click.echo(line)
    if not all(s.tracked for s in statuses):
        click.echo("no lockfile: staleness is not tracked (ikidil status --accept starts it)", err=True)


@cli.command()
@click.option("--dpi", type=click.IntRange(20, 300), default=50, show_default=True, help="Resolution of the page images.")
@click.pass_obj
def proof(state: State, dpi):
    """Write every page of the built PDFs as PNG, and a contact sheet per PDF, into build/proof/."""
    from .proof import proof_build
    for sheet in proof_build(state.book / "build", dpi):
        state.say(f"wrote {sheet}")


def _progress(state: State, options):
    """The build's progress: a line per stage with --verbose; a rich progress bar over the
    build's stages when stderr is a terminal; nothing with --quiet or when piped."""
    import contextlib
    if state.verbose:
        return contextlib.nullcontext(lambda stage: click.echo(f"· {stage}", err=True))
    if state.quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(lambda _: None)

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        columns = (TextColumn("ikidil build: {task.description:<24}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("load", total=_stage_count(state, options))

            def advance(stage: str) -> None:
                if stage == "up to date":
                    progress.update(task, description=stage, completed=progress.tasks[0].total)
                    return
                # "load" is the first stage: nothing is done before it.
                progress.update(task, description=stage, advance=0 if stage == "load" else 1)
            yield advance
    return bar()


def _stage_count(state: State, options) -> int:
    """How many stages build() reports for these options (load, check, then per edition:
    transform, each PDF variant, the EPUB), so the bar knows its length."""
    from .build import editions_of_config
    from .config import load_config
    editions = options.editions or editions_of_config(load_config(state.book.resolve()))
    per_edition = 1 + ("pdf" in options.formats) * len(options.pdf_variants) + ("epub" in options.formats)
    return 2 + len(editions) * per_edition


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", help="The book's title (default: Yeni Kitap).")
@click.pass_obj
def new(state: State, folder, title):
    """Create a new book in FOLDER: a chapter, its translation, a bibliography; it builds at once."""
    from .scaffold import new_book
    files = new_book(folder, title)
    for path in files:
        state.say(f"created {path}")
    state.say(f"next: cd {folder} && ikidil build")


@cli.command()
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(["epub", "pdf"]),
              help="Format to rebuild; default both.")
@click.pass_obj
def watch(state: State, formats):
    """Rebuild the editions a saved file affects, until Ctrl-C."""
    from .build import FORMATS, BuildOptions, build as run_build
    from .config import load_config
    from .watch import watch as watch_book

    def rebuild(editions):
        state.say(f"rebuilding {', '.join(editions)}")
        try:
            result = run_build(state.book, BuildOptions(editions=editions, formats=tuple(formats) or FORMATS))
        except BookError as exc:
            click.echo(f"ikidil: {exc}", err=True)
            return
        for output in result.outputs:
            state.say(f"wrote {_shown(output.path)}")

    load_config(state.book.resolve())      # a broken book.yaml stops here, before watching
    try:
        # Each rebuild's objects are freed after it: the process goes on.
        with interrupt.raising(), lifetime.leaving_to_exit(False):
            watch_book(state.book.resolve(), rebuild, load_config,
                       on_error=lambda exc: click.echo(f"ikidil: {exc}", err=True),
                       ready=lambda: state.say(f"watching {state.book.resolve()} (Ctrl-C to stop)"))
    except KeyboardInterrupt:
        state.say("stopped watching")


@cli.command("export")
@click.option("--xliff", "xliff_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The XLIFF 2.1 file to write.")
@click.option("--lang", "-l", help="Target language (default: the book's first translation).")
@click.pass_obj
def export_cmd(state: State, xliff_path, lang):
    """Export the book for translation as XLIFF 2.1 (one unit per block)."""
    from .load import load_book
    from .xliff import export_xliff
    book = load_book(state.book)
    path = export_xliff(book, lang or book.config.translations[0], xliff_path)
    state.say(f"wrote {_shown(path)}")


@cli.command("import")
@click.argument("xliff_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_cmd(state: State, xliff_path):
    """Put the targets of an XLIFF 2.1 file back into the translation chapters."""
    from .load import load_book
    from .xliff import import_xliff
    result = import_xliff(load_book(state.book), xliff_path)
    for unit in result.stale:
        click.echo(f"ikidil: warning: {unit}: the source block changed since the export; check this translation",
                   err=True)
    for path in result.changed:
        state.say(f"updated {_shown(path)}")
    state.say(f"{result.units} unit(s) read, {len(result.changed)} file(s) changed")


def _shown(path: Path) -> str:
    return str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


def main(argv: list[str] | None = None) -> None:
    """The program (argv None: the process's own arguments, and its exit), or a command run
    in this process (argv given: raises SystemExit as click would)."""
    try:
        # The process ends with the command (argv None): its objects may be left to the end.
        with lifetime.leaving_to_exit(argv is None):
            _main(argv)
        status = 0
    except SystemExit as stop:
        status = stop.code
    if argv is not None:
        sys.exit(status)
    _exit_now(status)


def _exit_now(status) -> None:
    """End the process without the interpreter's teardown. The command is done and every
    file it wrote is closed; what the teardown would add is freeing its objects one by one
    (a book's ASTs, the merged PDF's) and joining idle threads, ~0.2 s after a book-sized
    build for nothing. Layout workers still exiting are stopped and reaped here, so none
    outlives the build and their CPU time is the build's. (mypy ends the same way.)"""
    import logging
    import multiprocessing
    import os
    if status is not None and not isinstance(status, int):
        click.echo(status, err=True)
        status = 1
    children = multiprocessing.active_children()      # idle layout workers, exiting
    for child in children:
        child.terminate()
    for child in children:     # reaped, so their CPU time is in this process's resource usage
        child.join(timeout=2)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):           # a closed pipe (ikidil … | head)
            stream.flush()
    os._exit(status or 0)


def _main(argv: list[str] | None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    # Ctrl-C stops a command cleanly (interrupt.py); with --debug it raises, for the traceback.
    stopping = contextlib.nullcontext() if debug else interrupt.stopping_cleanly(INTERRUPTED)
    try:
        with stopping:
            cli.main(args=argv, prog_name="ikidil", standalone_mode=False)
    except BookError as exc:
        if debug:
            raise
        click.echo(f"ikidil: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", EXIT_BAD_INPUT))     # ChecksFailed: 1
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT)
    except (KeyboardInterrupt, click.exceptions.Abort):   # click turns Ctrl-C into Abort
        if debug:
            raise
        click.echo(f"ikidil: {INTERRUPTED}", err=True)
        sys.exit(130)
    except OSError as exc:   # the disk, not the book: permissions, space, a folder in the way
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"ikidil: {where}{exc.strerror or exc} (check permissions and free space)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:  # a bug in ikidil: say so in one line; --debug shows where
        if debug:
            raise
        click.echo(f"ikidil: internal error ({type(exc).__name__}: {exc}); this is a bug in ikidil, not in "
                   "your book: run again with --debug and report the traceback", err=True)
        sys.exit(3)
