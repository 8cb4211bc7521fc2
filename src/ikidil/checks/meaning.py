"""Slips of meaning a form check can still see, with no model: a negation lost or added
(M001), a quantifier turned into its opposite (M002).

Both are word lists per language (data: add a language by adding its lines), compared
block by block. They are *opt-in* (book.yaml `checks: {M001: warning}`): measured on the
QA corpus (scripts/qa_eval.py) they catch the slips they are meant for, but lexical
negation (`unexpected` ↔ `beklenmeyen`, `immutable` ↔ `değiştirilemez`) and free
rephrasing make them noisier than the form rules, so a translator turns them on for a
review pass rather than for every build."""

from __future__ import annotations

import re

from .. import facts
from .base import Severity, block_rule, units

# Words that negate, per language; `pattern` catches negative verb forms (Turkish -me/-ma:
# etmedi, gerekmez, desteklenmiyor, düzenlemeyin, erişilemeyen).
NEGATION_WORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in {
    "en": "not no never nothing none nobody neither nor cannot can't don't doesn't didn't isn't "
          "aren't wasn't weren't won't wouldn't shouldn't couldn't mustn't haven't hasn't hadn't "
          "unexpected unknown unable unnecessary unsupported unreachable unhandled uncaught unused invalid",
    "tr": "değil değildir değildi yok yoktur yoktu hiç hiçbir asla",
    "de": "nicht kein keine keinen keinem keiner nie niemals nichts niemand weder",
    "fr": "ne pas jamais rien aucun aucune personne ni",
}.items()}
NEGATION_PATTERN: dict[str, re.Pattern] = {
    "tr": re.compile(r"\w{2,}(?:m[ae](?:d[ıi]|z|y[ae]c[ae]k|m[ae]l[ıi]|m[ıi]ş|y[ıi]n|y[ıi]z|y[ae]n|d[ıi]ğ)"
                     r"|m[ıiuü]yor|[ae]m[ae]z|[ae]m[ae]d[ıi])\w*"),
}
# Left out on purpose, measured on the corpus: -madan/-meden and -ması (görüşmeden sonra
# "after the meeting", alınmasını "its taking") are far more often verbal nouns than negations,
# and so `without` (koparmadan) is no negation either.

# Quantifiers: universal (all, every) and partial (some, a few, a class of).
QUANTIFIERS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"all": ("all", "every", "each", "always", "everything", "everyone", "entirely"),
           "some": ("some", "several", "few", "a few", "many", "most", "sometimes", "often", "class of",
                    "kind of", "type of", "part of", "almost", "nearly")},
    "tr": {"all": ("tüm ", "tümü", "bütün", "her ", "hepsi", "hep ", "daima", "tamamen", "herkes", "herşey"),
           "some": ("bazı", "bazen", "birkaç", "birçok", "pek çok", "çoğu", "çoğun", "kimi ", "bir kısmı", "bir tür",
                    "bir sınıf", "neredeyse", "hemen hemen", "sık sık")},
}


def negations(text: str, lang: str) -> int:
    lang = facts.base(lang)
    words = facts.lower_words(text, lang)
    table = NEGATION_WORDS.get(lang, frozenset())
    count = sum(1 for w in words if w in table or w.endswith("n’t") or w.endswith("n't"))
    pattern = NEGATION_PATTERN.get(lang)
    if pattern is not None:
        # `olup olmadığı`, `gelip gelmediği` (whether or not) ask, they do not negate.
        count += sum(1 for i, w in enumerate(words) if pattern.fullmatch(w)
                     and not (i and words[i - 1].endswith("p") and words[i - 1][:2] == w[:2]))
    return count


def quantifiers(text: str, lang: str) -> set[str]:
    """The kinds of quantifier the text uses: {"all"}, {"some"}, both or none."""
    table = QUANTIFIERS.get(facts.base(lang))
    if not table:
        return set()
    padded = " " + " ".join(facts.lower_words(text, lang)) + " "
    padded = padded.replace(" each other ", " ").replace(" one another ", " ")     # reciprocal, not a quantifier
    # Turkish quantifiers take endings (çoğundan, hepsini, tümünü): matched at a word's start.
    end = "" if facts.base(lang) in ("tr", "az") else " "
    return {kind for kind, words in table.items() if any(f" {w}{end}" in padded for w in words)}


def _judged(ctx) -> bool:
    return facts.base(ctx.source_lang) in NEGATION_WORDS and facts.base(ctx.lang) in NEGATION_WORDS


@block_rule("M001", Severity.WARNING, "negation lost or added", default=False)
def negation(pair, ctx):
    if not _judged(ctx):
        return
    for where, source, target in units(pair, ctx):
        s, t = negations(source, ctx.source_lang), negations(target, ctx.lang)
        if bool(s) != bool(t):
            side = "the translation has none" if s else "the source has none"
            yield (f"{'' if where == 'block' else where + ': '}a negation on one side only "
                   f"({side}): check that the sense is not inverted")


@block_rule("M002", Severity.WARNING, "quantifier changed", default=False)
def quantifier(pair, ctx):
    for where, source, target in units(pair, ctx):
        s, t = quantifiers(source, ctx.source_lang), quantifiers(target, ctx.lang)
        if s and t and s != t and not (s & t):
            yield (f"{'' if where == 'block' else where + ': '}the source says “{'/'.join(sorted(s))}”, "
                   f"the translation “{'/'.join(sorted(t))}”: check the quantifier (all ↔ some)")
