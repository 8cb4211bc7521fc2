"""Turkish hyphenation: the dictionary, and the breaks WeasyPrint actually made in the PDF."""

from __future__ import annotations

import re

import pytest

from conftest import REPO, pdf_body_text

VOWELS = set("aeıioöuüâîûAEIİOÖUÜÂÎÛ")


def syllable_start(word: str, k: int) -> bool:
    """An independent statement of the Turkish rule: a syllable starts at a consonant
    followed by a vowel, or at a vowel that follows a vowel."""
    here, before = word[k], word[k - 1]
    if here in VOWELS:
        return before in VOWELS
    return k + 1 < len(word) and word[k + 1] in VOWELS and before.isalpha()


@pytest.mark.parametrize("word, expected", [
    ("İstanbul", "İs-tan-bul"), ("Türkiye’deki", "Tür-ki-ye’de-ki"), ("kontrol", "kont-rol"),
    ("saat", "sa-at"), ("Çiçerin", "Çi-çe-rin"), ("IŞIKLARI", "IŞIK-LA-RI"), ("ılık", "ılık"),
    ("strateji", "stra-te-ji"), ("Antlaşması", "Ant-laş-ma-sı"), ("İngiltere", "İn-gil-te-re"),
])
def test_turkish_dictionary(word, expected):
    from ikidil.hyphenation import hyphenate
    assert hyphenate(word, "tr") == expected


def test_english_keeps_its_own_rules():
    from ikidil.hyphenation import hyphenate
    assert hyphenate("leadership", "en") != hyphenate("leadership", "tr")


def test_turkish_pdf_breaks_words_only_between_syllables(tmp_path):
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.pdf import render_pdf
    book = load_book(REPO)
    pdf = tmp_path / "tr.pdf"
    render_pdf(book, make_edition(book, "tr"), pdf, "digital")
    lines = [line.strip() for line in pdf_body_text(pdf).splitlines() if line.strip()]
    breaks = []
    for line, following in zip(lines, lines[1:]):
        match = re.search(r"(\w+)[‐-]$", line)
        if match and not re.search(r"\d[‐-]$", line) and following.split():
            head = match.group(1)
            tail = re.match(r"\w+", following.split()[0])
            if tail:
                breaks.append((head, tail.group(0)))
    assert len(breaks) >= 5, "the seed book's Turkish justified text hyphenates"
    for head, tail in breaks:
        word = head + tail
        assert syllable_start(word, len(head)), f"{head}-{tail}"
        assert len(head) >= 2 and len(tail) >= 2


@pytest.mark.parametrize("word, expected", [
    ("founded", "found-ed"), ("prevented", "pre-vent-ed"), ("reason", "rea-son"),      # US TeX patterns
    ("Dardanelles", "Dar-da-nelles"), ("Comintern", "Com-in-tern"),                    # the exceptions
])
def test_english_uses_the_us_patterns_and_the_exceptions(word, expected):
    from ikidil.hyphenation import hyphenate
    assert hyphenate(word, "en") == expected


def test_transliterated_names_are_never_broken_in_the_pdf(tmp_path):
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.render.pdf import edition_html, render_pdf
    book = load_book(REPO)
    edition = make_edition(book, "en")
    html = edition_html(book, edition)
    assert '<span class="name">Chicherin</span>' in html and 'class="name">Vasilyevich<' in html
    assert "<span class=\"name\">" not in html.split("<body", 1)[0]                  # text only, never tags
    target = tmp_path / "en.pdf"
    render_pdf(book, edition, target, "digital")
    lines = pdf_body_text(target).splitlines()
    for line in lines:
        if line.rstrip().endswith(("‐", "-")):
            broken = line.split()[-1]
            assert not any(name.startswith(broken[:-1]) and len(broken) > 2
                           for name in book.config.transliterations.values()), line
