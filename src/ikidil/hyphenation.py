"""Hyphenation dictionaries for WeasyPrint (which asks pyphen by the `lang` of each element).

pyphen ships no Turkish dictionary; ikidil carries its own (assets/hyph_tr.dic, generated
by scripts/make_hyph_tr.py) and registers it under `tr`. pyphen lowercases words with
str.lower(), which turns "İ" into two code points ("i" + U+0307) and shifts every hyphenation
point after it, and turns "I" into "i" instead of "ı"; the Turkish dictionary is therefore
loaded through a subclass that lowercases with Turkish rules and keeps the word's length."""

from __future__ import annotations

import pyphen

from pathlib import Path
from .i18n import lower

TURKISH_DIC = Path(__file__).resolve().parent / "assets" / "hyph_tr.dic"


class TurkishHyphDict(pyphen.HyphDict):
    def positions(self, word):
        return super().positions(lower(word, "tr"))


def register() -> None:
    """Make `hyphens: auto` work under lang="tr" (idempotent; call before layout)."""
    if pyphen.LANGUAGES.get("tr") == TURKISH_DIC and TURKISH_DIC in pyphen.hdcache:
        return
    for name in ("tr", "tr_TR"):
        pyphen.LANGUAGES[name] = TURKISH_DIC
        pyphen.LANGUAGES_LOWERCASE[name.lower()] = name
    pyphen.hdcache[TURKISH_DIC] = TurkishHyphDict(TURKISH_DIC)


def hyphenate(word: str, lang: str, hyphen: str = "-") -> str:
    """The word with every allowed break marked (for tests and diagnostics)."""
    register()
    return pyphen.Pyphen(lang=lang).inserted(word, hyphen)
