"""`ikidil build` on the real seed book: EPUBs and PDFs inspected as a reader's tools see them."""

from __future__ import annotations

import hashlib
import re
import zipfile

import pikepdf
import pytest
import yaml
from lxml import etree

from conftest import REPO, SEED, pdf_body_text, pdftotext
from ikidil.validate import run_epubcheck

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
TITLES = [e["title"] for e in yaml.safe_load((REPO / "bibliography.yaml").read_text())["references"]]
SEED_DATES_TR = ["22 Ağustos-13 Eylül 1921", "25 Aralık 1921", "4 Ocak 1922", "16 Mart 1921",
                 "6-11 Ocak 1921", "23 Mart-1 Nisan 1921", "10-24 Temmuz 1921", "10 Eylül 1920",
                 "19 Temmuz 1920", "26 Ağustos", "13 Eylül 1921", "1920 yılı Temmuz-Ağustos"]
SEED_DATES_EN = ["22 August–13 September 1921", "25 December 1921", "4 January 1922", "16 March 1921",
                 "6–11 January 1921", "23 March–1 April 1921", "10–24 July 1921", "10 September 1920",
                 "19 July 1920", "26 August", "13 September 1921", "July–August 1920"]


def squash(text: str) -> str:
    """Text with line breaks, hyphenation and dash variants ignored, for searching PDFs."""
    return re.sub(r"[\s\-–\u00ad\u2010\u2060]+", "", text)


def epub_xhtml(path):
    with zipfile.ZipFile(path) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith(".xhtml")}


def test_manifest_lists_every_output_with_true_hashes(built_book):
    root, manifest, outputs = built_book
    kinds = {(o["edition"], o["format"]) for o in manifest["outputs"]}
    assert {("tr", "epub"), ("en", "epub"), ("tr", "pdf"), ("en", "pdf")} <= kinds
    for entry in manifest["outputs"]:
        data = (root / entry["path"]).read_bytes()
        assert entry["path"].startswith("build/")
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        if entry["format"] == "pdf":
            assert entry["variant"] in ("print", "digital")
            with pikepdf.open(root / entry["path"]) as pdf:
                assert entry["pages"] == len(pdf.pages)
        else:
            assert entry["variant"] is None and "pages" not in entry
    assert not list((root / "build").glob("*.part")), "no temporary files left behind"


@pytest.mark.parametrize("edition", ["tr", "en"])
def test_epubcheck_reports_nothing(built_book, edition):
    verdict = run_epubcheck(built_book[2][(edition, "epub", None)])
    assert verdict.errors == [] and verdict.warnings == []


@pytest.mark.parametrize("edition", ["tr", "en"])
def test_epub_has_three_notes_linked_both_ways_with_titles_verbatim(built_book, edition):
    docs = epub_xhtml(built_book[2][(edition, "epub", None)])
    notes, refs = {}, {}
    for name, root in docs.items():
        assert root.get("lang") == edition and root.get("{http://www.w3.org/XML/1998/namespace}lang") == edition
        for note in root.iterfind(".//x:*[@epub:type='footnote']", NS):
            notes[note.get("id")] = (name, note)
        for ref in root.iterfind(".//x:a[@epub:type='noteref']", NS):
            refs[ref.get("id")] = (name, ref)
    assert len(notes) == len(refs) == {"tr": 3, "en": 4}[edition]     # en: and the translator's note
    for ref_id, (name, ref) in refs.items():
        assert ref.get("role") == "doc-noteref"
        note_name, note = notes[ref.get("href").lstrip("#")]
        assert note_name == name and note.get("role") == "doc-footnote"
        back = note.find(".//x:a[@role='doc-backlink']", NS)
        assert back is not None and back.get("href") == "#" + ref_id
    text = " ".join(" ".join(n.itertext()) for _, n in notes.values())
    # the titles' words verbatim; their ranges set with en dashes held by word joiners (typeset.py)
    text = " ".join(text.split()).replace("\u2060–\u2060", "-")
    for title in TITLES:
        for part in title.split(": "):
            assert part in text, part


@pytest.mark.parametrize("edition,dates", [("tr", SEED_DATES_TR), ("en", SEED_DATES_EN)])
def test_pdf_text_holds_every_seed_date_and_number(built_book, edition, dates):
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    for pdf in (built_book[2][(edition, "pdf", "digital")], built_book[2][(edition, "pdf", "print")]):
        text = squash(pdf_body_text(pdf))
        for date in dates:
            if edition == "tr":
                assert squash(date) in squash(seed), date   # the list is the seed's own
            assert squash(date) in text, date
        for number in set(re.findall(r"\d+", seed)):
            assert number in squash(pdftotext(pdf)), number


@pytest.mark.parametrize("edition", ["tr", "en"])
def test_pdf_fonts_embedded_and_cover_the_text(built_book, edition):
    import subprocess
    pdf = built_book[2][(edition, "pdf", "digital")]
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        assert "EB-Garamond" in row.split()[0], row
        assert row.split()[-5] == "yes", f"not embedded: {row}"
    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == edition


def test_pdf_notes_sit_at_the_foot_of_the_page_that_calls_them(built_book):
    pdf = built_book[2][("en", "pdf", "digital")]
    pages = pdftotext(pdf).split("\f")
    for title in ("Moskova Antlaşması", "Soviet Eastern Policy", "Atatürk’ün Sovyetler"):
        where = [i for i, p in enumerate(pages) if title in p.replace("\n", " ")]
        assert where, title
