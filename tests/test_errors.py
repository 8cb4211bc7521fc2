"""Bad input gets one clear line naming the file (and line), a non-zero exit, no traceback."""

from __future__ import annotations

import pytest

from conftest import run_ikidil

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"


def assert_one_line_error(proc, *needles):
    assert proc.returncode not in (0, None), proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_no_book_yaml(tmp_path):
    proc = run_ikidil(["build"], cwd=tmp_path)
    assert_one_line_error(proc, "book.yaml", "ikidil new")


def test_missing_translation_file(book_copy):
    (book_copy / "translations" / "en" / CHAPTER).unlink()
    proc = run_ikidil(["build"], cwd=book_copy)
    assert_one_line_error(proc, f"translations/en/{CHAPTER}", "missing translation")
    assert not (book_copy / "build" / "manifest.json").exists()


def test_unknown_citation_key(book_copy):
    path = book_copy / "manuscript" / CHAPTER
    text = path.read_text(encoding="utf-8").replace("@gokay2006", "@gokay2060")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "@gokay2060" in l)
    proc = run_ikidil(["build"], cwd=book_copy)
    assert_one_line_error(proc, f"manuscript/{CHAPTER}:{line}:", "@gokay2060", "gokay2006")


def test_malformed_yaml(book_copy):
    path = book_copy / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("language: tr", "language: [tr"), encoding="utf-8")
    proc = run_ikidil(["build"], cwd=book_copy)
    assert_one_line_error(proc, "book.yaml:", "malformed YAML")


@pytest.mark.parametrize("edit,needle", [
    (("trim: 6x9in", "trim: 7x10in"), "'trim' must be one of"),
    (("csl:", "cls:"), "unknown key 'cls'"),
    (("date: 2026-11-24", "date: yesterday"), "'date' must be a date"),
])
def test_bad_book_yaml_values_name_key_and_line(book_copy, edit, needle):
    path = book_copy / "book.yaml"
    text = path.read_text(encoding="utf-8").replace(*edit)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith(edit[1]))
    proc = run_ikidil(["build"], cwd=book_copy)
    assert_one_line_error(proc, f"book.yaml:{line}:", needle)


def test_debug_shows_the_traceback(tmp_path):
    proc = run_ikidil(["--debug", "build"], cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" in proc.stderr
