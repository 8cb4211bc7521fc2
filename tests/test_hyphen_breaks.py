"""Hyphens in the PDF's page colour (issue 19 item 4, render/hyphen_breaks.py): no more than two
hyphenated lines in a row (`hyphenate-limit-lines: 2`) and no hyphen on the last line of a page
or a column (`hyphenate-limit-last: column`), both in WeasyPrint 70's own line breaking.

The real books are built as a user builds them and read back with pdftotext: the single-language
PDFs, the facing bilingual PDF and the columns layout of the seed book and of the kitchen-sink
book. The companion tests set the seed book's own prose on a short page with the rules off and
on, and show that the same reading finds the faults when the rules are off."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
from lxml import etree

from conftest import REPO, copy_book, run_ikidil

HYPHEN = "\u2010"          # WeasyPrint's hyphenate-character: a word's own hyphen is U+002D
XHTML = "{http://www.w3.org/1999/xhtml}"
RULES_OFF = "hyphenate-limit-lines: no-limit; hyphenate-limit-last: none"
RULES_ON = "hyphenate-limit-lines: 2; hyphenate-limit-last: column"


class Fault(NamedTuple):
    page: int
    kind: str            # "ladder" | "page-end"
    line: str
    stretch: float       # extra word space (em) the line would need with its last word whole


def pdf_faults(pdf: Path, limit: int = 2) -> list[Fault]:
    """The hyphens the rules forbid, read from the PDF with pdftotext. Body lines are the lines
    of the book's text size (the most common word height, which pdftotext gives as the font
    size: notes, heads, folios and headings have others); a column is the left or right half of
    a page; "page-end" is a column whose last body line ends on a hyphenation hyphen, "ladder"
    the third (limit + 1) such line in a row. Each fault says how far the line's word spaces
    would have to stretch beyond a plain space to take its last word whole (the layout may keep
    a hyphen rather than stretch past hyphen_breaks.LOOSEST_STRETCH)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         check=True).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True, huge_tree=True))
    pages = []
    for page in root.iter(XHTML + "page"):
        lines = []
        for line in page.iter(XHTML + "line"):
            words = [(float(w.get("xMin")), float(w.get("xMax")), w.text or "") for w in line.iter(XHTML + "word")]
            if words:
                lines.append((words[0][0], float(line.get("yMin")),
                              round(float(line.get("yMax")) - float(line.get("yMin")), 1), words))
        pages.append((float(page.get("width")), lines))
    em = Counter(height for _, lines in pages for _, _, height, _ in lines).most_common(1)[0][0]
    body = [(width, [line for line in lines if abs(line[2] - em) <= 0.6]) for width, lines in pages]
    gaps = sorted(b[0] - a[1] for _, lines in body for *_, words in lines for a, b in zip(words, words[1:]))
    space = gaps[len(gaps) // 100]                     # a plain space: unjustified lines have it

    def stretch(words) -> float:
        kept = words[:-1]
        if len(kept) < 2:
            return float("inf")
        room = words[-1][1] - kept[0][0] - sum(right - left for left, right, _ in kept)
        return (room / (len(kept) - 1) - space) / em

    found = []
    for number, (width, lines) in enumerate(body, start=1):
        columns: dict[bool, list] = {}
        for line in lines:
            columns.setdefault(line[0] >= width / 2, []).append(line)
        for column in columns.values():
            column.sort(key=lambda line: line[1])
            run = 0
            for *_, words in column:
                run = run + 1 if words[-1][2].endswith(HYPHEN) else 0
                if run == limit + 1:
                    found.append(Fault(number, "ladder", _text(words), stretch(words)))
            words = column[-1][3]
            if words[-1][2].endswith(HYPHEN):
                found.append(Fault(number, "page-end", _text(words), stretch(words)))
    return found


def _text(words) -> str:
    return " ".join(text for _, _, text in words)


def avoidable(found: list[Fault]) -> list[Fault]:
    """The faults the layout could have avoided without stretching past LOOSEST_STRETCH
    (less 0.05 em for what the PDF's rounded positions lose)."""
    from ikidil.render.hyphen_breaks import LOOSEST_STRETCH
    return [fault for fault in found if fault.stretch < LOOSEST_STRETCH - 0.05]


def kinds(found) -> Counter:
    return Counter(fault[1] for fault in found)


# --- the real books -----------------------------------------------------------------------

def _build(root: Path, *args: str) -> dict[str, Path]:
    proc = run_ikidil(["build", "-f", "pdf", "--pdf-variant", "digital", *args], cwd=root)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    return {o["edition"]: root / o["path"] for o in manifest["outputs"] if o["format"] == "pdf"}


@pytest.fixture(scope="module")
def seed_pdfs(tmp_path_factory) -> dict[str, Path]:
    return _build(copy_book(tmp_path_factory.mktemp("hyphens-seed") / "book"))


@pytest.fixture(scope="module")
def sink_pdfs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hyphens-sink") / "book"
    shutil.copytree(REPO / "tests" / "data" / "kitchen-sink", root,
                    ignore=shutil.ignore_patterns("build", ".ikidil-cache"))
    return _build(root)


@pytest.fixture(scope="module")
def columns_pdf(tmp_path_factory) -> Path:
    root = copy_book(tmp_path_factory.mktemp("hyphens-columns") / "book")
    config = root / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "bilingual_layout: columns\n", encoding="utf-8")
    return _build(root, "-e", "bilingual")["bilingual"]


@pytest.mark.parametrize("edition", ["tr", "en", "bilingual"])
def test_seed_book_has_no_ladder_and_no_hyphen_at_a_page_foot(seed_pdfs, edition):
    text = subprocess.run(["pdftotext", str(seed_pdfs[edition]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert text.count(HYPHEN) >= 10, "the book's justified text hyphenates"
    assert avoidable(pdf_faults(seed_pdfs[edition])) == []


@pytest.mark.parametrize("edition", ["tr", "en", "bilingual"])
def test_kitchen_sink_has_no_ladder_and_no_hyphen_at_a_page_foot(sink_pdfs, edition):
    assert avoidable(pdf_faults(sink_pdfs[edition])) == []


def test_columns_layout_has_no_hyphen_at_a_column_foot(columns_pdf):
    assert avoidable(pdf_faults(columns_pdf)) == []


def test_seed_books_turkish_pdf_would_end_pages_on_hyphens_without_the_rules(tmp_path, monkeypatch):
    """The same build with the two properties turned off (the only change) ends pages on a
    hyphen: the check above reads what it claims to."""
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render import pdf
    original = pdf.stylesheets
    monkeypatch.setattr(pdf, "stylesheets", lambda book, variant, extra="": original(
        book, variant, extra + "\nhtml { hyphenate-limit-lines: no-limit !important; hyphenate-limit-last: none !important }\n"))
    book = load_book(copy_book(tmp_path / "book"))
    out = tmp_path / "tr.pdf"
    pdf.render_pdf(book, make_edition(book, "tr"), out, "digital")
    assert kinds(avoidable(pdf_faults(out)))["page-end"] >= 1


# --- the rules at work on the seed book's own prose ---------------------------------------

def _prose(lang: str) -> list[str]:
    folder = REPO / ("manuscript" if lang == "tr" else "translations/en")
    blocks = [block for path in sorted(folder.glob("*.md")) for block in path.read_text(encoding="utf-8").split("\n\n")]
    text = [re.sub(r"\^\[[^\]]*\]|\[@[^\]]*\]|[*_#]", "", block).replace("\n", " ").strip() for block in blocks]
    return [block for block in text if len(block) > 200]


def _set(tmp_path: Path, rules: str, width: float, height: float, lang: str = "tr"):
    """The prose as justified paragraphs in book.css's type on a small page; the laid-out
    document and its PDF."""
    import weasyprint
    from ikidil.render import weasy_fixes
    weasy_fixes.prepare()
    paragraphs = "".join(f"<p>{block}</p>" for block in _prose(lang))
    html = f"""<html lang="{lang}"><style>@page {{ size: {width}cm {height}cm; margin: 1cm }}
      html {{ font-family: "EB Garamond 12", serif; font-size: 11pt; line-height: 1.38; hyphens: auto;
              hyphenate-limit-chars: 6 3 3; {rules} }}
      p {{ margin: 0; text-align: justify; text-indent: 1.2em; orphans: 2; widows: 2 }}</style>{paragraphs}</html>"""
    document = weasyprint.HTML(string=html).render()
    out = tmp_path / f"{abs(hash(rules))}.pdf"
    document.write_pdf(out)
    return document, out


def test_at_the_books_measure_no_page_ends_on_a_hyphen(tmp_path):
    """The text block of book.css's page (10.4 cm) on short pages, so that many pages break
    a paragraph: without the rule some end on a hyphen the layout could avoid (the PDF reading
    and WeasyPrint's boxes agree), with it none does, and the page count stays."""
    from ikidil.render.hyphen_breaks import faults
    off, off_pdf = _set(tmp_path, RULES_OFF, 12.4, 8)
    on, on_pdf = _set(tmp_path, RULES_ON, 12.4, 8)
    assert kinds(avoidable(pdf_faults(off_pdf)))["page-end"] >= 1
    assert kinds(faults(off))["page-end"] == kinds(pdf_faults(off_pdf))["page-end"] >= 2
    assert kinds(pdf_faults(on_pdf))["page-end"] == kinds(faults(on))["page-end"] == 0
    assert len(on.pages) == len(off.pages)


def test_on_a_narrow_measure_only_ladders_that_would_stretch_too_far_are_left(tmp_path):
    """A narrow measure (9 cm) hyphenates often: with no limit, runs of three and more
    hyphenated lines; with the limit, fewer, and none the layout could have avoided: each run
    left is one where setting the word whole would stretch the spaces past LOOSEST_STRETCH."""
    from ikidil.render import hyphen_breaks
    off, off_pdf = _set(tmp_path, RULES_OFF, 11, 9)
    on, on_pdf = _set(tmp_path, RULES_ON, 11, 9)
    found_off, found_on = pdf_faults(off_pdf), pdf_faults(on_pdf)
    assert kinds(found_off)["ladder"] == kinds(hyphen_breaks.faults(off))["ladder"] >= 3
    assert kinds(avoidable(found_off))["ladder"] >= 1
    assert kinds(found_on)["ladder"] < kinds(found_off)["ladder"]
    assert avoidable(found_on) == []


def test_a_paragraph_kept_with_its_list_breaks_earlier_without_a_hyphen_too(tmp_path):
    """A paragraph that introduces a list is kept with it (fit.css: `p.introduces { break-after:
    avoid }`); when the list does not fit, WeasyPrint breaks the paragraph earlier than where the
    page ran out (layout/block.py, find_earlier_page_break), and that line is held too."""
    import weasyprint
    from ikidil.render import weasy_fixes
    weasy_fixes.prepare()
    text = ("Bu dönemde Anadolu’daki komünistlerin örgütlenmesi ve iktidar mücadelesi vermesi "
            "Sovyet Rusya yönetiminin geliştirmeye çalıştığı alternatiflerin biriydi ve ") * 4
    found = {}
    for name, rules in (("off", RULES_OFF), ("on", RULES_ON)):
        html = f"""<html lang="tr"><style>@page {{ size: 12.4cm 6.6cm; margin: 1cm }}
          html {{ font-family: "EB Garamond 12", serif; font-size: 11pt; line-height: 1.38;
                  hyphens: auto; hyphenate-limit-chars: 6 3 3; {rules} }}
          p {{ margin: 0; text-align: justify; text-indent: 1.2em; orphans: 2; widows: 2 }}
          p.introduces {{ break-after: avoid }} ul {{ margin: 0 }} li {{ break-inside: avoid }}</style>
          <p>{text[:200]}</p><p class="introduces">{text[:200]} şunlardır:</p>
          <ul><li>{text[:300]}</li></ul></html>"""
        weasyprint.HTML(string=html).write_pdf(tmp_path / f"{name}.pdf")
        found[name] = kinds(avoidable(pdf_faults(tmp_path / f"{name}.pdf")))["page-end"]
    assert found == {"off": 1, "on": 0}


def test_a_word_longer_than_the_line_is_still_broken(tmp_path):
    """Holding hyphenation never makes a line overflow: a word longer than the measure breaks."""
    import weasyprint
    from ikidil.render import weasy_fixes
    weasy_fixes.prepare()
    word = "Çekoslovakyalılaştıramadıklarımızdanmışsınızcasına"
    html = f"""<html lang="tr"><style>@page {{ size: 5cm 3cm; margin: 0.5cm }}
      html {{ font-size: 11pt; hyphens: auto; {RULES_ON.replace('2', '1')} }}
      p {{ margin: 0; text-align: justify }}</style><p>{word} {word} {word}</p></html>"""
    document = weasyprint.HTML(string=html).render()
    from weasyprint.formatting_structure import boxes
    from ikidil.render.hyphen_breaks import ends_hyphenated
    lines = [(box, page._page_box) for page in document.pages for box in page._page_box.descendants()
             if isinstance(box, boxes.LineBox)]
    assert sum(ends_hyphenated(line) for line, _ in lines) >= 3     # one limit is not kept: it cannot be
    for line, page in lines:
        right = max(child.position_x + child.margin_width() for child in line.children)
        assert right <= page.content_box_x() + page.width + 1


# --- the properties -----------------------------------------------------------------------

def test_the_properties_are_css_that_weasyprint_reads_and_checks(caplog):
    import weasyprint
    from ikidil.render import weasy_fixes
    weasy_fixes.prepare()
    html = """<html lang="en"><style>
      .a { hyphenate-limit-lines: 2; hyphenate-limit-last: column }
      .b { hyphenate-limit-lines: 0; hyphenate-limit-last: spread }</style>
      <div class="a"><p>inherited</p></div><div class="b"><p>refused</p></div><p>initial</p></html>"""
    with caplog.at_level("WARNING", logger="weasyprint"):
        document = weasyprint.HTML(string=html).render()
    from weasyprint.formatting_structure import boxes
    styles = {box.element.text: box.style for box in document.pages[0]._page_box.descendants()
              if isinstance(box, boxes.BlockBox) and box.element_tag == "p"}
    assert (styles["inherited"]["hyphenate_limit_lines"], styles["inherited"]["hyphenate_limit_last"]) == (2, "column")
    for name in ("refused", "initial"):
        assert (styles[name]["hyphenate_limit_lines"], styles[name]["hyphenate_limit_last"]) == ("no-limit", "none")
    warnings = caplog.text
    assert "hyphenate-limit-lines" in warnings and "hyphenate-limit-last" in warnings
    assert "unknown property" not in warnings


def test_book_css_states_both_rules():
    css = (REPO / "src" / "ikidil" / "assets" / "book.css").read_text(encoding="utf-8")
    assert "hyphenate-limit-lines: 2" in css and "hyphenate-limit-last: column" in css
