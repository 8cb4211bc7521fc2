"""The PDF editions, laid out once per session with the real renderer and inspected as PDFs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import REPO, copy_book, pdftotext

PT_PER_MM = 72 / 25.4


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory):
    """{(edition, variant): path} for the seed book, plus the findings the guards reported."""
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.pdf import render_pdf
    out = tmp_path_factory.mktemp("pdfs")
    book = load_book(REPO)
    paths, findings = {}, []
    for name, variants in (("tr", ("digital", "print")), ("en", ("digital",)), ("bilingual", ("digital",))):
        edition = make_edition(book, name)
        for variant in variants:
            target = out / f"{name}.{variant}.pdf"
            render_pdf(book, edition, target, variant, warn=findings.append)
            paths[(name, variant)] = target
    return paths, findings


def boxes(pdf: Path) -> dict[str, list[float]]:
    page = PdfReader(pdf).pages[0]
    return {name: [float(v) for v in page[f"/{name}"]] for name in ("MediaBox", "TrimBox", "BleedBox")
            if f"/{name}" in page}


def test_digital_page_is_the_trim_size(pdfs):
    box = boxes(pdfs[0][("tr", "digital")])
    assert box["MediaBox"] == pytest.approx([0, 0, 432, 648], abs=0.1)        # 6 × 9 in


def test_print_variant_has_bleed_trimbox_and_bleedbox(pdfs):
    box = boxes(pdfs[0][("tr", "print")])
    bleed = 9                               # 0.125 in, the default (before render/press.py adds the marks)
    media, trim, bleed_box = box["MediaBox"], box["TrimBox"], box["BleedBox"]
    assert trim[2] - trim[0] == pytest.approx(432, abs=0.1) and trim[3] - trim[1] == pytest.approx(648, abs=0.1)
    assert media[2] - media[0] == pytest.approx(432 + 2 * bleed, abs=0.2)
    assert media[3] - media[1] == pytest.approx(648 + 2 * bleed, abs=0.2)
    for i in (0, 1):
        assert media[i] <= bleed_box[i] <= trim[i]
    for i in (2, 3):
        assert trim[i] <= bleed_box[i] <= media[i]


def test_trim_size_comes_from_book_yaml(tmp_path):
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.pdf import render_pdf
    root = copy_book(tmp_path / "book")
    yaml = root / "book.yaml"
    yaml.write_text(re.sub(r"(?m)^trim:.*\n", "", yaml.read_text(encoding="utf-8")) + "trim: a5\n", encoding="utf-8")
    book = load_book(root)
    target = tmp_path / "a5.pdf"
    render_pdf(book, make_edition(book, "tr"), target, "digital")
    media = boxes(target)["MediaBox"]
    assert media[2] - media[0] == pytest.approx(148 * PT_PER_MM, abs=0.2)
    assert media[3] - media[1] == pytest.approx(210 * PT_PER_MM, abs=0.2)


@pytest.mark.parametrize("key", [("tr", "digital"), ("en", "digital"), ("bilingual", "digital"), ("tr", "print")])
def test_fonts_embedded_subset_and_of_the_book_face_only(pdfs, key):
    out = subprocess.run(["pdffonts", str(pdfs[0][key])], capture_output=True, text=True, check=True).stdout
    rows = [row.split() for row in out.splitlines()[2:]]
    assert rows
    for row in rows:
        assert re.fullmatch(r"[A-Z]{6}\+EB-Garamond(-Italic|-Bold)?", row[0]), row   # subset tag + family
        assert row[-5:-2] == ["yes", "yes", "yes"], row                              # emb sub uni


@pytest.mark.parametrize("edition", ["tr", "en", "bilingual"])
def test_digital_is_tagged_pdf_ua_with_language_and_outline(pdfs, edition):
    pdf = pdfs[0][(edition, "digital")]
    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == ("tr" if edition != "en" else "en")
        assert doc.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in doc.Root
        xmp = doc.open_metadata()
        assert xmp.get("pdfuaid:part") == "1"
    outline = PdfReader(pdf).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert len(titles) >= 2                              # the chapter and the bibliography
    assert not any(t in ("İçindekiler", "Contents") for t in titles)


def test_digital_toc_links_are_live(pdfs):
    reader = PdfReader(pdfs[0][("tr", "digital")])
    toc_page = next(i for i, p in enumerate(reader.pages) if "İçindekiler" in p.extract_text())
    links = [a.get_object() for a in reader.pages[toc_page].get("/Annots", [])]
    assert len([a for a in links if a["/Subtype"] == "/Link"]) >= 2


def page_texts(pdf: Path) -> list[str]:
    return pdftotext(pdf).split("\f")


@pytest.mark.parametrize("key", [("tr", "digital"), ("en", "digital"), ("bilingual", "digital"), ("tr", "print")])
def test_toc_page_numbers_are_the_chapters_real_pages(pdfs, key):
    pages = page_texts(pdfs[0][key])
    toc = next(p for p in pages if "İçindekiler" in p or "Contents" in p)
    entries = re.findall(r"(\S[^\n]*?)[ .]*\s(\d+)\n", toc.replace("\u00a0", " "))
    entries = [(title.strip(" ."), int(n)) for title, n in entries if "." in toc]
    assert len(entries) >= 2, toc
    for title, number in entries:
        words = " ".join(title.split(" / ")[0].split()[:2])
        first = next(i for i, p in enumerate(pages) if i > pages.index(toc) and words in " ".join(p.split()))
        assert first + 1 == number, (title, number, first + 1)
        assert number % 2 == 1, "chapters open on a recto"


def test_chapter_opening_has_no_running_head_and_later_pages_do(pdfs):
    pages = page_texts(pdfs[0][("tr", "digital")])
    opening = next(i for i, p in enumerate(pages) if "Mustafa Kemal Paşa ile Türkiye Komünist" in " ".join(p.split()))
    assert "MUSTAFA KEMAL PAŞA" not in pages[opening]
    verso, recto = pages[opening + 1], pages[opening + 2]
    # Turkish casing: TÜRKİYE’DEKİ, never TÜRKIYE (what str.upper or CSS would give).
    assert "TÜRKİYE’DEKİ" in " ".join(verso.split()[:12]).replace("Y E", "YE")
    assert "KOMÜNİSTLER" in " ".join(recto.split()[:12])
    assert "TÜRKIYE" not in pdftotext(pdfs[0][("tr", "digital")])



def text_positions(pdf: Path, page: int) -> list[tuple[float, str]]:
    found = []
    PdfReader(pdf).pages[page].extract_text(
        visitor_text=lambda text, cm, tm, *_: found.append((tm[4] * cm[0] + cm[4], " ".join(text.split()))) if text.strip() else None)
    return found


def test_bilingual_columns_and_notes_of_both_languages(pdfs):
    pdf = pdfs[0][("bilingual", "digital")]
    pages = page_texts(pdf)
    opening = next(i for i, p in enumerate(pages) if "Mustafa Kemal Paşa ile Türkiye" in " ".join(p.split()))
    positions = text_positions(pdf, opening)
    tr_x = [x for x, t in positions if "Mustafa Kemal Paşa ile" in t]
    en_x = [x for x, t in positions if "Relations between" in t]
    assert tr_x and en_x and max(tr_x) < min(en_x) - 100, (tr_x, en_x)     # Turkish left, English right
    # The same rows start level: the first Turkish and English lines share a baseline.
    lines = [line for line in pages[opening].splitlines() if "Mustafa Kemal Paşa ile" in line]
    assert lines and "Relations between" in lines[0]
    # Notes of both languages at the foot, told apart: 1. for Turkish, a. for English,
    # side by side, each under its column (test_columns.py)
    notes = "\n".join(pages)
    assert re.search(r"(?m)^\s*1\.\s+Tutanak.*\s{2,}a\.\s+For the texts", notes)


def test_guards_report_a_clipped_note_and_an_overfull_line_by_chapter_and_block(book_copy):
    from conftest import run_ikidil
    long_note = "Çok uzun bir not cümlesi burada yer alıyor ve sayfayı aşıyor. " * 120
    for chapter in (book_copy / "manuscript" / "01-mustafa-kemal-ve-komunistler.md",
                    book_copy / "translations" / "en" / "01-mustafa-kemal-ve-komunistler.md"):
        blocks = chapter.read_text(encoding="utf-8").split("\n\n")
        blocks[3] += " Uzun" + "bcdfghkl" * 9 + " sözcük.^[" + long_note + "]"
        chapter.write_text("\n\n".join(blocks), encoding="utf-8")
    yaml = book_copy / "book.yaml"     # the edit makes the translation stale: let it build
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("stale: error", "stale: warn"), encoding="utf-8")
    line = "\n\n".join(blocks[:3]).count("\n") + 3
    proc = run_ikidil(["build", "-e", "tr", "-f", "pdf", "--pdf-variant", "print"], cwd=book_copy)
    assert proc.returncode == 0, proc.stderr
    warnings = [w for w in proc.stderr.splitlines() if "PDF00" in w]
    assert any("PDF001" in w and "footnote" in w for w in warnings), proc.stderr
    assert any("PDF002" in w and "margin" in w for w in warnings), proc.stderr
    for warning in warnings:
        assert warning.startswith(f"manuscript/01-mustafa-kemal-ve-komunistler.md:{line}:"), warning
        assert "block 3" in warning
    assert not any("Traceback" in w for w in proc.stderr.splitlines())


def test_seed_book_lays_out_without_guard_warnings(pdfs):
    assert pdfs[1] == []


@pytest.mark.parametrize("edition", ["tr", "en", "bilingual"])
def test_every_note_is_printed_on_the_page_that_calls_it(edition):
    """Each note's call and its text on one page, and each page's foot holding exactly the
    notes called on it (read back from the PDF's text)."""
    from weasyprint.formatting_structure import boxes as wboxes

    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.pdf import layout
    from ikidil.render.pdf_guards import walk
    book = load_book(REPO)
    document = layout(book, make_edition(book, edition), "digital")
    calls, bodies = {}, {}
    for number, page in enumerate(document.pages):
        for box, _ in walk(page._page_box):
            tag = getattr(box, "element_tag", "") or ""
            if tag.endswith("::footnote-call") and isinstance(box, wboxes.TextBox):
                calls.setdefault(page_key(box), []).append((number, box.text))
            elif isinstance(box, wboxes.FootnoteAreaBox):
                for note in box.children:
                    bodies[id(note.element)] = number
    # Every note laid out once, and on the page of its call.
    assert calls and len(calls) == len(bodies)
    for element, placements in calls.items():
        assert [page for page, _ in placements] == [bodies[element]] * len(placements)
    # The PDF agrees: each page's foot lists the numbers called on that page.
    per_page: dict[int, set[str]] = {}
    for placements in calls.values():
        for page, text in placements:
            per_page.setdefault(page, set()).add(text)
    import io
    text_pages = []
    data = document.write_pdf()
    with io.BytesIO(data) as stream:
        reader = PdfReader(stream)
        text_pages = [p.extract_text() for p in reader.pages]
    for page, numbers in per_page.items():
        for label in numbers:
            assert re.search(rf"(?m)^\s*{re.escape(label)}\.\s", text_pages[page]), (edition, page, label)


def page_key(box):
    return id(box.element)


def columns_text(pdf: Path) -> tuple[str, str]:
    """The bilingual PDF's running text, left column and right column each read on its own
    across pages (notes, running heads and folios left out by their type size)."""
    left, right = [], []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        # 6×9 in page, mirrored margins: the gutter between the columns is centred at
        # 2.9 in on a verso (even page) and 3.1 in on a recto; coordinates are CSS px.
        split = (2.9 if number % 2 == 0 else 3.1) * 96

        def visit(text, cm, tm, font, size, split=split):
            if text.strip() and 11 <= size * tm[0] <= 13:        # body 9.6 pt, quotes 8.8 pt
                (left if tm[4] < split else right).append(text)
        page.extract_text(visitor_text=visit)
    return "".join(left), "".join(right)


def test_bilingual_pdf_holds_every_seed_date_in_both_languages(pdfs):
    from test_build_outputs import SEED_DATES_EN, SEED_DATES_TR, squash
    left, right = (squash(text) for text in columns_text(pdfs[0][("bilingual", "digital")]))
    for date in SEED_DATES_TR:
        assert squash(date) in left, date
    for date in SEED_DATES_EN:
        assert squash(date) in right, date
