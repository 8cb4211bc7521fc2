"""Numbers as each language writes them, compared between a source and its translation.

Each language declares its notation (NOTATION: thousands separators, decimal mark); a
token of digits and separators is a *quantity* when it reads as one in its language
(`1.000,5` in Turkish, `1,000.5` in English: both 1000.5) and is otherwise compared
*verbatim*: version numbers `3.11.2`, section numbers, ISO dates `2024-05-01`, ISBNs,
`1.0` left as written in a Turkish text. Tokens written identically on both sides are
paired first, whatever they mean: two identical strings never differ."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal, InvalidOperation

# language → (thousands separators, decimal mark). Data: add a language by adding a line.
NOTATION: dict[str, tuple[str, str]] = {
    "en": (",", "."),
    "tr": (".", ","),
    "de": (".", ","),
    "nl": (".", ","),
    "es": (".", ","),
    "it": (".", ","),
    "pt": (".", ","),
    "fr": ("\u202f\u00a0 ", ","),
    "ru": ("\u202f\u00a0 ", ","),
    "ja": (",", "."),
    "zh": (",", "."),
}
DEFAULT = NOTATION["en"]

# A token: digits joined by separators (dots, commas, narrow/no-break spaces between digit
# groups), or an ISO date / ISBN-like run of digit groups joined by hyphens.
# (Opening with one character class lets the regex engine skip ahead to a digit: several
# times faster on prose than two alternatives each opening with `\d+`.)
_TOKEN = re.compile(r"\d(?:\d*(?:-\d+){2,}[\dX]?|\d*(?:(?:[.,]|[\u202f\u00a0](?=\d{3}))\d+)*)")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def value(token: str, lang: str) -> str:
    """The canonical quantity a token stands for in `lang` (`1000.5`), or the token itself
    behind `=` when it is no quantity there (`=3.11.2`)."""
    if token.isdigit():
        return str(int(token))
    thousands, decimal = NOTATION.get(lang.split("-")[0], DEFAULT)
    groups = "|".join(re.escape(t) for t in thousands)
    quantity = re.fullmatch(rf"\d{{1,3}}(?:(?:{groups})\d{{3}})+(?:{re.escape(decimal)}\d+)?"
                            rf"|\d+(?:{re.escape(decimal)}\d+)?", token)
    if not quantity:
        return "=" + token
    plain = re.sub(groups, "", token).replace(decimal, ".")
    try:
        number = Decimal(plain)
    except InvalidOperation:
        return "=" + token
    return format(number.normalize(), "f") if number != number.to_integral() else str(int(number))


def compare(source: str, source_lang: str, target: str, target_lang: str) -> tuple[Counter, Counter]:
    """(numbers the translation lacks, numbers it adds), each as its text writes it."""
    s, t = Counter(tokens(source)), Counter(tokens(target))
    same = s & t                              # written alike: the same, whatever they mean
    s, t = s - same, t - same
    if not s and not t:
        return Counter(), Counter()
    sv = {k: value(k, source_lang) for k in s}
    tv = {k: value(k, target_lang) for k in t}
    lost = Counter(sv[k] for k in s.elements()) - Counter(tv[k] for k in t.elements())
    added = Counter(tv[k] for k in t.elements()) - Counter(sv[k] for k in s.elements())
    return _as_written(lost, sv), _as_written(added, tv)


def _as_written(values: Counter, written: dict[str, str]) -> Counter:
    """The unmatched values, each shown as its text writes it (`4.10`, not 4.1)."""
    spelling = {v: k for k, v in written.items()}
    return Counter({spelling[v]: n for v, n in values.items()})
