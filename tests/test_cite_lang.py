"""Cited titles in their own language (issue 18, item 3): an entry whose CSL `language`
is not the edition's has its title, container title, publisher and place in a Span with
that `lang`, in the notes and in the bibliography, through to the EPUB XHTML and the
tagged PDF's structure tree."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from conftest import copy_book, run_ikidil
from ikidil.ast import stringify, walk
from ikidil.cite_lang import tag_languages
from ikidil.load import load_book
from ikidil.transform import edition_document

PERINCEK = "Atatürk’ün Sovyetler’le Görüşmeleri: Sovyet Arşiv Belgeleriyle"
GOKAY = "Soviet Eastern Policy and Turkey"


def lang_spans(doc) -> list[tuple[str, str]]:
    return [(dict(map(tuple, n["c"][0][2]))["lang"], stringify(n["c"][1]))
            for n in walk(doc) if n["t"] == "Span" and any(k == "lang" for k, _ in n["c"][0][2])]


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    return load_book(copy_book(tmp_path_factory.mktemp("cite-lang") / "book"))


def test_english_edition_tags_turkish_titles_places_and_publishers(seed):
    spans = lang_spans(edition_document(seed, "en"))
    texts = {t for lang, t in spans if lang == "tr-TR"}
    assert PERINCEK in texts and "İstanbul" in texts and "Kaynak Yay." in texts
    assert "Atatürk Dergisi" in texts                          # a journal's name
    assert any(t.startswith("“Moskova Antlaşması’ndan") for t in texts)
    # in the note and in the bibliography: each value at least twice
    assert sum(t == PERINCEK for _, t in spans) >= 2
    # the English book is English in the English edition: nothing of it tagged
    assert not any(GOKAY in t for _, t in spans)


def test_turkish_edition_tags_the_english_book(seed):
    spans = lang_spans(edition_document(seed, "tr"))
    assert {lang for lang, _ in spans} == {"en-GB"}
    assert any(t.startswith(GOKAY) for _, t in spans)
    assert ("en-GB", "London") in spans
    assert not any("İstanbul" in t for _, t in spans)


def _para(inlines):
    return {"t": "Para", "c": inlines}


def _words(text):
    out = []
    for i, w in enumerate(text.split(" ")):
        out += ([{"t": "Space"}] if i else []) + [{"t": "Str", "c": w}]
    return out


def _cite(key, inlines):
    return {"t": "Cite", "c": [[{"citationId": key}], [{"t": "Note", "c": [_para(inlines)]}]]}


def test_punctuation_around_a_value_stays_outside_the_span():
    entries = {"k": {"id": "k", "language": "tr", "publisher-place": "İstanbul", "title": "Yol"}}
    doc = {"blocks": [_para([_cite("k", _words("(İstanbul: Yay., 2005), 12."))])]}
    note = tag_languages(doc, entries, "en")["blocks"][0]["c"][0]["c"][1][0]["c"][0]["c"]
    assert [n["t"] for n in note[:3]] == ["Str", "Span", "Str"]
    assert note[0]["c"] == "(" and note[2]["c"] == ":"
    assert note[1]["c"][0][2] == [["lang", "tr"]] and stringify(note[1]["c"][1]) == "İstanbul"
    assert stringify(doc) == stringify(tag_languages(doc, entries, "en"))   # no text lost or added


def test_nothing_changes_without_a_foreign_entry():
    doc = {"blocks": [_para([_cite("k", _words("İstanbul: Yay."))])]}
    for entries in ({"k": {"id": "k", "language": "en-US", "publisher-place": "İstanbul"}},
                    {"k": {"id": "k", "publisher-place": "İstanbul"}}):           # no language
        assert tag_languages(doc, entries, "en") is doc
    # a value citeproc changed (here: upper case) is not found: the text stays as it was
    entries = {"k": {"id": "k", "language": "tr", "publisher-place": "İSTANBUL"}}
    assert lang_spans(tag_languages(doc, entries, "en")) == []
    # a word of the value inside a longer word is not the value
    entries = {"k": {"id": "k", "language": "tr", "publisher-place": "stanbul"}}
    assert lang_spans(tag_languages(doc, entries, "en")) == []


@pytest.fixture(scope="module")
def english_outputs(tmp_path_factory):
    root = copy_book(tmp_path_factory.mktemp("cite-lang-build") / "book")
    for args in (["-e", "en", "-f", "epub"], ["-e", "en", "-f", "pdf", "--pdf-variant", "digital"]):
        proc = run_ikidil(["build", *args], cwd=root)
        assert proc.returncode == 0, proc.stderr
    build = root / "build"
    return next(build.glob("*.en.epub")), next(build.glob("*.en.pdf"))


def test_epub_xhtml_has_the_turkish_title_in_a_turkish_element(english_outputs):
    epub, _ = english_outputs
    found = []
    with zipfile.ZipFile(epub) as zf:
        for name in zf.namelist():
            if name.endswith(".xhtml"):
                for el in etree.fromstring(zf.read(name)).iter("{http://www.w3.org/1999/xhtml}span"):
                    if " ".join("".join(el.itertext()).split()) == PERINCEK:
                        found.append((el.get("lang"), el.get("{http://www.w3.org/XML/1998/namespace}lang")))
    assert found and set(found) == {("tr-TR", "tr-TR")}


def test_pdf_structure_tree_has_turkish_spans(english_outputs):
    _, pdf_path = english_outputs
    with pikepdf.open(pdf_path) as pdf:
        langs = []

        def visit(element):
            if isinstance(element, pikepdf.Array):
                for child in element:
                    visit(child)
            elif isinstance(element, pikepdf.Dictionary):
                if "/Lang" in element:
                    langs.append((str(element.get("/S")), str(element.Lang)))
                if "/K" in element:
                    visit(element.K)

        visit(pdf.Root.StructTreeRoot)
        assert str(pdf.Root.Lang) == "en"
        assert langs.count(("/Span", "tr-TR")) >= 5               # titles, place, publisher in notes and bibliography


def test_an_entrys_region_tag_finds_its_languages_hyphenation():
    """WeasyPrint asks pyphen by the element's lang through language_fallback: `tr-TR`
    must reach ikidil's Turkish patterns (İs-tan-bul), not fall through to none."""
    import pyphen
    from ikidil.hyphenation import hyphenate, register
    register()                                  # (as the PDF renderer does before layout)
    assert hyphenate("İstanbul", pyphen.language_fallback("tr-TR")) == "İs-tan-bul"
    assert hyphenate("Görüşmeleri", pyphen.language_fallback("tr-TR")) == "Gö-rüş-me-le-ri"
