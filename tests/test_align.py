"""Alignment of the real seed chapter with its translation, and the language facts
(numbers, months, names) it anchors on."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import REPO, copy_book
from ikidil import facts
from ikidil.align import align_chapter
from ikidil.load import load_book

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"


@pytest.fixture(scope="module")
def seed():
    book = load_book(REPO)
    return book.chapter("tr", CHAPTER), book.chapter("en", CHAPTER)


def edited_book(tmp_path, lang_dir: str, edit) -> tuple:
    root = copy_book(tmp_path / "book")
    path = root / lang_dir / CHAPTER
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    book = load_book(root)
    return book.chapter("tr", CHAPTER), book.chapter("en", CHAPTER)


def drop_paragraph(number: int):
    def edit(text: str) -> str:
        blocks = text.split("\n\n")
        del blocks[number]
        return "\n\n".join(blocks)
    return edit


# ---- facts -----------------------------------------------------------------------------

@pytest.mark.parametrize("tr,en", [
    ("1.000,5 kişi", "1,000.5 people"),
    ("1917’den sonra", "after 1917"),
    ("22 Ağustos-13 Eylül 1921", "22 August–13 September 1921"),
    ("%50", "50%"),
])
def test_numbers_read_in_each_languages_notation(tr, en):
    assert facts.numbers(tr, "tr") == facts.numbers(en, "en")


def test_turkish_and_english_separators_are_not_confused():
    assert facts.numbers("1.000,5", "tr") == Counter({"1000.5": 1})
    assert facts.numbers("1,000.5", "en") == Counter({"1000.5": 1})
    # English notation in a Turkish reading is not the same number.
    assert facts.numbers("1,000.5", "tr") != facts.numbers("1,000.5", "en")


def test_months_in_both_languages_and_ambiguous_may():
    assert facts.months("22 Ağustos-13 Eylül 1921, Ocak ayında", "tr") == Counter({8: 1, 9: 1, 1: 1})
    assert facts.months("22 August–13 September 1921, in January", "en") == Counter({8: 1, 9: 1, 1: 1})
    assert facts.months("May I add that in May 1919 it began", "en") == Counter({5: 1})


def test_names_split_turkish_suffixes_and_skip_sentence_starts():
    text = "Bu görüşmeler Frunze’nin Ankara’ya gelmesiyle başladı. Çiçerin de G.V.Çiçerin idi."
    assert facts.names(text, "tr") == {"frunze", "ankara", "cicerin"}
    assert "bu" not in facts.names(text, "tr")
    assert facts.names(text, "tr", {"Çiçerin": "Chicherin"}) == {"frunze", "ankara", "chicherin"}
    assert facts.names("He met Chicherin’s deputy in Ankara.", "en") == {"chicherin", "ankara"}


# ---- alignment ------------------------------------------------------------------------

def test_seed_pairs_block_for_block(seed):
    tr, en = seed
    alignment = align_chapter(tr, en)
    assert len(alignment.aligned) == len(tr.blocks) == len(en.blocks)
    assert all(p.source.index == p.target.index for p in alignment.pairs)


@pytest.mark.parametrize("number", [3, 9, 17])
def test_a_dropped_translation_paragraph_is_found_where_it_is(tmp_path, number):
    tr, en = edited_book(tmp_path, "translations/en", drop_paragraph(number))
    alignment = align_chapter(tr, en)
    gaps = [p for p in alignment.pairs if p.target is None]
    assert [p.source.index for p in gaps] == [number]
    for p in alignment.aligned:
        assert p.source.index == (p.target.index if p.target.index < number else p.target.index + 1)


def test_a_dropped_source_paragraph_leaves_an_extra_translation_block(tmp_path):
    tr, en = edited_book(tmp_path, "manuscript", drop_paragraph(12))
    alignment = align_chapter(tr, en)
    extra = [p for p in alignment.pairs if p.source is None]
    assert [p.target.index for p in extra] == [12]


def test_two_dropped_paragraphs_are_both_found(tmp_path):
    tr, en = edited_book(tmp_path, "translations/en", lambda t: drop_paragraph(20)(drop_paragraph(6)(t)))
    gaps = [p.source.index for p in align_chapter(tr, en).pairs if p.target is None]
    assert gaps == [6, 21]
