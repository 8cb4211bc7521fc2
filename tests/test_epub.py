"""The EPUB editions as readers and validators see them: EPUBCheck and DAISY Ace verdicts,
the bilingual structure and its language tags, notes linked both ways and numbered per
language, navigation, metadata, cover and title page, byte-identical rebuilds."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path

import ebooklib
import pytest
from ebooklib import epub
from lxml import etree

from conftest import copy_book, run_ikidil

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EDITIONS = ("tr", "en", "bilingual")
BOOK_ID = "urn:uuid:6f1c2a8e-3d4b-4e0a-9b7c-2f5d8e1a4c90"


def xhtml_files(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as zf:
        return {n.removeprefix("EPUB/"): etree.fromstring(zf.read(n))
                for n in zf.namelist() if n.endswith(".xhtml")}


def opf(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("EPUB/content.opf"))


def lang_of(el: etree._Element) -> str | None:
    while el is not None:
        if el.get("lang"):
            return el.get("lang")
        el = el.getparent()
    return None


def text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


# ---- validators, through the command line a user runs

@pytest.fixture(scope="session")
def output_verdicts(epub_book):
    root, _ = epub_book
    proc = run_ikidil(["check", "--outputs", "--format", "json"], cwd=root)
    assert proc.returncode in (0, 1), proc.stderr          # 2 would mean a validator could not run
    return proc.returncode, json.loads(proc.stdout)["outputs"]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("tool", ["epubcheck", "ace"])
def test_epubcheck_and_ace_report_nothing(output_verdicts, epub_book, edition, tool):
    _, verdicts = output_verdicts
    verdict = next(v for v in verdicts if v["tool"] == tool and Path(v["path"]) == epub_book[1][edition])
    assert verdict["errors"] == [] and verdict["warnings"] == [], verdict
    assert verdict["ok"]


def test_check_outputs_exits_0_when_every_epub_passes(output_verdicts):
    returncode, verdicts = output_verdicts
    assert returncode == 0
    assert {v["tool"] for v in verdicts} == {"epubcheck", "ace"} and len(verdicts) == 2 * len(EDITIONS)


def test_check_outputs_exits_1_on_an_accessibility_violation(epub_book, tmp_path):
    """An image without a text alternative: Ace must fail the book."""
    root = copy_book(tmp_path / "book")
    (root / "build").mkdir()
    source = epub_book[1]["tr"]
    broken = root / "build" / source.name
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("cover.xhtml"):
                data = re.sub(rb' alt="[^"]*"', b"", data)
            zout.writestr(info, data)
    (root / "build" / "manifest.json").write_text(json.dumps(
        {"outputs": [{"edition": "tr", "format": "epub", "variant": None, "path": f"build/{source.name}"}]}))
    proc = run_ikidil(["check", "--outputs"], cwd=root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"ace: .*error", proc.stdout) and "image-alt" in proc.stdout


def test_check_outputs_says_loudly_when_a_validator_cannot_run(epub_book):
    root, _ = epub_book
    proc = run_ikidil(["check", "--outputs"], cwd=root, env={"PATH": "/nonexistent"})
    assert proc.returncode == 2
    assert "not installed" in proc.stderr and "ok" not in proc.stdout


# ---- the bilingual edition

def test_bilingual_blocks_alternate_each_in_its_language(epub_book):
    docs = xhtml_files(epub_book[1]["bilingual"])
    pairs = [p for root in docs.values() for p in root.iterfind(".//x:div[@class='bi-pair']", NS)]
    assert len(pairs) > 10
    for pair in pairs:
        blocks = pair.findall("x:div", NS)
        assert [b.get("lang") for b in blocks] == ["tr", "en"]
        assert [b.get(XML_LANG) for b in blocks] == ["tr", "en"]
        assert "bi-source" in blocks[0].get("class") and "bi-translation" in blocks[1].get("class")
        assert text(blocks[0]) and text(blocks[1])


def test_every_lang_is_mirrored_as_xml_lang(epub_book):
    for edition, path in epub_book[1].items():
        for name, root in xhtml_files(path).items():
            for el in root.iter():
                if isinstance(el.tag, str) and el.get("lang"):
                    assert el.get(XML_LANG) == el.get("lang"), (edition, name, el.tag)


def test_reflowable_without_tables_or_scripts(epub_book):
    for path in epub_book[1].values():
        assert b"pre-paginated" not in etree.tostring(opf(path))
        for root in xhtml_files(path).values():
            assert not root.findall(".//x:table", NS) and not root.findall(".//x:script", NS)


def test_bilingual_headings_and_navigation_show_both_titles_once(epub_book):
    path = epub_book[1]["bilingual"]
    docs = xhtml_files(path)
    chapter_h1 = docs["text/ch001.xhtml"].find(".//x:h1", NS)
    titles = {s.get("lang"): text(s) for s in chapter_h1.iterfind("x:span[@lang]", NS)}
    assert titles["tr"].startswith("Mustafa Kemal Paşa ve Türkiye’deki Komünistler")
    assert titles["en"].startswith("Mustafa Kemal Pasha and the Communists in Turkey")
    entries = [text(a) for a in docs["nav.xhtml"].iterfind(".//x:nav[@epub:type='toc']//x:a", NS)]
    assert entries == [f"{titles['tr']} / {titles['en']}", "Kaynakça / Bibliography"]
    with zipfile.ZipFile(path) as zf:
        ncx = etree.fromstring(zf.read("EPUB/toc.ncx"))
    labels = [t.text for t in ncx.iterfind(".//ncx:navPoint/ncx:navLabel/ncx:text", NS)]
    assert labels == entries


# ---- notes

def note_links(path: Path):
    """(ref, its file, note, note's file) for every note call of the book."""
    docs = xhtml_files(path)
    ids = {el.get("id"): (name, el) for name, root in docs.items() for el in root.iter() if el.get("id")}
    for name, root in docs.items():
        for ref in root.iterfind(".//x:a[@epub:type='noteref']", NS):
            file, _, anchor = ref.get("href").rpartition("#")
            note_file, note = ids[anchor]
            assert note_file == (f"text/{file}" if file else name)
            yield ref, name, note, note_file


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_note_call_links_to_its_note_and_back(epub_book, edition):
    count = 0
    for ref, ref_file, note, note_file in note_links(epub_book[1][edition]):
        count += 1
        assert ref.get("role") == "doc-noteref"
        assert note.tag == f"{{{NS['x']}}}div"         # not aside: Apple Books would hide it
        assert note.get("{%s}type" % NS["epub"]) == "footnote" and note.get("role") == "doc-footnote"
        backs = note.findall(".//x:a[@role='doc-backlink']", NS)
        assert len(backs) == 1
        file, _, anchor = backs[0].get("href").rpartition("#")
        assert anchor == ref.get("id") and (f"text/{file}" if file else note_file) == ref_file
        assert note.get("lang") == lang_of(ref) == note.get(XML_LANG)
        assert text(note.find(".//x:span[@class='footnote-number']", NS)) == f"{text(ref)}."
        assert text(backs[0]) == "\u21a9\ufe0e"                     # ↩︎, never the emoji
    assert count == {"tr": 3, "en": 4, "bilingual": 7}[edition]     # en: the translator's note


def test_bilingual_notes_are_numbered_per_language_in_their_own_sections(epub_book):
    root = xhtml_files(epub_book[1]["bilingual"])["text/ch001.xhtml"]
    numbers = {"tr": [], "en": []}
    for ref in root.iterfind(".//x:a[@epub:type='noteref']", NS):
        numbers[lang_of(ref)].append(text(ref))
    assert numbers == {"tr": ["1", "2", "3"], "en": ["a", "b", "c", "d"]}      # as the PDF: a, b… for the translation
    sections = root.findall(".//x:section[@epub:type='footnotes']", NS)
    assert [(s.get("lang"), text(s.find("x:h2", NS))) for s in sections] == [("tr", "Notlar"), ("en", "Notes")]
    for section in sections:
        assert {n.get("lang") for n in section.iterfind("x:div", NS)} == {section.get("lang")}
    english = sections[1].findall("x:div", NS)
    assert text(english[0]).startswith("a. For the texts of the minutes")


def test_ids_are_unique_across_each_book(epub_book):
    for path in epub_book[1].values():
        seen = {}
        for name, root in xhtml_files(path).items():
            for el in root.iter():
                if el.get("id") and name != "nav.xhtml":
                    assert el.get("id") not in seen, (path.name, name, el.get("id"), seen.get(el.get("id")))
                    seen[el.get("id")] = name


@pytest.mark.parametrize("edition, heading", [("tr", "Kaynakça"), ("en", "Bibliography")])
def test_bibliography_in_the_edition_language_with_titles_untouched(epub_book, edition, heading):
    docs = xhtml_files(epub_book[1][edition])
    section = next(r.find(".//x:section[@id='bibliography']", NS) for r in docs.values()
                   if r.find(".//x:section[@id='bibliography']", NS) is not None)
    assert text(section.find("x:h1", NS)) == heading
    entries = text(section)
    assert "Atatürk’ün Sovyetler’le Görüşmeleri: Sovyet Arşiv Belgeleriyle" in entries
    # the title's words untouched; its range set with an en dash held by word joiners (typeset.py)
    assert "Soviet Eastern Policy and Turkey, 1920\u2060–\u20601991: Soviet Foreign Policy, Turkey and Communism" in entries


def test_bilingual_bibliography_has_each_language_once(epub_book):
    docs = xhtml_files(epub_book[1]["bilingual"])
    lists = [d for r in docs.values() for d in r.iterfind(".//x:div[@class='bi-bibliography']", NS)]
    assert [d.get("lang") for d in lists] == ["tr", "en"]
    assert "sy 2" in text(lists[0]) and "no. 2" in text(lists[1])      # localised by citeproc


# ---- metadata (read back with ebooklib), cover and title page

@pytest.mark.parametrize("edition", EDITIONS)
def test_package_metadata(epub_book, edition):
    book = epub.read_epub(str(epub_book[1][edition]), {"ignore_ncx": True})
    titles = [t for t, _ in book.get_metadata("DC", "title")]
    languages = [t for t, _ in book.get_metadata("DC", "language")]
    identifier = book.get_metadata("DC", "identifier")[0][0]
    expected = {"tr": ["tr"], "en": ["en"], "bilingual": ["tr", "en"]}[edition]
    assert languages == expected
    assert identifier == f"urn:uuid:{uuid.uuid5(uuid.UUID(BOOK_ID[9:]), f'{edition}/epub')}"
    if edition == "bilingual":
        assert titles == ["Mustafa Kemal Paşa ve Türkiye’deki Komünistler / Mustafa Kemal Pasha and the Communists in Turkey"]
    assert book.get_metadata("DC", "date")[0][0] == "2026-11-24"
    assert book.get_metadata("DC", "publisher")[0][0] == "ikidil"
    assert book.get_metadata("DC", "rights")[0][0] == {
        "tr": "Tüm hakları saklıdır.", "en": "English translation © 2026 ikidil. All rights reserved.",
        "bilingual": "Tüm hakları saklıdır. / English translation © 2026 ikidil. All rights reserved."}[edition]
    meta = {}
    package = opf(epub_book[1][edition])
    for m in package.iterfind(".//opf:metadata/opf:meta[@property]", NS):
        meta.setdefault(m.get("property"), []).append(m.text)
    assert meta["dcterms:modified"] == ["2026-11-24T00:00:00Z"]
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert set(meta["schema:accessMode"]) == {"textual", "visual"}
    assert meta["schema:accessModeSufficient"] == ["textual"]
    assert meta["schema:accessibilityHazard"] == ["none"]
    assert {"tableOfContents", "structuralNavigation", "readingOrder", "alternativeText"} <= set(
        meta["schema:accessibilityFeature"])
    summary = meta["schema:accessibilitySummary"][0]
    assert "table of contents" in summary and "Its only image is the cover" in summary
    assert ("followed by its translation" in summary) == (edition == "bilingual")


def test_editions_have_distinct_identifiers(epub_book):
    ids = {opf(p).find(".//dc:identifier", NS).text for p in epub_book[1].values()}
    assert len(ids) == len(EDITIONS) and BOOK_ID not in ids


def test_modified_follows_source_date_epoch(book_copy):
    proc = run_ikidil(["build", "-e", "tr", "-f", "epub"], cwd=book_copy, env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert proc.returncode == 0, proc.stderr
    path = next((book_copy / "build").glob("*.tr.epub"))
    modified = opf(path).find(".//opf:meta[@property='dcterms:modified']", NS).text
    assert modified == "2026-01-01T00:00:00Z"
    with zipfile.ZipFile(path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("edition", EDITIONS)
def test_cover_and_title_page_open_the_book(epub_book, edition):
    path = epub_book[1][edition]
    book = epub.read_epub(str(path), {"ignore_ncx": True})
    assert [i.file_name for i in book.get_items_of_type(ebooklib.ITEM_COVER)] == ["media/cover.png"]
    package = opf(path)
    cover_item = package.find(".//opf:item[@properties='cover-image']", NS)
    assert cover_item is not None and cover_item.get("media-type") == "image/png"
    with zipfile.ZipFile(path) as zf:
        png = zf.read("EPUB/" + cover_item.get("href"))
    from PIL import Image
    assert Image.open(io.BytesIO(png)).size == (1600, 2560)
    spine = [r.get("idref") for r in package.iterfind(".//opf:spine/opf:itemref", NS)]
    assert spine[:3] == ["cover", "titlepage", "nav"]
    docs = xhtml_files(path)
    img = docs["text/cover.xhtml"].find(".//x:img", NS)
    assert img.get("alt") and img.get("role") == "doc-cover"
    title_page = docs["text/titlepage.xhtml"]
    langs = {el.get("lang"): text(el) for el in title_page.iterfind(".//*[@class]", NS) if "title" in el.get("class").split()}
    want = {"tr": {"tr"}, "en": {"en"}, "bilingual": {"tr", "en"}}[edition]
    assert set(langs) == want
    if "en" in want:
        assert langs["en"] == "Mustafa Kemal Pasha and the Communists in Turkey"
    landmarks = [a.get("{%s}type" % NS["epub"]) for a in docs["nav.xhtml"].iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)]
    assert landmarks == ["cover", "titlepage", "toc", "bodymatter"]


def test_cover_from_book_yaml_is_used_as_given(book_copy):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (400, 640), "#804020").save(buf, "PNG")
    (book_copy / "art.png").write_bytes(buf.getvalue())
    with open(book_copy / "book.yaml", "a", encoding="utf-8") as f:
        f.write("cover: art.png\n")
    proc = run_ikidil(["build", "-e", "en", "-f", "epub"], cwd=book_copy)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(next((book_copy / "build").glob("*.en.epub"))) as zf:
        assert zf.read("EPUB/media/cover.png") == buf.getvalue()


def test_missing_cover_image_is_a_one_line_error(book_copy):
    with open(book_copy / "book.yaml", "a", encoding="utf-8") as f:
        f.write("cover: missing.jpg\n")
    proc = run_ikidil(["build", "-f", "epub"], cwd=book_copy)
    assert proc.returncode == 2
    assert "book.yaml:" in proc.stderr and "missing.jpg" in proc.stderr and "Traceback" not in proc.stderr


# ---- endnotes file (book.yaml notes: endnotes)

def test_endnotes_file_keeps_links_both_ways_and_validates(book_copy):
    from ikidil.validate import run_epubcheck
    with open(book_copy / "book.yaml", "a", encoding="utf-8") as f:
        f.write("notes: endnotes\n")
    proc = run_ikidil(["build", "-e", "bilingual", "-f", "epub"], cwd=book_copy)
    assert proc.returncode == 0, proc.stderr
    path = next((book_copy / "build").glob("*.bilingual.epub"))
    links = list(note_links(path))
    assert len(links) == 7 and {note_file for *_, note_file in links} == {"text/notes.xhtml"}   # 3 + 4 (a translator's note)
    for ref, _, note, _ in links:
        assert ref.get("href").startswith("notes.xhtml#")
        assert note.find(".//x:a[@role='doc-backlink']", NS).get("href") == f"ch001.xhtml#{ref.get('id')}"
    docs = xhtml_files(path)
    assert not docs["text/ch001.xhtml"].findall(".//x:*[@epub:type='footnote']", NS)
    spine = [r.get("idref") for r in opf(path).iterfind(".//opf:spine/opf:itemref", NS)]
    assert spine[-2:] == ["notes", "ch002_xhtml"]                  # before the bibliography
    entries = [text(a) for a in docs["nav.xhtml"].iterfind(".//x:nav[@epub:type='toc']//x:a", NS)]
    assert entries[-2:] == ["Notlar", "Kaynakça / Bibliography"]
    verdict = run_epubcheck(path)
    assert verdict.ok, verdict.errors + verdict.warnings


# ---- reproducibility

def test_rebuild_is_byte_identical(epub_book, tmp_path):
    root = copy_book(tmp_path / "again")
    proc = run_ikidil(["build", "-f", "epub"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    for edition, first in epub_book[1].items():
        second = root / "build" / first.name
        assert second.read_bytes() == first.read_bytes(), edition
    with zipfile.ZipFile(epub_book[1]["bilingual"]) as zf:
        infos = zf.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(2026, 11, 24, 0, 0, 0)}
