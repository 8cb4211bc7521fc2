"""Staleness through the translation lock, `ikidil status` and `ikidil status --accept`."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, copy_book, run_ikidil
from ikidil.lock import LOCK_NAME, block_hash, load_lock
from ikidil.load import load_book
from ikidil.status import book_status

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"
STEM = CHAPTER.removesuffix(".md")


@pytest.fixture
def seed_copy(tmp_path):
    return copy_book(tmp_path / "book")


def rewrite(root, lang_dir, fn):
    path = root / lang_dir / CHAPTER
    path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")


def counts(root):
    [status] = book_status(load_book(root))
    return status.counts


def test_committed_lock_matches_the_seed():
    """The lockfile in the repository is current: the seed translation is up to date."""
    assert (REPO / "translations" / "en" / LOCK_NAME).is_file()
    assert counts(REPO) == {"translated": 26, "stale": 0, "missing": 0, "extra": 0}


def test_lock_is_one_readable_line_per_block():
    text = (REPO / "translations" / "en" / LOCK_NAME).read_text(encoding="utf-8")
    entries = [line for line in text.splitlines() if line.startswith("  - {")]
    assert len(entries) == 26
    assert entries[0].startswith('  - {block: 1, source: 1, hash: "') and "Mustafa Kemal Paşa" in entries[0]
    assert [int(e.split(",")[0].split()[-1]) for e in entries] == list(range(1, 27))


def test_rewrapping_and_spacing_the_source_is_not_a_change(seed_copy):
    def rewrap(text):
        paragraphs = text.split("\n\n")
        paragraphs[3] = paragraphs[3].replace(" ", "\n", 5).replace("Sovyet Rusya", "Sovyet   Rusya")
        return "\n\n".join(paragraphs) + "\n\n\n"
    rewrite(seed_copy, "manuscript", rewrap)
    assert counts(seed_copy)["stale"] == 0


def test_an_edited_word_makes_exactly_that_block_stale(seed_copy):
    rewrite(seed_copy, "manuscript", lambda t: t.replace("büyük bedel ödediler", "ağır bedel ödediler"))
    [status] = book_status(load_book(seed_copy))
    stale = [b for b in status.blocks if b.state.value == "stale"]
    assert [b.source.index for b in stale] == [5]


def test_an_inserted_paragraph_on_both_sides_leaves_the_others_current(seed_copy):
    rewrite(seed_copy, "manuscript", lambda t: t.replace("\n\nÖnce Sovyet", "\n\nYeni bir paragraf 1930.\n\nÖnce Sovyet"))
    rewrite(seed_copy, "translations/en", lambda t: t.replace("\n\nIt is worth looking first",
                                                              "\n\nA new paragraph 1930.\n\nIt is worth looking first"))
    assert counts(seed_copy) == {"translated": 26, "stale": 1, "missing": 0, "extra": 0}


def test_accept_one_chapter_records_the_current_source(seed_copy):
    rewrite(seed_copy, "manuscript", lambda t: t.replace("büyük bedel ödediler", "ağır bedel ödediler"))
    proc = run_ikidil(["status", "--accept", STEM], cwd=seed_copy)
    assert proc.returncode == 0, proc.stderr
    assert f"accepted 26 block(s) of {CHAPTER} (en)" in proc.stdout
    assert counts(seed_copy)["stale"] == 0
    book = load_book(seed_copy)
    lock = load_lock(seed_copy / "translations" / "en")
    assert lock.chapters[CHAPTER][5].hash == block_hash(book.chapter("tr", CHAPTER).blocks[5])


def test_status_table_and_details(seed_copy):
    rewrite(seed_copy, "manuscript", lambda t: t.replace("büyük bedel ödediler", "ağır bedel ödediler"))
    rewrite(seed_copy, "translations/en", lambda t: "\n\n".join(p for i, p in enumerate(t.split("\n\n")) if i != 20))
    proc = run_ikidil(["status"], cwd=seed_copy)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["chapter", "lang", "translated", "stale", "missing", "extra"]
    assert lines[1].split() == [CHAPTER, "en", "24", "1", "1", "0"]
    assert any(line.endswith(": stale") and f"manuscript/{CHAPTER}:11" in line for line in lines)
    assert any(line.endswith(": missing") for line in lines)


def test_status_json(seed_copy):
    rewrite(seed_copy, "manuscript", lambda t: t.replace("büyük bedel ödediler", "ağır bedel ödediler"))
    proc = run_ikidil(["status", "--format", "json"], cwd=seed_copy)
    assert proc.returncode == 0, proc.stderr
    [chapter] = json.loads(proc.stdout)["chapters"]
    assert (chapter["chapter"], chapter["translated"], chapter["stale"]) == (CHAPTER, 25, 1)
    assert chapter["blocks"] == [{"state": "stale", "source_block": 6, "source_line": 11, "block": 6, "line": 11}]


def test_without_a_lock_staleness_is_untracked_and_check_warns(seed_copy):
    (seed_copy / "translations" / "en" / LOCK_NAME).unlink()
    proc = run_ikidil(["check"], cwd=seed_copy)
    assert proc.returncode == 0 and "warning S002" in proc.stdout and "status --accept" in proc.stdout
    proc = run_ikidil(["status", "--accept"], cwd=seed_copy)
    assert proc.returncode == 0 and (seed_copy / "translations" / "en" / LOCK_NAME).is_file()
    assert (seed_copy / "translations" / "en" / LOCK_NAME).read_text() == \
        (REPO / "translations" / "en" / LOCK_NAME).read_text()
    assert run_ikidil(["check"], cwd=seed_copy).stdout == ""


def test_unknown_chapter_and_broken_lock_are_bad_input(seed_copy):
    proc = run_ikidil(["status", "--accept", "02-nope"], cwd=seed_copy)
    assert proc.returncode == 2 and "no chapter '02-nope'" in proc.stderr and STEM in proc.stderr
    lock = seed_copy / "translations" / "en" / LOCK_NAME
    lock.write_text(lock.read_text(encoding="utf-8") + "<<<<<<< HEAD\n  - {block: [\n", encoding="utf-8")
    proc = run_ikidil(["status"], cwd=seed_copy)
    assert proc.returncode == 2 and f"translations/en/{LOCK_NAME}:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_readme_status_example_is_real_output(seed_copy):
    rewrite(seed_copy, "manuscript", lambda t: t.replace("Türkiye’den beklentilerine", "Türkiye’den umutlarına"))
    rewrite(seed_copy, "translations/en", lambda t: "\n\n".join(
        p for p in t.split("\n\n") if not p.startswith("Soviet Russian control")))
    proc = run_ikidil(["status"], cwd=seed_copy)
    readme = (REPO / "README.md").read_text(encoding="utf-8").split("## Checking a translation", 1)[1]
    expected = readme.split("$ ikidil status\n", 1)[1].split("$ ikidil status --accept", 1)[0]
    assert proc.stdout == expected
