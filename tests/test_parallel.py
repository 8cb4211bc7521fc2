"""Chapter-parallel PDF layout gives the same book as one WeasyPrint document: the same
pages (text page by page, pixels), the same outline, links, named destinations and tagged
structure, in a file not much larger; and its cache re-lays out only what changed."""

from __future__ import annotations

import hashlib
import re
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, copy_book


def _bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _render_both(root: Path, variant: str, out: Path, edition_name: str = "tr"):
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.parallel import render_pdf_parallel
    from ikidil.render.pdf import render_pdf
    book = load_book(root)
    edition = make_edition(book, edition_name)
    single, merged = out / f"single.{variant}.pdf", out / f"parallel.{variant}.pdf"
    render_pdf(book, edition, single, variant)
    result = render_pdf_parallel(book, edition, merged, variant, jobs=2)
    return single, merged, result


def _pages_text(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _pixels(path: Path, tmp: Path) -> list[str]:
    prefix = tmp / path.stem.replace(".", "-")
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(path), str(prefix)], check=True)
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(tmp.glob(prefix.name + "-*.png"))]


def _outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
    items: list[tuple[int, str, int]] = []

    def walk(level, entries):
        for item in entries:
            items.append((level, item.title, pages[item.destination[0].objgen]))
            walk(level + 1, item.children)
    with pdf.open_outline() as outline:
        walk(0, outline.root)
    return items


def _links(pdf: pikepdf.Pdf) -> list[tuple[int, int]]:
    """(page of the link, page it leads to) for every internal link, through the named destinations."""
    pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
    names = pdf.Root.Names.Dests.Names
    dests = {str(names[i]): pages[names[i + 1][0].objgen] for i in range(0, len(names), 2)}
    links = []
    for n, page in enumerate(pdf.pages):
        for annot in page.get("/Annots", []):
            if annot.get("/Subtype") == "/Link":
                assert "/A" not in annot or not str(annot.A.get("/URI", "")).startswith("ikidil-part:")
                if "/Dest" in annot:
                    links.append((n, dests[str(annot.Dest)]))
    return links


def _structure(pdf: pikepdf.Pdf) -> tuple[list[str], int]:
    """The structure element types in reading order, and the parent tree's size; every
    page and annotation key must be in the parent tree."""
    root = pdf.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    keys = {int(nums[i]) for i in range(0, len(nums), 2)}
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            assert int(page.obj.StructParents) in keys
        for annot in page.get("/Annots", []):
            if "/StructParent" in annot:
                assert int(annot.StructParent) in keys
    kinds = []

    def walk(element):
        if isinstance(element, pikepdf.Dictionary):
            if "/S" in element:
                kinds.append(str(element.S))
            kids = element.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                walk(kid)
    walk(root.K)
    return kinds, len(keys)


def assert_same_book(single: Path, merged: Path, tmp: Path, tagged: bool) -> None:
    text_single, text_merged = _pages_text(single), _pages_text(merged)
    assert len(text_merged) == len(text_single)
    for number, (a, b) in enumerate(zip(text_single, text_merged), start=1):
        assert a == b, f"page {number} differs"
    assert _pixels(merged, tmp) == _pixels(single, tmp)
    with pikepdf.open(single) as a, pikepdf.open(merged) as b:
        assert len(a.pages) == len(b.pages)
        assert _outline(b) == _outline(a) and _outline(a)
        assert _links(b) == _links(a) and _links(a)
        if tagged:
            assert _structure(b) == _structure(a)
            assert str(b.Root.Lang) == str(a.Root.Lang)
            assert b"pdfuaid" in b.Root.Metadata.read_bytes()
    assert merged.stat().st_size <= 1.3 * single.stat().st_size


@pytest.fixture(scope="module")
def bench_book(tmp_path_factory):
    return _bench().make_book(tmp_path_factory.mktemp("bench") / "book", 2)


@pytest.mark.parametrize("variant", ["digital", "print"])
def test_seed_book_parallel_equals_single(tmp_path, variant):
    root = copy_book(tmp_path / "book")
    single, merged, result = _render_both(root, variant, tmp_path)
    assert result.parts_laid_out >= 3              # front matter (twice), chapter, bibliography
    assert_same_book(single, merged, tmp_path, tagged=variant == "digital")


def test_bench_book_parallel_equals_single_and_caches(bench_book, tmp_path):
    from ikidil.load import load_book
    from ikidil.render.parallel import render_pdf_parallel
    from ikidil.transform import monolingual_edition
    single, merged, result = _render_both(bench_book, "digital", tmp_path)
    assert result.pages == len(pikepdf.open(single).pages)
    assert_same_book(single, merged, tmp_path, tagged=True)

    # Nothing changed: every part comes from the cache.
    book = load_book(bench_book)
    again = render_pdf_parallel(book, monolingual_edition(book, "tr"), tmp_path / "again.pdf", "digital")
    assert again.parts_laid_out == 0
    # The same parts merge into the same bytes (the fonts' union, the file's /ID).
    assert (tmp_path / "again.pdf").read_bytes() == merged.read_bytes()

    # One paragraph edited in chapter 2: only that chapter is laid out again, and the book
    # is still the one a single document gives.
    _bench().edit_one_paragraph(bench_book, chapter=2)
    edited = tmp_path / "edited"
    edited.mkdir()
    single, merged, result = _render_both(bench_book, "digital", edited)
    assert result.parts_laid_out == 1
    assert "ekledik" in "".join(_pages_text(merged))
    assert_same_book(single, merged, edited, tagged=True)


def test_bilingual_edition_parallel_equals_single(bench_book, tmp_path):
    """Each language's notes are numbered through the book (1, 2… and a, b…): each
    chapter laid out alone starts both counters where the chapters before it left them.
    (The columns layout: the one a single WeasyPrint document gives; facing pages are
    tested in test_facing.py.)"""
    config = bench_book / "book.yaml"
    if "bilingual_layout" not in config.read_text(encoding="utf-8"):
        config.write_text(config.read_text(encoding="utf-8") + "bilingual_layout: columns\n", encoding="utf-8")
    single, merged, result = _render_both(bench_book, "print", tmp_path, "bilingual")
    assert result.parts_laid_out >= 4              # front matter (twice), two chapters, bibliography
    assert_same_book(single, merged, tmp_path, tagged=False)
    from ikidil.ast import walk
    from ikidil.load import load_book
    from ikidil.transform import monolingual_edition
    book = load_book(bench_book)
    first = []
    for lang in ("tr", "en"):
        blocks = monolingual_edition(book, lang).doc["blocks"]
        second = next(i for i, b in enumerate(blocks) if b["t"] == "Header" and b["c"][0] == 1 and i > 0)
        first.append(sum(1 for node in walk(blocks[:second]) if node["t"] == "Note"))
    assert first[0] == first[1] > 10
    # From chapter 2's opening on, the first source note is number first+1 and the first
    # translation note the letter after the first chapter's last.
    pages = _pages_text(merged)
    opening = next(n for n, page in enumerate(pages) if "Bölüm 2" in page and ". . ." not in page)
    rest = "\n".join(pages[opening:])
    assert re.search(r"(?m)^\s*(\d+)\.\s", rest).group(1) == str(first[0] + 1)
    # (a pair's two notes side by side, render/columns.py: "12. …   l. …" on one line)
    assert re.search(r"(?m)^\s*(?:\d+\.\s.*?\s{2,})?([a-z])\.\s", rest).group(1) == chr(ord("a") + first[1])


def test_every_contents_entry_opens_a_part(tmp_path):
    """The contents link to chapter sections and to the bibliography's heading (inside its
    section): each is on its part's first page, so the front matter can be laid out as soon
    as the parts' page counts are known, beside the last parts (render_parts' front_early)."""
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.parallel import split_parts
    from ikidil.render.pdf import edition_html
    book = load_book(copy_book(tmp_path / "book"))
    parts, _ = split_parts(edition_html(book, make_edition(book, "tr")))
    openings = {name: part.index for part in parts[1:] for name in part.openings}
    targets = parts[0].targets
    assert "bibliography" in targets and len(targets) >= 2
    assert [openings.get(t) for t in targets] == list(range(1, len(parts)))
