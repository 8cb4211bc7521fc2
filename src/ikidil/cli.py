"""The command line: thin click commands over the library. User errors (BookError)
print as one line and exit 2; tracebacks only with --debug."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BookError

EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


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


@cli.command()
@click.option("--edition", "-e", "editions", multiple=True, help="Edition to build (tr, en, …); default all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(["epub", "pdf"]),
              help="Format to build; default both.")
@click.option("--pdf-variant", "variants", multiple=True, type=click.Choice(["digital", "print"]),
              help="PDF variant: digital (tagged PDF/UA-1, links) or print (bleed, crop marks); default both.")
@click.pass_obj
def build(state: State, editions, formats, variants):
    """Build every edition into build/ and write build/manifest.json."""
    from .build import FORMATS, BuildOptions, build as run_build
    from .render.pdf import VARIANTS
    options = BuildOptions(editions=tuple(editions) or None, formats=tuple(formats) or FORMATS,
                           pdf_variants=tuple(variants) or VARIANTS)
    progress = (lambda stage: click.echo(f"· {stage}", err=True)) if state.verbose else (lambda _: None)
    result = run_build(state.book, options, progress)
    for warning in result.report.warnings:
        click.echo(f"{warning.location()}: warning {warning.code}: {warning.message}", err=True)
    for output in result.outputs:
        pages = f", {output.pages} pages" if output.pages else ""
        state.say(f"wrote {output.path.relative_to(Path.cwd()) if output.path.is_relative_to(Path.cwd()) else output.path}{pages}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def check(state: State, fmt):
    """Check alignment and translation; exit 1 on errors."""
    from .checks import run_checks
    from .load import load_book
    report = run_checks(load_book(state.book))
    if fmt == "json":
        click.echo(json.dumps({"findings": [f.as_dict() for f in report.findings],
                               "errors": len(report.errors), "warnings": len(report.warnings)},
                              ensure_ascii=False, indent=2))
    else:
        for f in report.findings:
            colour = "red" if f.severity.value == "error" else "yellow"
            click.echo(f"{f.location()}: " + click.style(f"{f.severity.value} {f.code}", fg=colour)
                       + f": {f.message}")
        if not state.quiet:
            click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", err=True)
    if report.errors:
        sys.exit(EXIT_FINDINGS)


def main(argv: list[str] | None = None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="ikidil", standalone_mode=False)
    except BookError as exc:
        if debug:
            raise
        click.echo(f"ikidil: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Abort:
        click.echo("ikidil: aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        if debug:
            raise
        click.echo("ikidil: interrupted; outputs from before are untouched", err=True)
        sys.exit(130)
