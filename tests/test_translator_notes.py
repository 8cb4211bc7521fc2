"""Translator's notes, `[^[…]]{.tn}`: notes that exist only in the translation.

They are numbered with the other notes, end with the conventional mark (—Trans., —Çev.),
are not paired with the source's notes (N001) and are listed by `ikidil status`."""

from __future__ import annotations

import json
import zipfile

import pytest

from conftest import REPO, copy_book, run_ikidil
from ikidil.checks.reading import read_block
from ikidil.load import load_book
from ikidil.transform import translator_notes

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"
TN = "[^[Stalin’s note is translated here from the Turkish text Perinçek gives, not from the Russian original.]]{.tn}"


@pytest.fixture
def seed_copy(tmp_path):
    return copy_book(tmp_path / "book")


def test_the_seed_translation_has_one_translator_note_outside_the_pairing():
    book = load_book(REPO)
    block = book.chapter("en", CHAPTER).blocks[21]
    assert TN in (REPO / "translations" / "en" / CHAPTER).read_text(encoding="utf-8")
    assert len(block.translator_notes) == 1 and block.notes == [] and block.citations == []
    text, notes, citations = read_block(block.node)
    assert notes == () and citations == () and "Perinçek gives" not in text


def test_a_plain_note_in_its_place_is_n001(seed_copy):
    path = seed_copy / "translations" / "en" / CHAPTER
    path.write_text(path.read_text(encoding="utf-8").replace(TN, TN[1:-len("]{.tn}")]), encoding="utf-8")
    proc = run_ikidil(["check"], cwd=seed_copy)
    assert proc.returncode == 1 and "error N001" in proc.stdout


def test_the_mark_is_in_the_language_of_the_edition():
    note = {"t": "Note", "c": [{"t": "Para", "c": [{"t": "Str", "c": "Açıklama."}]}]}
    span = {"t": "Span", "c": [["", ["tn"], []], [note]]}
    para = {"t": "Para", "c": [{"t": "Str", "c": "Metin."}, span]}
    for lang, mark in (("tr", "—Çev."), ("en", "—Trans.")):
        [out] = translator_notes([para], lang)
        [_, made] = out["c"]
        assert made["t"] == "Note" and made["c"][0]["c"][-1] == {"t": "Str", "c": mark}
    # a span of class tn holding more than the note is an ordinary span
    other = {"t": "Para", "c": [{"t": "Span", "c": [["", ["tn"], []], [{"t": "Str", "c": "x"}, note]]}]}
    assert translator_notes([other], "en") == [other]


def test_epub_numbers_it_with_the_others_and_marks_it(epub_book):
    _, epubs = epub_book
    with zipfile.ZipFile(epubs["en"]) as z:
        chapter = z.read("EPUB/text/ch001.xhtml").decode("utf-8")
    asides = chapter.split('role="doc-footnote"')[1:]
    assert len(asides) == 4
    assert "original.—Trans." in asides[2] and ">3.<" in asides[2]
    # the citation after it is 4 (its Turkish title in a Turkish span: test_cite_lang.py)
    assert 'Perinçek, <span lang="tr-TR" xml:lang="tr-TR"><em>' in asides[3]


def test_status_lists_translator_notes():
    proc = run_ikidil(["status"], cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert f"translations/en/{CHAPTER}:43: translator's note: “Stalin’s note is translated" in proc.stdout
    proc = run_ikidil(["status", "--format", "json"], cwd=REPO)
    [chapter] = json.loads(proc.stdout)["chapters"]
    assert chapter["translator_notes"] == [{"line": 43, "text": TN[3:-len("]]{.tn}")]}]
