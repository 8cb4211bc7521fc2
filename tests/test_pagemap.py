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


