"""Printed pages in the EPUBs: markers where each print page begins, a page-list, pageBreakSource."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree

from conftest import pdftotext, run_ikidil

NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf"}


@pytest.fixture(scope="module")
def tr_build(tmp_path_factory):
    from conftest import copy_book
    root = copy_book(tmp_path_factory.mktemp("pagemap") / "book")
    proc = run_ikidil(["build", "-e", "tr", "-e", "en", "--pdf-variant", "print"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root / "build"


def words_after_markers(epub) -> dict[str, str]:
    """page number → the first words of text that follow its marker in the XHTML."""
    found = {}
    with zipfile.ZipFile(epub) as zf:
        for name in zf.namelist():
            if not name.endswith(".xhtml") or name.endswith("nav.xhtml"):
                continue
            text = zf.read(name).decode()
            for match in re.finditer(r'<span[^>]*id="page-(\d+)"[^>]*/>', text):
                after = re.sub(r"<a [^>]*doc-noteref.*?</a>", "", text[match.end():match.end() + 2000], flags=re.S)
                found[match.group(1)] = " ".join(re.sub(r"<[^>]+>", " ", after).split()[:3])
    return found


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_each_marker_sits_where_its_printed_page_begins(tr_build, lang):
    epub = next(tr_build.glob(f"*.{lang}.epub"))
    pdf = next(tr_build.glob(f"*.{lang}.print.pdf"))
    markers = words_after_markers(epub)
    assert len(markers) >= 5
    pages = pdftotext(pdf).split("\f")
    for page, words in markers.items():
        body = " ".join(pages[int(page) - 1].split())
        assert words.split()[0] in body, (page, words)
        # Word precision: the marked word is on the first line of running text of that page
        # (or right after a word carried over from the page before).
        lines = [line for line in pages[int(page) - 1].splitlines() if line.strip()]
        head_skipped = lines[1:3] if lines[0].strip().isupper() else lines[:2]
        assert any(words.split()[0] in line for line in head_skipped), (page, words, head_skipped)


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_page_list_and_page_break_source(tr_build, lang):
    epub = next(tr_build.glob(f"*.{lang}.epub"))
    with zipfile.ZipFile(epub) as zf:
        opf_name = next(n for n in zf.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(zf.read(opf_name))
        nav = etree.fromstring(zf.read(next(n for n in zf.namelist() if n.endswith("nav.xhtml"))))
    source = opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces=NS)
    assert len(source) == 1 and source[0].startswith("urn:uuid:")
    page_list = nav.xpath("//h:nav[@epub:type='page-list']//h:a", namespaces=NS)
    assert [a.text for a in page_list] == sorted((a.text for a in page_list), key=int)
    assert all(a.get("href").endswith(f"#page-{a.text}") for a in page_list)
    assert len(page_list) == len(words_after_markers(epub))


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_epubcheck_and_ace_stay_clean_with_page_markers(tr_build, lang):
    from ikidil.validate import run_ace, run_epubcheck
    epub = next(tr_build.glob(f"*.{lang}.epub"))
    verdict = run_epubcheck(epub)
    assert verdict.errors == [] and verdict.warnings == []
    if lang == "tr":                    # Ace starts Chromium: once is enough for the markers
        assert run_ace(epub).errors == []


def test_epub_only_build_has_no_page_list_and_the_same_text(tr_build, tmp_path):
    """The page list comes from the print PDF built in the same run; an EPUB-only build
    lays out nothing and carries no markers, its text otherwise the same."""
    from conftest import copy_book
    root = copy_book(tmp_path / "book")
    proc = run_ikidil(["build", "-e", "tr", "-f", "epub"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    alone = next((root / "build").glob("*.tr.epub"))
    assert not list((root / "build").glob("*.pdf"))
    with_pages = next(tr_build.glob("*.tr.epub"))
    assert words_after_markers(alone) == {} and words_after_markers(with_pages)

    def text(epub):
        with zipfile.ZipFile(epub) as zf:
            return " ".join(word for n in sorted(zf.namelist()) if n.startswith("EPUB/text/")
                            for word in " ".join(etree.fromstring(zf.read(n)).itertext()).split())
    assert text(alone) == text(with_pages)




# ---- the bilingual EPUB, its pages from the facing PDF (issue 18 item 4)

@pytest.fixture(scope="module", params=["seed", "kitchen-sink"])
def bilingual_build(request, tmp_path_factory):
    import shutil
    from conftest import REPO, copy_book
    root = tmp_path_factory.mktemp(f"pagemap-bilingual-{request.param}") / "book"
    if request.param == "seed":
        copy_book(root)
    else:
        shutil.copytree(REPO / "tests" / "data" / "kitchen-sink", root)
    proc = run_ikidil(["build", "-e", "bilingual", "--pdf-variant", "print"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root / "build"


def markers_in_reading_order(epub) -> list[tuple[str, str]]:
    """(page, the text between this marker and the next, squeezed) in spine order."""
    with zipfile.ZipFile(epub) as zf:
        opf_name = next(n for n in zf.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(zf.read(opf_name))
        hrefs = {i.get("id"): i.get("href") for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
        base = opf_name.rsplit("/", 1)[0]
        text = "".join(zf.read(f"{base}/{hrefs[ref]}").decode()
                       for ref in opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS))
    pieces = re.split(r'<span[^>]*id="page-(\d+)"[^>]*/>', text)
    return [(page, " ".join(re.sub(r"<[^>]+>", " ", after).split()))
            for page, after in zip(pieces[1::2], pieces[2::2])]


def test_bilingual_epub_has_the_facing_pages_in_reading_order(bilingual_build):
    """Every page of the facing PDF with chapter text has its marker; the page list is in page
    order and the markers are in that order in the book (EPUBCheck NAV-011)."""
    epub = next(bilingual_build.glob("*.bilingual.epub"))
    pdf = next(bilingual_build.glob("*.bilingual.print.pdf"))
    with zipfile.ZipFile(epub) as zf:
        nav = etree.fromstring(zf.read(next(n for n in zf.namelist() if n.endswith("nav.xhtml"))))
        opf = etree.fromstring(zf.read(next(n for n in zf.namelist() if n.endswith(".opf"))))
    listed = [a.text for a in nav.xpath("//h:nav[@epub:type='page-list']//h:a", namespaces=NS)]
    assert listed == sorted(listed, key=int) and len(listed) >= 6
    assert [page for page, _ in markers_in_reading_order(epub)] == listed
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.pdf import pdf_identifier
    book = load_book(bilingual_build.parent)
    assert opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces=NS) == [
        pdf_identifier(book, make_edition(book, "bilingual"), "print")]         # the facing PDF
    # versos and rectos both: the source's pages are even, the translation's odd
    assert {int(p) % 2 for p in listed} == {0, 1}
    pages = pdftotext(pdf).split("\f")
    with_text = [n + 1 for n, page in enumerate(pages[:len(pages) - 1]) if len(page.split()) > 12]
    assert set(listed) >= {str(n) for n in with_text if n > int(listed[0])}


def test_bilingual_markers_sit_where_their_pages_begin(bilingual_build):
    """Each marker is before the word its page begins with (on that page's first lines), in
    that page's language; but for a recto that begins inside a pair whose verso begins the
    next pair: its marker is right after the verso's, where the spread's text begins."""
    epub = next(bilingual_build.glob("*.bilingual.epub"))
    pdf = next(bilingual_build.glob("*.bilingual.print.pdf"))
    pages = pdftotext(pdf).split("\f")
    markers = markers_in_reading_order(epub)
    moved = {markers[i + 1][0] for i in range(len(markers) - 1) if not markers[i][1]}
    for i, (page, _) in enumerate(markers):
        if page in moved:                # only a recto gives way, to its own verso
            assert int(page) % 2 == 1 and markers[i - 1][0] == str(int(page) - 1), (page, markers[i - 1])
            continue
        following = next(after for _, after in markers[i:] if after)
        lines = [line for line in pages[int(page) - 1].splitlines() if line.strip()]
        head_skipped = lines[1:4] if lines[0].strip().isupper() else lines[:3]
        first = following.split()[0].rstrip(".,;:")
        assert any(first in line for line in head_skipped), (page, following[:60], head_skipped)
    assert len(moved) <= 2


def test_bilingual_epub_with_pages_passes_epubcheck_and_ace(bilingual_build):
    from ikidil.validate import run_ace, run_epubcheck
    epub = next(bilingual_build.glob("*.bilingual.epub"))
    verdict = run_epubcheck(epub)
    assert verdict.errors == [] and verdict.warnings == []
    verdict = run_ace(epub)
    assert verdict.errors == [] and verdict.warnings == []


def test_bilingual_epub_in_columns_has_no_page_list(tmp_path):
    """In columns a printed page holds both languages at once: no page of the EPUB's
    reading order matches it, so the bilingual EPUB gets no page list."""
    from conftest import copy_book
    root = copy_book(tmp_path / "book")
    config = root / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "bilingual_layout: columns\n", encoding="utf-8")
    proc = run_ikidil(["build", "-e", "bilingual", "--pdf-variant", "print"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert markers_in_reading_order(next((root / "build").glob("*.bilingual.epub"))) == []
