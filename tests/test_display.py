"""Display type and the copyright page: what a publisher's book gets right on its first pages
and in every line (render/copyright.py, typeset.py, render/pdf.py's front matter)."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest

from ikidil.i18n import MONTHS, long_date
from ikidil.typeset import NBSP, WJ, ranges, title

_MONTH = "|".join(m for months in MONTHS.values() for m in months)
# a line that ends inside a range, or a line that a range's second half begins
SPLIT_RANGE = re.compile(rf"(?:\d|\b(?:{_MONTH}))\s*[–-]\s*\n\s*\d")


def raw_text(pdf, first=None, last=None) -> str:
    args = ["pdftotext"] + (["-f", str(first), "-l", str(last)] if first else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_ranges_get_an_en_dash_and_are_held_together():
    assert ranges("6-11 Ocak 1921") == f"6{WJ}–{WJ}11 Ocak 1921"
    assert ranges("22 Ağustos-13 Eylül 1921") == f"22 Ağustos{WJ}–{WJ}13 Eylül 1921"
    assert ranges("23 March–1 April") == f"23 March{WJ}–{WJ}1 April"
    assert ranges("1919–1922") == f"1919{WJ}–{WJ}1922" == ranges(ranges("1919–1922"))
    assert ranges("ISBN 978-0-415-36880-6") == "ISBN 978-0-415-36880-6"      # a chain is no range
    assert ranges("Kütahya-Eskişehir") == "Kütahya-Eskişehir"                # words keep their hyphen
    assert title("Mustafa Kemal Pasha and the Communists in Turkey") == \
        f"Mustafa Kemal Pasha and the Communists in{NBSP}Turkey"


def test_printed_titles_break_near_their_middle_at_a_phrase():
    assert title("Mustafa Kemal Pasha and the Communists in Turkey", 26) == \
        f"Mustafa Kemal Pasha and the{NBSP}Communists{NBSP}in{NBSP}Turkey"          # "…and / the Communists…"
    assert title("Mustafa Kemal Pasha and the Communists in Turkey, 1919–1922", 34) == \
        f"Mustafa Kemal Pasha and the Communists{NBSP}in{NBSP}Turkey,{NBSP}1919{WJ}–{WJ}1922"
    long = "A Supercalifragilisticexpialidocious Antidisestablishmentarianism"
    assert title(long) == long and title(long, 34) == long          # a tail that cannot fit is not held


def test_dates_as_each_language_writes_them():
    import datetime as dt
    assert long_date(dt.date(2026, 11, 24), "tr") == "24 Kasım 2026"
    assert long_date(dt.date(2026, 11, 24), "en") == "24 November 2026"


def copyright_page(pdf) -> str:
    page = next(n for n in range(1, 8) if "EB Garamond" in raw_text(pdf, n, n))
    return raw_text(pdf, page, page)


COPYRIGHT = {
    "tr": (("Mustafa Kemal Paşa ve Türkiye’deki Komünistler", "Tüm hakları saklıdır.",
            "İlk basım: 24 Kasım 2026", "EB Garamond ile dizilmiştir.", "ikidil"),
           ("Baskı:", "urn:uuid", "2026-11-24", "All rights reserved", "Dizgi:")),
    "en": (("Mustafa Kemal Pasha and the Communists in Turkey", "Translated from the Turkish",
            "Original title: Mustafa Kemal Paşa ve Türkiye’deki Komünistler, 1919–1922",
            "English translation © 2026 ikidil. All rights reserved.",
            "First published 24 November 2026", "Typeset in EB Garamond\n"),
           ("Edition:", "urn:uuid", "2026-11-24", "Typeset in:", "Tüm hakları")),
    "bilingual": (("Türkçe metin ve İngilizce çevirisi", "Turkish text with English translation",
                   "Tüm hakları saklıdır.", "English translation © 2026 ikidil.",
                   "İlk basım: 24 Kasım 2026", "First published 24 November 2026"),
                  ("bilingual", "urn:uuid")),
}


@pytest.mark.parametrize("edition", COPYRIGHT)
def test_copyright_page_in_the_editions_language(built_book, edition):
    """What each edition's copyright page says, and the internal codes it must not show."""
    text = copyright_page(built_book[2][(edition, "pdf", "digital")])
    present, absent = COPYRIGHT[edition]
    for line in present:
        assert line in text, line
    for internal in absent:
        assert internal not in text, internal


@pytest.mark.parametrize("key", [("tr", "pdf", "digital"), ("tr", "pdf", "print"), ("en", "pdf", "digital"),
                                 ("en", "pdf", "print"), ("bilingual", "pdf", "digital")])
def test_no_range_is_split_across_lines_in_a_pdf(built_book, key):
    text = raw_text(built_book[2][key])
    assert not SPLIT_RANGE.search(text), SPLIT_RANGE.search(text)
    assert re.search(r"6\s*–\s*11 Ocak|6\s*–\s*11 January", text)          # the hyphen became a dash


@pytest.mark.parametrize("edition", ["tr", "en", "bilingual"])
def test_every_range_in_the_epub_is_held_by_word_joiners(built_book, edition):
    with zipfile.ZipFile(built_book[2][(edition, "epub", None)]) as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    text = re.sub(r"<title>[^<]*</title>", "", text)          # a document's name, never laid out
    held = re.findall(rf"\d{WJ}–{WJ}\d", text)
    loose = re.findall(rf"(?:\d|\b(?:{_MONTH}))[-–](?=\d)", text)
    assert len(held) >= 5 and loose == []
    assert "22 Ağustos-13" not in text


def _ink_bottom(png, box, scale) -> int:
    """The lowest row holding ink inside a word's box (points), in pixels."""
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    crop = png.crop((x0, y0, x1, y1 + round(4 * scale))).convert("L")    # room for a descender
    rows = [y for y in range(crop.height) if any(crop.getpixel((x, y)) < 128 for x in range(crop.width))]
    return y0 + max(rows)


@pytest.mark.parametrize("edition", ["tr", "en"])
def test_contents_set_in_lining_figures(built_book, edition, tmp_path):
    """Issue 19: the contents in lining figures. Oldstyle 9s hang below the line; lining ones
    stand on it, level with a word that has no descender ("Mustafa")."""
    from PIL import Image
    pdf = built_book[2][(edition, "pdf", "digital")]
    page = next(n for n in range(1, 9) if re.search(r"İçindekiler|Contents", raw_text(pdf, n, n)))
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, encoding="utf-8", errors="replace", check=True).stdout
    words = [(w, tuple(float(v) for v in box)) for *box, w in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)]
    years = next(box for w, box in words if "1919" in w)
    mustafa = next(box for w, box in words if w == "Mustafa" and abs(box[3] - years[3]) < 1)
    dpi = 200
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(tmp_path / "toc")], check=True)
    png, scale = Image.open(tmp_path / "toc.png"), dpi / 72
    # an oldstyle 9 descends about a fifth of an em (6 px at 200 dpi and 11 pt) below the baseline
    assert _ink_bottom(png, years, scale) - _ink_bottom(png, mustafa, scale) <= 1


def test_no_lower_case_is_letter_spaced_in_the_pdf_styles():
    """Issue 19: letter-spacing only where the letters are capitals or small capitals (the
    running heads are upper-cased before they reach the page, and sit in @page rules)."""
    import tinycss2
    from ikidil.render.fetch import ASSETS
    spaced = []
    for name in ("book.css", "blocks.css", "fit.css"):
        sheet = tinycss2.parse_stylesheet((ASSETS / name).read_text(encoding="utf-8"),
                                          skip_comments=True, skip_whitespace=True)
        for rule in sheet:
            if rule.type != "qualified-rule":
                continue
            decls = {d.lower_name: tinycss2.serialize(d.value).strip()
                     for d in tinycss2.parse_blocks_contents(rule.content) if d.type == "declaration"}
            tracked = decls.get("letter-spacing", "0") not in ("0", "normal")
            capitals = "small-caps" in decls.get("font-variant", "") or decls.get("text-transform") == "uppercase"
            if tracked and not capitals:
                spaced.append(f"{name}: {tinycss2.serialize(rule.prelude).strip()}")
    assert not spaced


@pytest.mark.parametrize("edition", ["tr", "en", "bilingual"])
def test_bookmarks_are_plain_text(built_book, edition):
    """The word joiners and no-break spaces that hold a title's range and last words on a
    line are for lines only: a bookmark shows the title as plain text."""
    import pikepdf
    with pikepdf.open(built_book[2][(edition, "pdf", "digital")]) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert titles and not any(ch in t for t in titles for ch in (WJ, NBSP)), titles
    assert any("1919–1922" in t for t in titles)
