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
    """The HTML the columns layout gets: pairs' notes joined (the translation's call a mark,
    its note there a second time, hidden, for a split), a translator's note a footnote of
    its own with an empty source half; the part splitter counts no hidden note."""
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.parallel.split import note_counters
    from ikidil.render.pdf import edition_html
    book = load_book(columns_book)
    edition = make_edition(book, "bilingual")
    root = lhtml.fromstring(edition_html(book, edition))
    joined = root.xpath(f"//*[{has('bi-source')}]//*[{has('footnote')} and @data-note]")
    calls = root.xpath(f"//*[{has('bi-translation')}]//*[{has('bi-call')}]")
    hidden = root.xpath(f"//*[{has('bi-translation')}]//*[{has('bi-alt')} and @hidden]")
    assert joined and len(joined) == len(calls) == len(hidden)
    def ids(elements):
        return [e.get("data-note") for e in elements]
    assert ids(calls) == ids(joined) == ids(hidden)
    # a translator's note has no source note to pair with: a note of its own, in the right half
    alone = [n for n in root.xpath(f"//*[{has('bi-translation')}]//*[{has('footnote')} and not(@data-note)]")]
    assert [n.text_content().endswith("—Trans.") for n in alone] == [True]
    assert [h.get("class") for h in alone[0][0]] == ["bi-note bi-note-source", "bi-note bi-note-translation"]
    assert len(alone[0][0][0]) == 0 and alone[0][0][1].text_content().endswith("—Trans.")
    for note in joined:
        halves = note[0]
        assert [h.get("class") for h in halves] == ["bi-note bi-note-source", "bi-note bi-note-translation"]
        assert halves[1].get("lang") == "en"
        assert sorted(note_counters(note)) == ["footnote", "note-source"]
    assert all(note_counters(h) == [] for h in hidden)
    # marks written out, through the book: 1, 2… and a, b… in reading order
    source_marks = [n.get("data-mark") for n in root.xpath(f"//*[{has('bi-source')}]//*[{has('footnote')}]")]
    assert source_marks == [str(n) for n in range(1, len(source_marks) + 1)]
    translation_marks = [n.get("data-mark") for n in root.xpath(
        f"//*[{has('bi-translation')}]//*[{has('footnote')}]")]
    assert translation_marks == [chr(ord("a") + n) for n in range(len(translation_marks))]
    # facing pages keep each language's notes as they are
    facing = lhtml.fromstring(edition_html(book, edition, "facing"))
    assert not facing.xpath(f"//*[{has('bi-notes')} or {has('bi-call')} or {has('bi-entry')}]")


def test_lower_alpha_marks_go_on_past_z():
    from ikidil.render.columns import alpha
    assert [alpha(n) for n in (1, 2, 26, 27, 52, 53, 702, 703)] == ["a", "b", "z", "aa", "az", "ba", "zz", "aaa"]


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


# A book for the notes: the seed with notes added where the pairing is hard. Each note is
# called after a short sentence of its own ("Birinci çağrı.", "First call."), so the test
# can find each call and its mark on the page.
SOURCE_FILLER = " Bu bölgede denetim önemliydi ve uzun yıllar sürdü." * 60
TRANSLATION_FILLER = " Control of this region mattered and lasted many years." * 60
NOTES = [   # (words before the call, the note's first words)
    ("Birinci çağrı.", "İlk kaynak notu"), ("İkinci çağrı.", "İkinci kaynak notu"),
    ("First call.", "First source note"), ("Second call.", "Second source note"),
    ("Tek çağrı.", "Tek parça not"), ("A gloss.", "A word the translator glosses"),
    ("One call.", "One piece note"),
    ("Frunze çağrısı.", "Frunze notu"), ("An interest.", "On interest see"), ("Frunze call.", "Frunze note"),
    ("Erken çağrı.", "Boğazlar notu"), ("Late call.", "Straits note"),
    ("Son çağrı.", "Uzun kaynak notu"), ("Last call.", "Long translation note"),
]


@pytest.fixture(scope="module")
def notes_pdf(tmp_path_factory) -> tuple[Path, str]:
    root = copy_book(tmp_path_factory.mktemp("columns-notes") / "book")
    config = root / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("stale: error", "stale: warn")
                      + "bilingual_layout: columns\n", encoding="utf-8")
    name = "01-mustafa-kemal-ve-komunistler.md"
    source, translation = root / "manuscript" / name, root / "translations" / "en" / name
    s, t = source.read_text(encoding="utf-8").split("\n\n"), translation.read_text(encoding="utf-8").split("\n\n")
    # two notes a side: two joined notes, marked 1 | a and 2 | b
    s[2] += " Birinci çağrı.^[İlk kaynak notu.] İkinci çağrı.^[İkinci kaynak notu.]"
    t[2] += " First call.^[First source note.] Second call.^[Second source note.]"
    # a translator's note before the translation's own: counts differ, 1 + 2 notes
    s[3] += " Tek çağrı.^[Tek parça not.]"
    t[3] += " A gloss.[^[A word the translator glosses.]]{.tn} One call.^[One piece note.]"
    s[4] += " Frunze çağrısı.^[Frunze notu.]"
    t[4] += " An interest.[^[On interest see the record.]]{.tn} Frunze call.^[Frunze note.]"
    # a pair over three pages: the source's call on its first page, the translation's on its last
    s[7] = s[7].replace("güvenliğiydi.", "güvenliğiydi. Erken çağrı.^[Boğazlar notu.]", 1) + SOURCE_FILLER
    t[7] += TRANSLATION_FILLER + " Late call.^[Straits note.]"
    # both calls at the end of a pair over pages
    s[8] += SOURCE_FILLER + " Son çağrı.^[Uzun kaynak notu.]"
    t[8] += TRANSLATION_FILLER + " Last call.^[Long translation note.]"
    source.write_text("\n\n".join(s), encoding="utf-8")
    translation.write_text("\n\n".join(t), encoding="utf-8")
    proc = run_ikidil(["build", "-e", "bilingual", "-f", "pdf", "--pdf-variant", "digital"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    return next((root / "build").glob("*.bilingual.pdf")), proc.stderr


def find(pages, phrase: str) -> tuple[int, int]:
    """(page, word index) of the first word of `phrase` where its words follow each other
    (the last may run on: "notu." for "notu", "call.a" for "call.")."""
    parts = phrase.split()
    for number, page in enumerate(pages):
        texts = [w[3] for w in page]
        for i in range(len(texts) - len(parts) + 1):
            if texts[i:i + len(parts) - 1] == parts[:-1] and texts[i + len(parts) - 1].startswith(parts[-1]):
                return number, i
    raise AssertionError(f"{phrase!r} is not in the PDF")


def test_each_note_is_on_its_calls_page_under_its_own_column(notes_pdf):
    """Every note, joined, alone or split, is printed once, on the page of its call, its mark
    the call's mark, and starts at its language's column: the source's at the text block's
    left edge, the translation's where the right column starts."""
    pdf, stderr = notes_pdf
    assert "PDF003" not in stderr                    # the layout guard saw no note off its call's page
    pages = words(pdf)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for call, note in NOTES:
        assert text.count(note) == 1, note               # printed once
        page, at = find(pages, note)
        mark = pages[page][at - 1][3]
        assert re.fullmatch(r"(\d+|[a-z])\.", mark), (note, mark)
        # the call: its sentence, then the mark (a word of its own, or run into the last)
        call_page, i = find(pages, call)
        n = len(call.split())
        ends = [w[3] for w in pages[call_page][i + n - 1:i + n + 1]]
        assert ends[0] == call.split()[-1] + mark[:-1] or ends == [call.split()[-1], mark[:-1]], (call, ends, mark)
        assert call_page == page, f"{note!r} on page {page + 1}, its call on page {call_page + 1}"
        # under its column
        note_y = pages[page][at][1]
        body = [(x, y) for x, y, h, t in pages[page] if 60 < y < note_y - 20]
        left = min(x for x, y in body)
        right = min(x for x, y in body if x > left + 165)
        column = left if mark[0].isdigit() else right
        assert abs(pages[page][at - 1][0] - column) < 12, (note, pages[page][at - 1][0], left, right)
    # the long pair did break across pages: its two calls are pages apart
    assert find(pages, "Late call.")[0] > find(pages, "Erken çağrı.")[0]
    assert find(pages, "Son çağrı.")[0] > find(pages, "Birinci çağrı.")[0]


def test_a_pairs_notes_share_a_line_and_a_translators_note_has_its_own(notes_pdf):
    """Marks in reading order (a pair's second note b, not the first's letter again): 1 and a
    on one line, 2 and b on the next; a translator's note alone on its line, on the right."""
    pages = words(notes_pdf[0])
    for source, translation in (("İlk kaynak notu", "First source note"),
                                ("İkinci kaynak notu", "Second source note"), ("Frunze notu", "Frunze note")):
        (p1, i1), (p2, i2) = find(pages, source), find(pages, translation)
        assert p1 == p2 and abs(pages[p1][i1][1] - pages[p2][i2][1]) < 1, (source, translation)
    first, second = find(pages, "First source note"), find(pages, "Second source note")
    assert [pages[first[0]][first[1] - 1][3], pages[second[0]][second[1] - 1][3]] == ["a.", "b."]
    page, at = find(pages, "A word the translator glosses")
    y = pages[page][at][1]
    assert not [t for x, y2, h, t in pages[page] if abs(y2 - y) < 1 and x < pages[page][at - 1][0] - 1]
