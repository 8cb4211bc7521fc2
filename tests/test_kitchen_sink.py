"""The kitchen-sink book (tests/data/kitchen-sink): every construct of Pandoc's Markdown a
book can hold, in Turkish and English, block for block. Every edition of it is built as a
user builds it and judged by what a reader and the validators see: EPUBCheck and Ace find
nothing, no page has ink outside its text area, every word of each side is in its PDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from conftest import REPO, run_ikidil

KITCHEN_SINK = REPO / "tests" / "data" / "kitchen-sink"
EDITIONS = ("tr", "en", "bilingual")
PT = 72.0
# book.css's page margins (inches): top, outer, bottom, inner; rectos (odd pages) have
# the inner margin on the left.
TOP, OUTER, BOTTOM, INNER = 0.7, 0.6, 0.8, 0.8


def copy_kitchen_sink(dest: Path) -> Path:
    shutil.copytree(KITCHEN_SINK, dest, ignore=shutil.ignore_patterns("build", ".ikidil-cache"))
    return dest


@pytest.fixture(scope="session")
def sink(tmp_path_factory):
    """The kitchen-sink book built in every edition, format and variant:
    (book folder, build's stderr, {(edition, format, variant): path})."""
    root = copy_kitchen_sink(tmp_path_factory.mktemp("sink") / "book")
    proc = run_ikidil(["build"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    outputs = {(o["edition"], o["format"], o["variant"]): root / o["path"] for o in manifest["outputs"]}
    return root, proc.stderr, outputs


def test_every_edition_builds_without_an_error_or_a_warning(sink):
    _, stderr, outputs = sink
    assert "warning" not in stderr and "error" not in stderr, stderr
    assert {(e, f) for e, f, _ in outputs} == {(e, f) for e in EDITIONS for f in ("epub", "pdf")}
    assert {v for e, f, v in outputs if f == "pdf"} == {"digital", "print"}


@pytest.fixture(scope="session")
def verdicts(sink):
    root, _, _ = sink
    proc = run_ikidil(["check", "--outputs", "--format", "json"], cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["outputs"]


def test_epubcheck_and_ace_find_nothing_in_any_edition(verdicts):
    code, found = verdicts
    assert {v["tool"] for v in found} == {"epubcheck", "ace"} and len(found) == 2 * len(EDITIONS)
    bad = [v for v in found if v["errors"] or v["warnings"]]
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)[:3000]
    assert code == 0


def xhtml(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith(".xhtml")}


@pytest.mark.parametrize("edition", EDITIONS)
def test_in_book_links_lead_to_their_heading_and_ids_are_unique(sink, edition):
    _, _, outputs = sink
    files = xhtml(outputs[(edition, "epub", None)])
    ids = {}
    for name, root in files.items():
        for element in root.iter():
            ident = element.get("id") if isinstance(element.tag, str) else None
            if ident:
                assert ident not in ids.get(name, set()), (name, ident)
                ids.setdefault(name, set()).add(ident)
    hrefs = {}
    for name, root in files.items():
        for a in root.iter("{http://www.w3.org/1999/xhtml}a"):
            text = " ".join("".join(a.itertext()).split())
            hrefs[text] = a.get("href")
    texts = {"tr": ["ikinci bölümün sonu", "tablolar", "ikinci bölüm", "yapılar"],
             "en": ["the end of the second chapter", "tables", "the second chapter", "constructs"]}
    for text in texts.get(edition, texts["tr"] + texts["en"]):
        href = hrefs[text]
        target_file, _, fragment = href.partition("#")
        assert fragment, href
        holder = next(n for n in files if n.endswith("/" + target_file))
        assert fragment in ids[holder], (text, href)


def text_area(page: pikepdf.Page, number: int, bleed: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the text block in points from the media box's top left."""
    media = [float(v) for v in page.mediabox]
    trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
    left_margin, right_margin = (INNER, OUTER) if number % 2 else (OUTER, INNER)
    x0 = trim[0] - media[0] + left_margin * PT
    x1 = trim[2] - media[0] - right_margin * PT
    y0 = media[3] - trim[3] + TOP * PT
    y1 = media[3] - trim[1] - BOTTOM * PT
    return x0, y0, x1, y1


def ink_outside(pdf: Path, folder: Path, dpi: int = 40) -> list[tuple[int, int, int]]:
    """(page, x, y) of the first dark pixel found left or right of each page's text block,
    inside the trim (crop marks and bleed outside it are not looked at)."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(folder / "p")], check=True)
    pngs = sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    crossing = []
    with pikepdf.open(pdf) as doc:
        assert len(pngs) == len(doc.pages)
        for number, (png, page) in enumerate(zip(pngs, doc.pages), start=1):
            x0, y0, x1, y1 = (v * dpi / PT for v in text_area(page, number, 0))
            trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
            media = [float(v) for v in page.mediabox]
            tx0, tx1 = ((trim[0] - media[0]) * dpi / PT, (trim[2] - media[0]) * dpi / PT)
            image = Image.open(png).convert("L").load()
            for y in range(int(y0), int(y1)):
                for x in list(range(int(tx0) + 2, int(x0) - 2)) + list(range(int(x1) + 2, int(tx1) - 2)):
                    if image[x, y] < 160:
                        crossing.append((number, x, y))
                        break
    return crossing


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("variant", ("digital", "print"))
def test_no_ink_outside_the_text_area_on_any_page(sink, tmp_path, edition, variant):
    """Every page rendered: left and right of the text block there is nothing (running heads
    and folios live above and below it)."""
    _, _, outputs = sink
    crossing = ink_outside(outputs[(edition, "pdf", variant)], tmp_path)
    assert not crossing, f"ink outside the text area (page, x, y): {crossing[:10]}"


def test_the_ink_test_sees_what_crosses_the_margin(tmp_path):
    """The page test above finds a block that does cross (laid out with book.css's margins)."""
    import weasyprint
    css = (f"@page {{ size: 6in 9in; margin: {TOP}in {OUTER}in {BOTTOM}in {INNER}in; }}"
           ".wide { width: 130%; height: 1in; background: black; }")
    weasyprint.HTML(string='<p>text</p><div class="wide"></div>').write_pdf(
        tmp_path / "wide.pdf", stylesheets=[weasyprint.CSS(string=css)])
    assert ink_outside(tmp_path / "wide.pdf", tmp_path)


def words_of(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W\d_]{3,}", unicodedata.normalize("NFC", text))}


def squeezed(text: str) -> str:
    """A PDF's text with every space, line end and hyphen taken out: a word wrapped in code,
    or hyphenated at a line end, reads whole again."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", unicodedata.normalize("NFC", text)).casefold()


def source_words(root: Path, lang: str) -> set[str]:
    from ikidil.ast import stringify, transform
    from ikidil.load import load_book
    book = load_book(root)
    words = set()
    for chapter in book.chapters[lang]:
        for block in chapter.blocks:
            # An image's description is for screen readers (it is in the PDF's tags, not its text).
            shown = transform(block.node, lambda n: [] if n["t"] == "Image" else None)
            words |= words_of(stringify(shown))
            for node in _code_texts(block.node):
                words |= words_of(node)
    return words


def _code_texts(node):
    from ikidil.ast import walk
    for element in walk(node):
        if element["t"] == "CodeBlock":
            yield element["c"][1]


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_word_of_each_side_is_in_its_pdf(sink, edition):
    root, _, outputs = sink
    text = squeezed(subprocess.run(["pdftotext", "-raw", str(outputs[(edition, "pdf", "digital")]), "-"],
                                   capture_output=True, text=True, check=True).stdout)
    langs = ("tr", "en") if edition == "bilingual" else (edition,)
    missing = sorted(w for lang in langs for w in source_words(root, lang) if w not in text)
    assert not missing, missing


def test_guard_names_the_block_that_crosses_the_text_block_or_its_column():
    """pdf_guards reads the laid-out boxes: a box wider than the page, and one wider than its
    bilingual column (though inside the page), are reported with their block."""
    import weasyprint
    from ikidil.render.pdf_guards import problems
    html = """<section id="ch-a">
      <p data-block="ch-a:1">text</p>
      <div data-block="ch-a:2"><div style="width: 140%; height: 10px"></div></div>
      <div class="bi-pair" data-block="ch-a:3" style="display: grid; grid-template-columns: 1fr 1fr">
        <div class="bi-block bi-source" style="min-width: 0"><div style="width: 160%; height: 10px"></div></div>
        <div class="bi-block bi-translation">text</div>
      </div></section>"""
    css = weasyprint.CSS(string="@page { size: 6in 9in; margin: 1in; }")
    found = [p for p in problems(weasyprint.HTML(string=html).render(stylesheets=[css]))
             if p.kind == "outside-text-block"]
    assert [(p.block, "column" in p.detail) for p in found] == [("ch-a:2", False), ("ch-a:3", True)], found


def test_a_character_no_installed_face_has_is_a_warning_naming_it_file_and_line(tmp_path):
    root = copy_kitchen_sink(tmp_path / "book")
    chapter = root / "manuscript" / "02-son.md"
    chapter.write_text(chapter.read_text().replace("Kitabın son paragrafı.", "Kitabın son paragrafı 🩻."))
    proc = run_ikidil(["build", "-e", "tr", "-f", "pdf", "--pdf-variant", "digital"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "PDF004" in line]
    assert lines == ["manuscript/02-son.md:7: warning PDF004: '🩻' (U+1FA7B X-RAY) is in no installed font: "
                     "the PDF prints an empty box; write it another way, or install a face that has it "
                     "(scripts/setup-system.sh)"], proc.stderr
    assert "📚" not in proc.stderr and "😀" not in proc.stderr          # Symbola has those


@pytest.mark.parametrize("link, message", [
    ("../sayfa.md", "link to '../sayfa.md' does not lead to a chapter of the book"),
    ("/url", "link to '/url' does not lead to a chapter of the book"),
    ("script", "link to 'script' does not lead to a chapter of the book"),
    ("02-son.md#yok", "link to '02-son.md#yok': 02-son.md has no heading or element with id 'yok'"),
    ("#tablolarr", "link to '#tablolarr': 01-yapilar.md has no heading or element with id 'tablolarr'"),
])
def test_a_link_that_leads_nowhere_is_refused_with_file_and_line(tmp_path, link, message):
    root = copy_kitchen_sink(tmp_path / "book")
    chapter = root / "manuscript" / "01-yapilar.md"
    chapter.write_text(chapter.read_text().replace("[Pandoc](https://pandoc.org)", f"[Pandoc]({link})"))
    proc = run_ikidil(["check"], cwd=root)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[0].startswith(f"ikidil: manuscript/01-yapilar.md:21: {message} ("), proc.stderr
    assert "Traceback" not in proc.stderr


def test_block_lines_after_tables_code_raw_html_and_definition_lists():
    """Each block's line is where it starts in the file, whatever comes before it."""
    from ikidil.load import block_lines
    from ikidil.pandoc import read_markdown
    source = (KITCHEN_SINK / "manuscript" / "01-yapilar.md").read_text()
    doc = read_markdown(source, KITCHEN_SINK / "manuscript" / "01-yapilar.md")
    lines = source.split("\n")
    starts = {}
    for block, line in zip(doc["blocks"], block_lines(source, doc["blocks"])):
        starts.setdefault(block["t"], []).append(lines[line - 1])
    assert starts["CodeBlock"][:3] == ["```python", "```rust", "```sh"]
    assert starts["CodeBlock"][-1] == "    girintili kod bloğu"
    assert starts["Table"][0].split() == ["Sağ", "Sol", "Orta", "Varsayılan"]
    assert starts["Table"][1].startswith("| Sütun") and starts["Table"][-1].startswith("Çok satırlı")
    assert starts["DefinitionList"] == ["Terim bir"]
    assert starts["Div"] == ["::: uyari"]
    after = [lines[line - 1] for block, line in zip(doc["blocks"], block_lines(source, doc["blocks"]))
             if block["t"] == "Header" and block["c"][0] == 2]
    assert after[-3:] == ["## Matematik", "## Dipnotlar", "## Bölümler ve simgeler"]


@pytest.mark.parametrize("edition, head", [("tr", "YAPILAR: COMPREHENSIVE RUST"),
                                           ("bilingual", "CONSTRUCTS: COMPREHENSIVE RUST")])
def test_running_head_uppercases_each_piece_of_a_title_in_its_own_language(sink, edition, head):
    """`# Yapılar: [Comprehensive Rust]{lang=en}`: Turkish rules for Turkish, English for English."""
    _, _, outputs = sink
    text = subprocess.run(["pdftotext", str(outputs[(edition, "pdf", "digital")]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert head in text and "COMPREHENSİVE" not in text


def test_raw_latex_is_refused_with_file_line_and_hint(tmp_path):
    """No edition goes through TeX: `\\newpage` would print as its source."""
    root = copy_kitchen_sink(tmp_path / "book")
    chapter = root / "manuscript" / "02-son.md"
    chapter.write_text(chapter.read_text().replace("Kitabın son paragrafı.", "Kitabın son paragrafı.\n\n\\newpage"))
    proc = run_ikidil(["check"], cwd=root)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("ikidil: manuscript/02-son.md:9: raw LaTeX '\\newpage' is not supported"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_raw_html_warnings_name_their_own_line_after_tables_code_and_definition_lists(tmp_path):
    root = copy_kitchen_sink(tmp_path / "book")
    chapter = root / "manuscript" / "01-yapilar.md"
    text = chapter.read_text()
    text = text.replace("Yatay çizginin ardından son paragraf.",
                        "Yatay çizginin ardından <b>son</b> paragraf.\n\n<section>\n\nSon söz.\n\n</section>")
    chapter.write_text(text)
    lines = text.split("\n")
    proc = run_ikidil(["check"], cwd=root)
    warned = [line for line in proc.stderr.splitlines() if "raw HTML" in line]
    expected = [f"manuscript/01-yapilar.md:{lines.index(html) + 1}:" for html in
                ("Yatay çizginin ardından <b>son</b> paragraf.", "<section>", "</section>")]
    assert list(dict.fromkeys(w.split(" warning")[0] for w in warned)) == expected, proc.stderr


def test_a_paragraph_ending_with_a_colon_is_kept_with_its_list_or_code():
    """pdf.prepare_body marks it; fit.css keeps it off the page foot (break-after: avoid)."""
    from ikidil.render.pdf import prepare_body
    from ikidil.transform import Edition
    body = ('<section id="ch-a" class="level1"><h1>A</h1><p>Steps:</p><ol><li>one</li></ol>'
            '<p>Code:</p><div class="sourceCode"><pre><code>x</code></pre></div>'
            '<p>Not this:</p><p>a paragraph</p><p>Nor this.</p><ul><li>x</li></ul></section>')
    html, _ = prepare_body(body, Edition("en", "en", ("en",), "T", None, {}), REPO)
    from lxml import html as lhtml
    marked = [p.text_content() for p in lhtml.fragment_fromstring(html, create_parent="div").iter("p")
              if "introduces" in (p.get("class") or "")]
    assert marked == ["Steps:", "Code:"]
    assert "p.introduces { break-after: avoid; }" in (REPO / "src/ikidil/assets/fit.css").read_text()


@pytest.mark.parametrize("edition", ["tr", "bilingual"])
def test_a_paragraph_after_a_list_starts_flush(sink, edition):
    """Indented, "Seyrek bir numaralı liste:" read as one more item of the list above it: a
    paragraph after a list or code starts at the text's edge, as a definition term does."""
    pdf = sink[2][(edition, "pdf", "digital")]
    for page in range(1, len(pikepdf.open(pdf).pages) + 1):
        html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, encoding="utf-8", errors="replace", check=True).stdout
        left = {w: float(x) for x, w in re.findall(r'xMin="([\d.]+)"[^>]*>(Seyrek|Görev|Terim)<', html)}
        if len(left) == 3:
            assert abs(left["Seyrek"] - left["Terim"]) < 0.5 and abs(left["Görev"] - left["Terim"]) < 0.5
            return
    pytest.fail("no page holds the list's paragraphs and a definition term")


def test_a_task_list_has_boxes_without_bullets(sink):
    """Pandoc's `- [ ] x` reaches the page as a plain list of "☐ …" items: render/task_lists.py
    marks it so that no bullet stands before a box ("• ☐"), in the EPUB and the PDF."""
    from ikidil.render import task_lists
    from lxml import html as lhtml
    plain = lhtml.fragment_fromstring("<div><ul><li>☐ a</li><li><p>☒ b</p></li></ul><ul><li>x</li></ul></div>")
    task_lists.mark(plain.iter("ul"))
    assert [ul.get("class") for ul in plain.iter("ul")] == ["task-list", None]
    chapter = etree.fromstring(zipfile.ZipFile(sink[2][("tr", "epub", None)]).read("EPUB/text/ch001.xhtml"))
    boxes = [ul for ul in chapter.iter("{http://www.w3.org/1999/xhtml}ul")
             if "".join(ul.itertext()).strip().startswith("☐")]
    assert boxes and all(ul.get("class") == "task-list" for ul in boxes)
    text = subprocess.run(["pdftotext", "-layout", str(sink[2][("tr", "pdf", "digital")]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "☐ yapılacak iş" in text and not re.search(r"•\s*☐", text)


def page_lines(pdf: Path) -> list[tuple[int, float, list[tuple[float, float, str]]]]:
    """Every line of every page: (page, top, [(x0, x1, word), …] left to right)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         encoding="utf-8", errors="replace", check=True).stdout
    lines: dict[tuple[int, float], list] = {}
    for number, page in enumerate(out.split("<page ")[1:], start=1):
        for x0, y0, x1, word in re.findall(
                r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page):
            lines.setdefault((number, round(float(y0), 1)), []).append((float(x0), float(x1), word))
    return [(page, top, sorted(words)) for (page, top), words in sorted(lines.items())]


def gaps(words: list[tuple[float, float, str]]) -> list[float]:
    return [b[0] - a[1] for a, b in zip(words, words[1:])]


@pytest.mark.parametrize("edition", ["tr", "en"])
def test_a_line_before_a_url_is_not_stretched_and_the_url_copies_whole(sink, edition):
    """A justified line before an unbreakable URL opened gaps of 16 pt (issue 19): the URL
    breaks after / . - _ ? & = : @ (render/url_breaks.py, <wbr>), so the line is set with
    ordinary spaces; the PDF's text is the URL itself, no zero-width character in it."""
    pdf = sink[2][(edition, "pdf", "digital")]
    lines = page_lines(pdf)
    line = next(words for _, _, words in lines if any("https://example.org" in w for _, _, w in words))
    assert max(gaps(line)) < 5.5, [(w, round(g, 1)) for (_, _, w), g in zip(line[1:], gaps(line))]
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "https://example.org/kitap/yol" in text and "\u200b" not in text and "\u00ad" not in text
    assert "mailto:yazar@example.org" in squeezed(text)
    # the EPUB's too: a phone's line is as justified as the page's
    x = "{http://www.w3.org/1999/xhtml}"
    chapter = etree.fromstring(zipfile.ZipFile(sink[2][(edition, "epub", None)]).read("EPUB/text/ch001.xhtml"))
    link = next(a for a in chapter.iter(x + "a") if a.get("href") == "https://example.org/kitap/yol")
    assert len(link.findall(x + "wbr")) == 4 and "".join(link.itertext()) == "https://example.org/kitap/yol"


def test_url_breaks_go_into_links_and_long_code_only():
    from lxml import html as lhtml
    from ikidil.render import url_breaks
    root = lhtml.fragment_fromstring(
        '<div><p><a href="https://e.org/a" class="uri">https://ex.org/kitap/yol_bir?x=1&amp;yy=22</a> '
        '<a href="#x">bir/iki.üç</a> <code>target/release/ikidil</code> <code>a.b.c</code> '
        '<a href="http://x.org">www.x.org/ab</a></p><pre><code>uzun/bir/yol/burada.txt</code></pre></div>')
    url_breaks.insert(root)
    pieces = lambda el: [el.text] + [w.tail for w in el.iter("wbr")]
    uri, inner, code, short, www = list(root.iter("a", "code"))[:5]
    assert pieces(uri) == ["https://", "ex.", "org/", "kitap/", "yol_", "bir?x=1&", "yy=", "22"]
    assert pieces(inner) == ["bir/iki.üç"] and pieces(short) == ["a.b.c"]
    assert pieces(code) == ["target/", "release/", "ikidil"]
    assert pieces(www) == ["www.x.", "org/", "ab"] and "uri" in www.get("class")
    assert not list(root.find("pre").iter("wbr"))
    prose = lhtml.fragment_fromstring("<p>Bkz. https://ornek.org/yol ve Türk-Sovyet_ilişkileri/1919–1922, "
                                      "<em>(www.site.com/yol)</em>.</p>")
    url_breaks.insert(prose)
    assert [w.tail for w in prose.iter("wbr")] == ["ornek.", "org/", "yol ve Türk-Sovyet_ilişkileri/1919–1922, ",
                                                   "site.", "com/", "yol)"]


def test_a_notes_list_and_paragraphs_are_set_tight(sink):
    """A note holding paragraphs, a list and code: WeasyPrint set a blank line after each
    <br> of a footnote (each item 22 pt below the last); its lines are now one line apart."""
    pdf = sink[2][("tr", "pdf", "digital")]
    lines = page_lines(pdf)
    start = next(i for i, (_, _, words) in enumerate(lines) if any(w == "Dipnotun" for _, _, w in words))
    note = lines[start:start + 5]
    assert [words[-1][2] for _, _, words in note] == ["paragrafı.", "listeyle:", "birinci", "ikinci", "notta"]
    pitches = [b[1] - a[1] for a, b in zip(note, note[1:])]
    assert note[0][0] == note[-1][0] and max(pitches) < 13, pitches       # 8.5 pt type, 1.3 lines


def test_a_heading_holding_a_span_of_another_language_has_even_spaces(sink):
    """`# Yapılar: [Comprehensive Rust]{lang=en}`: the inner span's title was held twice,
    a space and a no-break space after the colon (a gap twice as wide) in the bilingual
    edition; its bookmark named "Comprehensive Rust" twice."""
    for edition, first in (("tr", "Yapılar:"), ("bilingual", "Yapılar:"), ("bilingual", "Constructs:")):
        pdf = sink[2][(edition, "pdf", "digital")]
        line = next(words for _, top, words in page_lines(pdf)
                    if [w for _, _, w in words] == [first, "Comprehensive", "Rust"])
        spaces = gaps(line)
        assert abs(spaces[0] - spaces[1]) < 0.5, (edition, first, spaces)
    with pikepdf.open(sink[2][("bilingual", "pdf", "digital")]) as doc, doc.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert "Yapılar: Comprehensive Rust / Constructs: Comprehensive Rust" in titles, titles


def test_a_title_held_together_is_held_once():
    from ikidil import typeset
    held = typeset.title("Comprehensive Rust", 34)
    assert held == "Comprehensive\u00a0Rust" and typeset.title(held, 34) == held
    assert typeset.title(" The End") == " The\u00a0End"


def view(epub: Path, chapter: str, scheme: str, folder: Path) -> dict:
    """tests/epub_view.js: the chapter as Chromium shows it 400 px wide, light or dark."""
    unpacked = folder / f"{epub.stem}-{scheme}"
    with zipfile.ZipFile(epub) as zf:
        zf.extractall(unpacked)
    proc = subprocess.run(["node", str(REPO / "tests" / "epub_view.js"), str(unpacked / "EPUB" / "text" / chapter),
                           scheme], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tables_scroll_sideways_on_a_phone_and_break_only_between_words(sink, tmp_path, scheme):
    """At 400 px the 9-column table broke letter by letter ("bi|r", "dö|rt"): each table is in a
    wrapper that scrolls sideways, its cells broken between words; narrow tables keep their width."""
    tables = view(sink[2][("tr", "epub", None)], "ch001.xhtml", scheme, tmp_path)["tables"]
    assert len(tables) == 6 and all(t["overflow"] == "auto" for t in tables)
    assert [t["broken"] for t in tables] == [[]] * 6
    wide = [t for t in tables if t["columns"] == 9]
    assert wide and all(t["scrolls"] and t["table"] > t["wrap"] for t in wide)
    narrow = [t for t in tables if t["columns"] <= 4]
    assert narrow and all(not t["scrolls"] and t["table"] < t["wrap"] for t in narrow)
    assert ["right", "right"] in [t["right"] for t in tables]        # the "Sayı" column


@pytest.mark.parametrize("edition", ["tr", "bilingual"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_nothing_ikidil_styles_vanishes_or_glares_in_night_mode(sink, tmp_path, edition, scheme):
    """Dark: `prefers-color-scheme: dark` and a reader's night theme (dark page, light text).
    The code box was a light box with dark ink on the black page; now no text is below 4.5:1
    on what is under it (code highlighting included), no element paints a light box on the
    dark page, and every rule (tables, code box, the translation's rule) can be seen."""
    found = view(sink[2][(edition, "epub", None)], "ch001.xhtml", scheme, tmp_path)
    assert (sum(found["canvas"][:3]) < 100) == (scheme == "dark")
    assert found["text"] == [] and found["boxes"] == [] and found["rules"] == [], found


def test_each_epub_table_is_a_named_focusable_region():
    """The scrolling wrapper can be reached from the keyboard and is named by the table's
    caption, else "Tablo n" (axe's scrollable-region-focusable; no two share a name)."""
    from ikidil.render import epub_tables
    x = "{http://www.w3.org/1999/xhtml}"
    root = etree.fromstring(
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="tr"><body><section id="ch-a">'
        '<table><caption>Sayılar</caption><tr><td>1</td></tr></table><p>x</p>'
        '<div lang="en"><table><tr><td>2</td></tr></table></div></section></body></html>')
    epub_tables.wrap(root, "ch-a", "tr")
    epub_tables.wrap(root, "ch-a", "tr")                     # once only
    wraps = [d for d in root.iter(x + "div") if d.get("class") == "table-wrap"]
    assert len(wraps) == 2 and all(w.get("role") == "region" and w.get("tabindex") == "0" for w in wraps)
    assert [len(w) for w in wraps] == [1, 1] and wraps[0].tail is None
    assert wraps[0].get("aria-labelledby") == "ch-a-table1-caption" == wraps[0].find(f"{x}table/{x}caption").get("id")
    assert wraps[1].get("aria-label") == "Table 2"
    assert wraps[0].getnext().tag == x + "p"


def test_the_night_view_sees_a_light_box_dim_text_a_lost_rule_and_a_broken_word(tmp_path):
    """epub_view.js finds what the tests above must not find (the EPUB's old code box: a light
    tint with dark ink; a dark rule; a table whose cells break anywhere)."""
    page = tmp_path / "page.xhtml"
    page.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="tr"><head>'
        '<title>t</title><style>pre { background: #f6f6f4; color: #1a1a1a; } .dim { color: #06287e; }'
        ' hr { border: 0; border-top: 1px solid #222; } td { overflow-wrap: anywhere; }</style></head><body>'
        '<pre>kod</pre><p class="dim">koyu</p><hr/><div class="table-wrap" style="width: 60px">'
        '<table><tr><td>sekiz</td><td>dokuz</td></tr></table></div></body></html>', encoding="utf-8")
    proc = subprocess.run(["node", str(REPO / "tests" / "epub_view.js"), str(page), "dark"],
                          capture_output=True, text=True, timeout=180)
    found = json.loads(proc.stdout)
    assert [b["element"] for b in found["boxes"]] == ["pre"]
    assert [t["text"] for t in found["text"]] == ["koyu"]
    assert ("hr", "Top") in {(r["element"], r["side"]) for r in found["rules"]}
    assert found["tables"][0]["broken"]


def test_a_note_ending_with_a_list_or_code_closes_with_its_back_link(sink):
    """The back link stood after the note's last paragraph, before its list and code."""
    x = "{http://www.w3.org/1999/xhtml}"
    chapter = etree.fromstring(zipfile.ZipFile(sink[2][("tr", "epub", None)]).read("EPUB/text/ch001.xhtml"))
    note = next(d for d in chapter.iter(x + "div") if "".join(d.itertext()).strip().startswith("1. Dipnotun"))
    assert [child.tag.removeprefix(x) for child in note] == ["p", "p", "ul", "pre", "p"]
    assert [a.get("role") for a in note[-1]] == ["doc-backlink"] and not (note[-1].text or "").strip()
    assert not note[1].findall(x + "a")
