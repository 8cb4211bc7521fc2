"""The build cache: an unchanged book is not built again, a changed one is, and chapters
are parsed once per text."""

from __future__ import annotations

import json

from conftest import run_ikidil


def _outputs(root):
    return {p.name: p.stat().st_mtime_ns for p in (root / "build").iterdir()}


def test_unchanged_book_is_not_built_again(book_copy):
    args = ["build", "-e", "tr", "-f", "pdf", "--pdf-variant", "print", "-j", "2"]
    first = run_ikidil(args, cwd=book_copy)
    assert first.returncode == 0, first.stderr
    before = _outputs(book_copy)
    assert any(name.endswith(".print.pdf") for name in before)

    again = run_ikidil(["--verbose", *args], cwd=book_copy)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stderr and "· load" not in again.stderr
    assert _outputs(book_copy) == before                          # nothing rewritten
    assert again.stdout == first.stdout                           # same report: outputs, pages
    warnings = [line for line in first.stderr.splitlines() if "warning" in line]
    assert warnings == [line for line in again.stderr.splitlines() if "warning" in line]

    # Other options are another build.
    other = run_ikidil(["--verbose", "build", "-e", "en", "-f", "pdf", "--pdf-variant", "print"], cwd=book_copy)
    assert other.returncode == 0 and "· load" in other.stderr

    # An edited input is built again (the translation: editing the source would make it stale).
    chapter = next((book_copy / "translations" / "en").glob("*.md"))
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("Kemal", "Kemâl", 1), encoding="utf-8")
    edited = run_ikidil(["--verbose", *args], cwd=book_copy)
    assert edited.returncode == 0, edited.stderr
    assert "· load" in edited.stderr

    # A deleted or replaced output is built again.
    pdf = next((book_copy / "build").glob("*.tr.print.pdf"))
    pdf.unlink()
    rebuilt = run_ikidil(["--verbose", *args], cwd=book_copy)
    assert rebuilt.returncode == 0 and "· load" in rebuilt.stderr and pdf.is_file()


def test_chapters_are_parsed_once_per_text(book_copy):
    from ikidil.cache import CACHE_DIR
    from ikidil.load import load_book
    load_book(book_copy)
    asts = sorted((book_copy / CACHE_DIR / "ast").rglob("*.json"))
    chapters = list((book_copy / "manuscript").glob("*.md")) + list((book_copy / "translations").rglob("*.md"))
    assert len(asts) == len(chapters)
    # A cached AST is what Pandoc gave: loading again gives the same chapters.
    first = load_book(book_copy)
    assert sorted((book_copy / CACHE_DIR / "ast").rglob("*.json")) == asts
    second = load_book(book_copy)
    assert [c.doc for c in first.chapters["tr"]] == [c.doc for c in second.chapters["tr"]]
    # A corrupt entry is a miss, not an error.
    asts[0].write_text("{not json", encoding="utf-8")
    third = load_book(book_copy)
    assert [c.doc for c in third.chapters["tr"]] == [c.doc for c in first.chapters["tr"]]
    json.loads(asts[0].read_bytes().partition(b"\n")[2])        # rewritten (after its hash line)


def test_cache_folder_is_ignored_by_git(book_copy):
    from ikidil.cache import CACHE_DIR
    from ikidil.load import load_book
    load_book(book_copy)
    assert (book_copy / CACHE_DIR / ".gitignore").read_text() == "*\n"
