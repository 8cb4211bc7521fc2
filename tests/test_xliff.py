"""`ikidil export --xliff` / `ikidil import`: XLIFF 2.1 for CAT tools, round trip exact."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lxml import etree

from conftest import run_ikidil

from ikidil.load import load_book
from ikidil.lock import block_hash

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"
NS = {"x": "urn:oasis:names:tc:xliff:document:2.0", "mda": "urn:oasis:names:tc:xliff:metadata:2.0"}


def export(book: Path, name: str = "book.xlf") -> etree._ElementTree:
    proc = run_ikidil(["export", "--xliff", name], cwd=book)
    assert proc.returncode == 0, proc.stderr
    return etree.parse(str(book / name))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def unit(tree, n: int):
    return tree.find(f".//x:unit[@id='b{n}']", NS)


def test_round_trip_leaves_the_translation_byte_identical(book_copy):
    translations = book_copy / "translations" / "en"
    before = digest(translations)
    tree = export(book_copy)
    proc = run_ikidil(["import", "book.xlf"], cwd=book_copy)
    assert proc.returncode == 0, proc.stderr
    assert "0 file(s) changed" in proc.stdout
    assert digest(translations) == before          # chapter and lockfile


def test_one_unit_per_source_block_with_hash_and_state(book_copy):
    tree = export(book_copy)
    root = tree.getroot()
    assert root.tag == "{urn:oasis:names:tc:xliff:document:2.0}xliff"
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.1", "tr", "en")
    book = load_book(book_copy)
    source = book.chapters["tr"][0]
    units = tree.findall(".//x:unit", NS)
    assert [u.get("id") for u in units] == [f"b{i + 1}" for i in range(len(source.blocks))]
    for u, block in zip(units, source.blocks):
        assert u.findtext(".//mda:meta[@type='source-hash']", namespaces=NS) == block_hash(block)
        assert u.find("x:segment", NS).get("state") == "translated"
        assert u.find("x:segment/x:target", NS) is not None
    # citations are protected codes whose text travels in originalData
    cited = [u for u in units if u.find(".//x:source/x:ph", NS) is not None
             and any("@" in (d.text or "") for d in u.iterfind(".//x:data", NS))]
    assert cited, "citations should be <ph/> codes"
    assert "[@" not in "".join(u.find(".//x:source", NS).xpath("string()") for u in cited)


def test_notes_travel_inline_and_untranslated_blocks_need_translation(book_copy):
    source = book_copy / "manuscript" / CHAPTER
    text = source.read_text(encoding="utf-8")
    text = text.replace("sorunlu gelişti.", "sorunlu gelişti.^[Bkz. [@gokay2006, 9] ve *ötesi*.]", 1)
    source.write_text(text, encoding="utf-8")
    translation = book_copy / "translations" / "en" / CHAPTER
    paras = translation.read_text(encoding="utf-8").split("\n\n")
    del paras[3]                                   # the translator has not done block 4 yet
    translation.write_text("\n\n".join(paras), encoding="utf-8")
    tree = export(book_copy)

    note = unit(tree, 2).find("x:segment/x:source/x:pc", NS)
    assert note is not None and note.get("subType") == "ikidil:note"
    assert note.xpath("string()").startswith("Bkz.") and note.find("x:ph", NS) is not None
    data = {d.get("id"): d.text for d in unit(tree, 2).iterfind(".//x:data", NS)}
    assert data[note.get("dataRefStart")] == "^[" and data[note.get("dataRefEnd")] == "]"
    for n in (2, 4):   # the changed source block is stale, the deleted one missing
        segment = unit(tree, n).find("x:segment", NS)
        assert (segment.get("state"), segment.get("subState")) == ("initial", "ikidil:needs-translation")
    assert unit(tree, 4).find("x:segment/x:target", NS) is None
    assert unit(tree, 3).find("x:segment", NS).get("state") == "translated"


def test_translating_in_a_cat_tool_and_importing(book_copy):
    """A missing block and a stale block are translated in the XLIFF (as a CAT tool would),
    then imported: the blocks land in place, the book checks clean, the lock records them."""
    source = book_copy / "manuscript" / CHAPTER
    source.write_text(source.read_text(encoding="utf-8").replace("sorunlu gelişti.", "sorunlu gelişti.^[Bir not.]", 1),
                      encoding="utf-8")
    translation = book_copy / "translations" / "en" / CHAPTER
    paras = translation.read_text(encoding="utf-8").split("\n\n")
    removed = paras.pop(3)
    translation.write_text("\n\n".join(paras), encoding="utf-8")
    assert run_ikidil(["check"], cwd=book_copy).returncode == 1

    tree = export(book_copy)
    ns_x = "{urn:oasis:names:tc:xliff:document:2.0}"
    seg4 = unit(tree, 4).find("x:segment", NS)
    etree.SubElement(seg4, ns_x + "target").text = removed
    seg2 = unit(tree, 2).find("x:segment", NS)
    target2 = seg2.find("x:target", NS)
    head, tail = target2.text.split("beginning.", 1)
    target2.text = head + "beginning."
    pc = etree.SubElement(target2, ns_x + "pc", id="1", dataRefStart="d1", dataRefEnd="d2", type="other")
    pc.text, pc.tail = "A note.", tail
    for seg in (seg2, seg4):
        seg.set("state", "translated")
        del seg.attrib["subState"]
    tree.write(str(book_copy / "done.xlf"), xml_declaration=True, encoding="UTF-8")

    proc = run_ikidil(["import", "done.xlf"], cwd=book_copy)
    assert proc.returncode == 0, proc.stderr
    assert f"updated translations/en/{CHAPTER}" in proc.stdout
    text = translation.read_text(encoding="utf-8")
    assert removed in text and "beginning.^[A note.]" in text
    assert text.split("\n\n")[3] == removed
    check = run_ikidil(["check"], cwd=book_copy)
    assert check.returncode == 0, check.stdout + check.stderr
    status = run_ikidil(["status", "--format", "json"], cwd=book_copy)
    assert status.returncode == 0, status.stdout + status.stderr
    again = export(book_copy, "again.xlf")
    assert {s.get("state") for s in again.iterfind(".//x:segment", NS)} == {"translated"}


@pytest.mark.parametrize("content,needles", [
    ("<xliff", ["done.xlf:", "malformed XLIFF"]),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="tr" trgLang="en">&e;</xliff>',
     ["done.xlf:1:", "declares a DTD"]),
    ('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="tr" trgLang="de"/>',
     ["done.xlf:1:", "target language 'de'", "translates into en"]),
    ('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="tr" trgLang="en">'
     '<file id="f" original="manuscript/99-yok.md"/></xliff>', ["done.xlf:1:", "not a chapter of this book"]),
    ('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="tr" trgLang="en">'
     f'<file id="f" original="manuscript/{CHAPTER}"><unit id="b999"><segment><source>x</source></segment>'
     '</unit></file></xliff>', ["done.xlf:1:", "unit 'b999' matches no block", "export again"]),
])
def test_bad_xliff_is_one_line_and_changes_nothing(book_copy, content, needles):
    translations = book_copy / "translations" / "en"
    before = digest(translations)
    (book_copy / "done.xlf").write_text(content, encoding="utf-8")
    proc = run_ikidil(["import", "done.xlf"], cwd=book_copy)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert digest(translations) == before
