"""Hyphenation dictionaries for WeasyPrint (which asks pyphen by the `lang` of each element).

pyphen ships no Turkish dictionary; ikidil carries its own (assets/hyph_tr.dic, generated
by scripts/make_hyph_tr.py) and registers it under `tr`. pyphen lowercases words with
str.lower(), which turns "İ" into two code points ("i" + U+0307) and shifts every hyphenation
point after it, and turns "I" into "i" instead of "ı"; the Turkish dictionary is therefore
loaded through a subclass that lowercases with Turkish rules and keeps the word's length.

English: pyphen answers `lang="en"` with its British patterns, which break "foun-ded",
"pre-ven-ted", "reas-on"; ikidil gives `en` the US TeX patterns (pyphen's hyph_en_US.dic:
"found-ed", "pre-vent-ed", "rea-son"), with an exception list for the words those patterns
get wrong that books like ours use (place names). Names from a book's transliterations are
not hyphenated at all (render/pdf.py marks them)."""

from __future__ import annotations

import pyphen

from pathlib import Path
from .i18n import lower

TURKISH_DIC = Path(__file__).resolve().parent / "assets" / "hyph_tr.dic"


class TurkishHyphDict(pyphen.HyphDict):
    def positions(self, word):
        return super().positions(lower(word, "tr"))


ENGLISH_DIC = Path(pyphen.__file__).resolve().parent / "dictionaries" / "hyph_en_US.dic"
# word (lower case) → its breaks; "" for a word never broken
ENGLISH_EXCEPTIONS = {
    "dardanelles": "Dar-da-nelles", "comintern": "Com-in-tern", "bosphorus": "Bos-pho-rus",
    "anatolia": "Ana-to-lia", "anatolian": "Ana-to-lian", "sovnarkom": "Sov-nar-kom",
}


class EnglishHyphDict(pyphen.HyphDict):
    def positions(self, word):
        known = ENGLISH_EXCEPTIONS.get(word.lower())
        if known is None:
            return super().positions(word)
        positions, at = [], 0
        for part in known.split("-")[:-1]:
            at += len(part)
            positions.append(pyphen.DataInt(at))
        return positions


def register() -> None:
    """Make `hyphens: auto` work under lang="tr" (idempotent; call before layout)."""
    if pyphen.LANGUAGES.get("tr") == TURKISH_DIC and TURKISH_DIC in pyphen.hdcache:
        return
    for name in ("tr", "tr_TR"):
        pyphen.LANGUAGES[name] = TURKISH_DIC
        pyphen.LANGUAGES_LOWERCASE[name.lower()] = name
    pyphen.hdcache[TURKISH_DIC] = TurkishHyphDict(TURKISH_DIC)
    if ENGLISH_DIC.is_file():
        for name in ("en", "en_US"):
            pyphen.LANGUAGES[name] = ENGLISH_DIC
            pyphen.LANGUAGES_LOWERCASE[name.lower()] = name
        pyphen.hdcache[ENGLISH_DIC] = EnglishHyphDict(ENGLISH_DIC)


def hyphenate(word: str, lang: str, hyphen: str = "-") -> str:
    """The word with every allowed break marked (for tests and diagnostics)."""
    register()
    return pyphen.Pyphen(lang=lang).inserted(word, hyphen)
