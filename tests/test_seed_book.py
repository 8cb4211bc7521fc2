"""The seed essay as a book: every word of the seed kept, a faithful aligned translation."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from conftest import REPO, SEED
from ikidil.load import load_book

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"
CITATION = re.compile(r"\s*\[[^\[\]]*@[\w-]+[^\[\]]*\]")


def words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def seed_body_words() -> list[str]:
    """The seed's words in order, without its three parenthetical source citations
    (each is recognised by naming a bibliography entry's title or publisher)."""
    text = SEED.read_text(encoding="utf-8")
    text = re.sub(r"-\s*\n\s*(?=\w)", "-", text)            # line-end hyphen: Temmuz-\nAğustos
    text = " ".join(text.split())
    entries = yaml.safe_load((REPO / "bibliography.yaml").read_text())["references"]
    removed = 0
    for match in list(re.finditer(r"\(([^()]*)\)", text))[::-1]:
        inner = match.group(1)
        if any(e["title"].split(":")[0].split(",")[0] in inner for e in entries):
            text = text[:match.start()] + text[match.end():]
            removed += 1
    assert removed == 3, f"expected the seed's 3 source citations, found {removed}"
    return words(text)


def manuscript_body_words() -> list[str]:
    text = (REPO / "manuscript" / CHAPTER).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("# ")]   # editorial heading
    text = CITATION.sub("", "\n".join(lines))
    text = re.sub(r"^> ", "", text, flags=re.M)
    return words(text)


def test_manuscript_has_every_seed_word_in_order():
    seed, manuscript = seed_body_words(), manuscript_body_words()
    assert len(seed) > 1000
    assert manuscript == seed


def test_manuscript_is_24_paragraphs_and_one_quotation():
    book = load_book(REPO)
    kinds = [b.kind for b in book.chapters["tr"][0].blocks]
    assert kinds[0] == "Header"
    assert kinds[1:].count("Para") == 24 and kinds[1:].count("BlockQuote") == 1
    assert len(kinds) == 26
    quote = next(b for b in book.chapters["tr"][0].blocks if b.kind == "BlockQuote")
    assert quote.text.startswith("“Lenin Yoldaş") and "Perinçek" not in quote.text


def test_manuscript_citations_match_the_seed():
    book = load_book(REPO)
    cites = [(c.key, c.prefix, c.locator) for b in book.chapters["tr"][0].blocks for c in b.citations]
    assert cites == [("aslan2002", "Tutanak metinleri ve açıklamalar için bkz.", ""),
                     ("gokay2006", "", "9"), ("perincek2005", "", "97")]


def test_bibliography_has_every_field_the_seed_gives():
    entries = {e["id"]: e for e in yaml.safe_load((REPO / "bibliography.yaml").read_text())["references"]}
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    aslan = entries["aslan2002"]
    assert aslan["container-title"] == "Atatürk Dergisi" and aslan["volume"] == "3" and aslan["issue"] == "2"
    assert aslan["publisher"] in seed and aslan["issued"]["date-parts"] == [[2002]]
    assert entries["gokay2006"]["publisher"] == "Routledge" and entries["gokay2006"]["publisher-place"] == "London"
    assert entries["perincek2005"]["publisher-place"] == "İstanbul"
    for entry in entries.values():
        for part in entry["title"].split(": "):
            assert part in seed, part       # titles and subtitles verbatim, original language


def test_translation_is_aligned_block_for_block():
    book = load_book(REPO)
    tr, en = book.chapters["tr"][0], book.chapters["en"][0]
    assert [b.kind for b in tr.blocks] == [b.kind for b in en.blocks]
    for s, t in zip(tr.blocks, en.blocks):
        assert [(c.key, c.locator) for c in s.citations] == [(c.key, c.locator) for c in t.citations]
        assert len(t.text) > 0.6 * len(s.text), t.text[:60]


def test_translation_keeps_every_number_of_each_block():
    book = load_book(REPO)
    for s, t in zip(book.chapters["tr"][0].blocks, book.chapters["en"][0].blocks):
        assert sorted(re.findall(r"\d+", s.text)) == sorted(re.findall(r"\d+", t.text)), s.text[:60]


def test_translation_uses_one_spelling_for_chicherin():
    text = (REPO / "translations" / "en" / CHAPTER).read_text(encoding="utf-8")
    assert "Chicherin" in text and "Çiçerin" not in text and "Chicerin" not in text
