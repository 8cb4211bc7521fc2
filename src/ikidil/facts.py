"""What a block says that its translation must keep: numbers, months, proper names.

Each fact is read in the block's own language and brought to one shared form, so
Turkish `1.000,5` and English `1,000.5` are both 1000.5, `Eylül` and `September`
are both month 9, and `Frunze’nin` is the name `frunze`. Alignment uses these facts
as anchors; the QA rules compare them block by block."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .i18n import lower

# Thousands and decimal separators differ: tr 1.000,5 — en 1,000.5. A lone separator
# followed by digits is read as a decimal mark only in its own language's style.
_NUMBER = {
    "tr": re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"),
    "en": re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"),
}
_SEPARATORS = {"tr": (".", ","), "en": (",", ".")}     # (thousands, decimal)

# Small numbers are often written as words on one side and digits on the other.
NUMBER_WORDS = {
    "en": {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
    | {w: i for i, w in enumerate("zeroth first second third fourth fifth sixth seventh eighth ninth tenth "
                                  "eleventh twelfth".split())},
    "tr": {w: i for i, w in enumerate("sıfır bir iki üç dört beş altı yedi sekiz dokuz on".split())}
    | {w: i for i, w in enumerate("sıfırıncı birinci ikinci üçüncü dördüncü beşinci altıncı yedinci sekizinci "
                                  "dokuzuncu onuncu".split())},
}

MONTHS = {
    "tr": "Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık".split(),
    "en": "January February March April May June July August September October November December".split(),
}
# Month names that are also ordinary words ("May I…", "March on"): counted only next to a number.
_AMBIGUOUS_MONTHS = {"May", "March", "Mart", "Ekim", "Nisan"}

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_END = ".!?:…"
_OPENERS = "“‘\"'«‹([—–- "
TURKISH_ONLY_LETTERS = set("ğĞıİşŞ")


def base(lang: str) -> str:
    return lang.split("-")[0]


def numbers(text: str, lang: str) -> Counter:
    """Every number in the text as a canonical decimal string, counted."""
    pattern = _NUMBER.get(base(lang), _NUMBER["en"])
    thousands, decimal = _SEPARATORS.get(base(lang), _SEPARATORS["en"])
    found: Counter = Counter()
    for match in pattern.finditer(text):
        raw = match.group().replace(thousands, "").replace(decimal, ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            continue
        found[_canonical(value)] += 1
    return found


def _canonical(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


def number_words(text: str, lang: str) -> set[str]:
    """Numbers written as words (two, second; iki, ikinci), as canonical strings."""
    table = NUMBER_WORDS.get(base(lang), {})
    return {str(table[w]) for w in (lower(m.group(), lang) for m in WORD.finditer(text)) if w in table}


def months(text: str, lang: str) -> Counter:
    """Month numbers (1–12) named in the text."""
    names = {name: i + 1 for i, name in enumerate(MONTHS.get(base(lang), []))}
    found: Counter = Counter()
    tokens = re.findall(r"\d+|[^\W\d_]+", text)
    for i, token in enumerate(tokens):
        if token in names:
            if token in _AMBIGUOUS_MONTHS and not _next_to_number(tokens, i):
                continue
            found[names[token]] += 1
    return found


def _next_to_number(tokens: list[str], i: int) -> bool:
    return any(0 <= j < len(tokens) and tokens[j].isdigit() for j in (i - 1, i + 1))


def stem(word: str, lang: str) -> str:
    """A name without its grammatical ending: Turkish suffixes follow an apostrophe
    (Frunze’nin → Frunze), English possessives too (Chicherin’s → Chicherin)."""
    word = word.replace("'", "’")
    if base(lang) == "en":
        return word.removesuffix("’s").rstrip("’")
    return word.split("’")[0]


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A spelling-insensitive key: İbrahim/Ibrahim, Perinçek/Perincek compare equal."""
    word = word.replace("ı", "i").replace("İ", "I")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def capitalised_words(text: str, lang: str) -> list[tuple[str, bool]]:
    """(stem, at sentence start) for every capitalised word of at least two letters."""
    out = []
    for match in WORD.finditer(text):
        word = stem(match.group(), lang)
        if len(word) < 2 or not word[0].isupper():
            continue
        out.append((word, _starts_sentence(text, match.start())))
    return out


def _starts_sentence(text: str, start: int) -> bool:
    window = max(0, start - 40)              # enough to see past quotes and dashes
    before = text[window:start].rstrip(_OPENERS)
    if not before:
        return window == 0
    if before[-1] not in _SENTENCE_END:
        return False
    # An initial (G. V. Chicherin) ends with a period but does not end a sentence.
    return not re.search(r"(?:^|[\s.])[^\W\d_]\.$", before)


def names(text: str, lang: str, transliterations: dict[str, str] | None = None) -> set[str]:
    """Proper names (capitalised words not opening a sentence) as folded keys, spelled
    the translation's way through the transliteration table (Çiçerin → chicherin)."""
    table = transliterations or {}
    return {fold(table.get(word, word)) for word, start in capitalised_words(text, lang) if not start}


def vocabulary(text: str, lang: str, transliterations: dict[str, str] | None = None,
               capitalised: bool = False) -> set[str]:
    """Every word (or every capitalised word) of the text as a folded key, names
    spelled through the table."""
    table = transliterations or {}
    words = (stem(m.group(), lang) for m in WORD.finditer(text))
    return {fold(table.get(w, w)) for w in words if not capitalised or w[:1].isupper()}


def turkish_share(text: str) -> float:
    """Share of words that only Turkish spells (ğ, ı, ş, İ): high in an untranslated block."""
    words = WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for w in words if TURKISH_ONLY_LETTERS & set(w)) / len(words)


TURKISH_FUNCTION_WORDS = frozenset("ve bir bu ile için da de olarak gibi daha çok olan ki ama ancak ise "
                                   "kadar sonra önce göre arasında tarafından".split())


def turkish_function_word_share(text: str) -> float:
    """Share of words that are Turkish function words (ve, bir, bu, ile…)."""
    words = [lower(w, "tr") for w in WORD.findall(text)]
    if not words:
        return 0.0
    return sum(1 for w in words if w in TURKISH_FUNCTION_WORDS) / len(words)


_PARENTHESIS = re.compile(r"\([^()]*\)")


def outside_parentheses(text: str) -> str:
    """The running text without parenthesised asides, where translators add originals
    and abbreviations of their own (“Communist Party of Turkey (Türkiye Komünist Fırkası)”)."""
    return _PARENTHESIS.sub(" ", text)
