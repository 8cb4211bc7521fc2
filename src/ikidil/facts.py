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


# Thousands and decimal separators differ: tr 1.000,5 — en 1,000.5. A lone separator
# followed by digits is read as a decimal mark only in its own language's style.
# (Patterns here open with one character class, which lets the regex engine skip ahead
# to where a match can start: `\d(?:\d{0,2}…|\d*…)` is `\d{1,3}…|\d+…`, written so.)
_NUMBER = {
    "tr": re.compile(r"\d(?:\d{0,2}(?:\.\d{3})+(?:,\d+)?|\d*(?:,\d+)?)"),     # \d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?
    "en": re.compile(r"\d(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?)"),     # \d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?
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

WORD = re.compile(r"[^\W\d_][^\W\d_]*(?:['’][^\W\d_]+)*")      # [^\W\d_]+(?:['’][^\W\d_]+)*
_SENTENCE_END = ".!?:…"
_OPENERS = "“‘\"'«‹([—–- "
TURKISH_ONLY_LETTERS = set("ğĞıİşŞ")


# Several rules read the words of the same block: each text is scanned once. The check
# stage runs every rule on one pair of blocks before the next, so these caches need only
# hold the last few texts (word lists are large; a book has hundreds of thousands).
@lru_cache(maxsize=256)
def words_of(text: str) -> tuple[str, ...]:
    """The words of a text, in order."""
    return tuple(WORD.findall(text))


@lru_cache(maxsize=256)
def _distinct_words(text: str) -> frozenset[str]:
    return frozenset(words_of(text))


@lru_cache(maxsize=256)
def lower_words(text: str, lang: str) -> tuple[str, ...]:
    """i18n.lower of each word of the text, in order. i18n.lower maps Turkish I and İ to
    ı and i, then lower-cases; the mapping is done here on the whole text at once (letters
    for letters, so the words stay the same) and str.lower word by word, with no Python
    call per word."""
    if base(lang) in ("tr", "az"):      # the languages i18n.lower treats the Turkish way
        text = text.replace("I", "ı").replace("İ", "i")
    return tuple(map(str.lower, WORD.findall(text)))


def base(lang: str) -> str:
    return lang.split("-")[0]


def numbers(text: str, lang: str) -> Counter:
    """Every number in the text as a canonical decimal string, counted."""
    pattern = _NUMBER.get(base(lang), _NUMBER["en"])
    thousands, decimal = _SEPARATORS.get(base(lang), _SEPARATORS["en"])
    found: Counter = Counter()
    for raw in pattern.findall(text):
        if raw.isascii() and raw.isdigit():     # most numbers: a day, a year, a page
            found[str(int(raw))] += 1
            continue
        raw = raw.replace(thousands, "").replace(decimal, ".")
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
    return {str(table[w]) for w in table.keys() & set(lower_words(text, lang))}


def months(text: str, lang: str) -> Counter:
    """Month numbers (1–12) named in the text."""
    names = _month_numbers(base(lang))
    found: Counter = Counter()
    if not names:
        return found
    # Month names are whole letter runs: found in one scan; the token list (for the
    # neighbours of an ambiguous name) is made only when there is such a name.
    named = _month_pattern(base(lang)).findall(text)
    if not _AMBIGUOUS_MONTHS.isdisjoint(named):
        tokens = re.findall(r"\d+|[^\W\d_]+", text)
        named = [token for i, token in enumerate(tokens) if token in names
                 and (token not in _AMBIGUOUS_MONTHS or _next_to_number(tokens, i))]
    for token in named:
        found[names[token]] += 1
    return found


@lru_cache(maxsize=None)
def _month_numbers(lang: str) -> dict[str, int]:
    return {name: i + 1 for i, name in enumerate(MONTHS.get(lang, []))}


@lru_cache(maxsize=None)
def _month_pattern(lang: str) -> re.Pattern:
    """A month name that is a whole letter run (a token of `\\d+|[^\\W\\d_]+`). Each name
    checks the letter before it after matching, so the pattern opens with the names
    themselves, which the regex engine looks for quickly."""
    alternatives = "|".join(rf"{re.escape(name)}(?<![^\W\d_].{{{len(name)}}})"
                            for name in sorted(_month_numbers(lang), key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})(?![^\W\d_])", re.DOTALL)


def _next_to_number(tokens: list[str], i: int) -> bool:
    return any(0 <= j < len(tokens) and tokens[j].isdigit() for j in (i - 1, i + 1))


@lru_cache(maxsize=1 << 17)   # a book repeats its words: strip each one once
def stem(word: str, lang: str) -> str:
    """A name without its grammatical ending: Turkish suffixes follow an apostrophe
    (Frunze’nin → Frunze), English possessives too (Chicherin’s → Chicherin)."""
    word = word.replace("'", "’")
    if base(lang) == "en":
        return word.removesuffix("’s").rstrip("’")
    return word.split("’")[0]


class _Unaccented(dict):
    """str.translate table: each character to itself without accents (NFKD, combining
    marks dropped), dotless ı and dotted İ to i and I; filled as characters are met.
    Character by character is the same as the whole word at once: NFKD decomposes each
    character on its own and reorders only combining marks, which are all dropped."""

    def __missing__(self, codepoint: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(codepoint))
        plain = self[codepoint] = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return plain


_UNACCENTED = _Unaccented({ord("ı"): "i", ord("İ"): "I"})


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A spelling-insensitive key: İbrahim/Ibrahim, Perinçek/Perincek compare equal."""
    return word.translate(_UNACCENTED).lower()


class _WordKeys(dict):
    """Word as written → fold(stem), spelled through a transliteration table; filled as
    words are met, so a book's recurring words are stemmed and folded once."""

    LIMIT = 1 << 17            # words kept: a long watch session must not grow without end

    def __init__(self, lang: str, table: dict[str, str]):
        super().__init__()
        self.lang, self.table = lang, table

    def __missing__(self, word: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        stemmed = stem(word, self.lang)
        key = self[word] = fold(self.table.get(stemmed, stemmed))
        return key


@lru_cache(maxsize=32)
def _word_keys(lang: str, table: frozenset) -> _WordKeys:
    return _WordKeys(lang, dict(table))


# Where a capitalised word may start: a letter that is not one of the common lower-case
# letters (so the scan runs in the regex engine), at the start of a WORD match: not after
# a letter, nor after a letter and an apostrophe (WORD would have gone on through both).
# Every candidate is still tested with str.isupper; the pattern only skips the rest fast.
_CAPITAL_CANDIDATE = re.compile(
    r"[^\W\d_a-zß-öø-ÿāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįıĵķĸĺļľŀłńņňŉŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżžſ"
    r"α-ωа-яѐ-џ]"
    r"(?<![^\W\d_].)(?<![^\W\d_]['’].)[^\W\d_]*(?:['’][^\W\d_]+)*", re.DOTALL)


@lru_cache(maxsize=4096)   # small; read for a whole chapter first (F003), then pair by pair
def _capitals(text: str) -> tuple[tuple[str, int], ...]:
    """(word as written, where it starts) for every word with a capital first letter."""
    return tuple((m.group(), m.start()) for m in _CAPITAL_CANDIDATE.finditer(text) if m.group()[0].isupper())


def capitalised_words(text: str, lang: str) -> list[tuple[str, bool]]:
    """(stem, at sentence start) for every capitalised word of at least two letters."""
    out = []
    for raw, start in _capitals(text):      # a stem keeps its word's first letter
        word = stem(raw, lang)
        if len(word) >= 2:
            out.append((word, _starts_sentence(text, start)))
    return out


def _starts_sentence(text: str, start: int) -> bool:
    window = max(0, start - 40)              # enough to see past quotes and dashes
    before = text[window:start].rstrip(_OPENERS)
    if not before:
        return window == 0
    if before[-1] not in _SENTENCE_END:
        return False
    # An initial (G. V. Chicherin) ends with a period but does not end a sentence. The
    # match could only be the last three characters (before ends in a sentence mark).
    return not _INITIAL.search(before[-3:])


_INITIAL = re.compile(r"(?:^|[\s.])[^\W\d_]\.$")


def names(text: str, lang: str, transliterations: dict[str, str] | None = None) -> set[str]:
    """Proper names (capitalised words not opening a sentence) as folded keys, spelled
    the translation's way through the transliteration table (Çiçerin → chicherin)."""
    table = transliterations or {}
    return {fold(table.get(word, word)) for word, start in capitalised_words(text, lang) if not start}


def vocabulary(text: str, lang: str, transliterations: dict[str, str] | None = None,
               capitalised: bool = False) -> set[str]:
    """Every word (or every capitalised word) of the text as a folded key, names
    spelled through the table."""
    if capitalised:                             # a stem keeps its word's first letter
        words = {raw for raw, _ in _capitals(text)}
    else:
        words = _distinct_words(text)           # each distinct word once
    keys = _word_keys(lang, frozenset(transliterations.items()) if transliterations else frozenset())
    return set(map(keys.__getitem__, words))


def turkish_share(text: str) -> float:
    """Share of words that only Turkish spells (ğ, ı, ş, İ): high in an untranslated block."""
    if TURKISH_ONLY_LETTERS.isdisjoint(text):
        return 0.0                      # (no words, or none with those letters)
    words = words_of(text)
    return sum(1 for w in words if not TURKISH_ONLY_LETTERS.isdisjoint(w)) / len(words)


TURKISH_FUNCTION_WORDS = frozenset("ve bir bu ile için da de olarak gibi daha çok olan ki ama ancak ise "
                                   "kadar sonra önce göre arasında tarafından".split())


def turkish_function_word_share(text: str) -> float:
    """Share of words that are Turkish function words (ve, bir, bu, ile…)."""
    words = lower_words(text, "tr")
    if not words:
        return 0.0
    return sum(map(TURKISH_FUNCTION_WORDS.__contains__, words)) / len(words)


_PARENTHESIS = re.compile(r"\([^()]*\)")


def outside_parentheses(text: str) -> str:
    """The running text without parenthesised asides, where translators add originals
    and abbreviations of their own (“Communist Party of Turkey (Türkiye Komünist Fırkası)”)."""
    # The text itself when it has no aside: the same object, so the caches above know it.
    return _PARENTHESIS.sub(" ", text) if "(" in text else text
