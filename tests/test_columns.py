"""The bilingual PDF in columns (`bilingual_layout: columns`, issue 18 item 2): each pair's
notes side by side at the page foot, each under its language's column, numbered 1, 2… and
a, b…; the bibliography an entry beside its translation, each language in its column."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lxml import html as lhtml

from conftest import copy_book, run_ikidil


@pytest.fixture(scope="module")
def columns_book(tmp_path_factory) -> Path:
    root = copy_book(tmp_path_factory.mktemp("columns") / "book")
    config = root / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "bilingual_layout: columns\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def columns_pdf(columns_book) -> Path:
    proc = run_ikidil(["build", "-e", "bilingual", "-f", "pdf", "--pdf-variant", "digital"], cwd=columns_book)
    assert proc.returncode == 0, proc.stderr
    return next((columns_book / "build").glob("*.bilingual.pdf"))


def words(pdf: Path) -> list[list[tuple[float, float, float, str]]]:
    """Each page's words as (x, y, font height, text), from pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([(float(x0), float(y0), float(y1) - float(y0), lhtml.fromstring(f"<b>{w}</b>").text_content())
                      for x0, y0, y1, w in re.findall(
                          r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>', page)])
    return pages


def phrase_at(page, phrase: str) -> tuple[float, float] | None:
    """(x, y) of the first word of `phrase` where its words follow each other on the page."""
    parts = phrase.split()
    texts = [w[3] for w in page]
    for i in range(len(texts) - len(parts) + 1):
        if texts[i:i + len(parts)] == parts:
            return page[i][0], page[i][1]
    return None


def test_a_pairs_notes_sit_side_by_side_under_their_columns(columns_pdf):
    pages = words(columns_pdf)
    page = next(p for p in pages if phrase_at(p, "Tutanak metinleri"))
    tr_note, en_note = phrase_at(page, "Tutanak metinleri"), phrase_at(page, "For the texts")
    assert en_note is not None, "the English note is on the page of the Turkish one"
    assert abs(tr_note[1] - en_note[1]) < 1                     # one baseline: side by side
    # each under its column: the Turkish note where the Turkish text starts, the English
    # note where the English text starts
    text = [(x, y) for x, y, h, t in page if 60 < y < tr_note[1] - 20]       # below the running head
    body_left = min(x for x, y in text)
    # a 6×9 in page's columns are 2.2 in (158 pt) wide, 0.2 in apart: a word starting more
    # than 165 pt right of the text block's edge is in the right column
    column_right = min(x for x, y in text if x > body_left + 165)
    assert abs(tr_note[0] - body_left) < 12, (tr_note, body_left)
    assert abs(en_note[0] - column_right) < 12, (en_note, column_right)
    # marks: 1. for the Turkish note, a. for the English one, each with its note
    marks = [t for x, y, h, t in page if abs(y - tr_note[1]) < 1]
    assert marks[0] == "1." and "a." in marks and marks.index("a.") < marks.index("For")


def test_every_note_is_printed_once(columns_pdf):
    """No note of either language lost or doubled in the pairing: the seed's notes, by a
    phrase each, once in the whole PDF."""
    text = subprocess.run(["pdftotext", str(columns_pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for phrase in ("Tutanak metinleri", "For the texts of the minutes", "Perinçek, Atatürk’ün"):
        assert flat.count(phrase) >= 1, phrase
    assert flat.count("Tutanak metinleri") == 1 and flat.count("For the texts of the minutes") == 1


def has(name: str) -> str:
    """XPath: the element's class holds `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def test_notes_are_paired_in_the_html_and_counted_for_the_parts(columns_book):
    """The HTML the columns layout gets: pairs' notes joined (the translation's call a mark),
    and the part splitter counts a joined note for both languages' counters."""
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.parallel.split import note_counters
    from ikidil.render.pdf import edition_html
    book = load_book(columns_book)
    edition = make_edition(book, "bilingual")
    root = lhtml.fromstring(edition_html(book, edition))
    joined = root.xpath(f"//*[{has('bi-pair')}]//*[{has('footnote')} and {has('bi-notes')}]")
    calls = root.xpath(f"//*[{has('bi-translation')}]//*[{has('bi-call')}]")
    assert joined and len(joined) == len(calls)
    # a translator's note has no source note to pair with: it stays a note of its own
    alone = root.xpath(f"//*[{has('bi-translation')}]//*[{has('footnote')}]")
    assert [n.text_content().endswith("—Trans.") for n in alone] == [True]
    for note in joined:
        assert [h.get("class") for h in note] == ["bi-note bi-note-source", "bi-note bi-note-translation"]
        assert note[1].get("lang") == "en"
        assert sorted(note_counters(note)) == ["footnote", "note-source", "note-translation"]
    # facing pages keep each language's notes as they are
    facing = lhtml.fromstring(edition_html(book, edition, "facing"))
    assert not facing.xpath(f"//*[{has('bi-notes')} or {has('bi-call')} or {has('bi-entry')}]")


def test_bibliography_is_an_entry_beside_its_translation(columns_pdf):
    pages = words(columns_pdf)
    page = next(p for p in pages if phrase_at(p, "Kaynakça") and phrase_at(p, "Bibliography")
                and phrase_at(p, "Perinçek, Mehmet."))
    starts = [(x, y) for x, y, h, t in page if t == "Perinçek,"]
    assert len(starts) == 2                                          # once per language, no more
    (x1, y1), (x2, y2) = sorted(starts)
    assert abs(y1 - y2) < 1 and x2 - x1 > 100                         # one row, two columns
    left = [t for x, y, h, t in page if x < x2 - 20]
    right = [t for x, y, h, t in page if x >= x2 - 20]
    assert "sy" in left and "sy" not in right                         # "sayı": Turkish on the left
    assert "no." in right and "no." not in left                       # English on the right
