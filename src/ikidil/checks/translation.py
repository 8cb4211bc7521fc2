"""Rules on whether a translated block says what its source says: the same numbers,
dates and names, balanced quotations, real translation, no empty block. They read a
block's prose (base.units): code, math, raw markup and URLs are not prose. (Length is
judged against the whole book: length.py; code against code: code.py.)"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter

from .. import facts
from .base import Severity, block_rule, units, view
from .glossary import source_terms_in
from .language import reads_as
from .numbers import compare as compare_numbers
from .reading import elements


def _where(where: str) -> str:
    return "" if where == "block" else where + ": "


def _show(counter: Counter, label=str) -> str:
    return ", ".join(label(k) + (f" (×{n})" if n > 1 else "") for k, n in sorted(counter.items(), key=str))


@block_rule("F001", Severity.ERROR, "numbers differ")
def numbers(pair, ctx):
    """Every number of the source's prose, read in each language's notation (numbers.py:
    tr 1.000,5 = en 1,000.5; 3.11.2 compared as written); years keep their suffixes apart
    (1917’den = 1917); a small number may be a word (two, iki)."""
    for where, source, target in units(pair, ctx):
        lost, added = compare_numbers(source, ctx.source_lang, target, ctx.lang)
        if lost:
            spelled = facts.number_words(target, ctx.lang)
            lost = Counter({n: k for n, k in lost.items() if n not in spelled})
        if added:
            spelled = facts.number_words(source, ctx.source_lang)
            added = Counter({n: k for n, k in added.items() if n not in spelled})
        if lost or added:
            parts = []
            if lost:
                parts.append(f"source has {_show(lost)} that the translation lacks")
            if added:
                parts.append(f"translation has {_show(added)} that the source lacks")
            yield _where(where) + "; ".join(parts) + ": check dates, figures and ranges"


@block_rule("F002", Severity.ERROR, "months differ")
def months(pair, ctx):
    names = facts.MONTHS["en"]
    for where, source, target in units(pair, ctx):
        s, t = facts.months(source, ctx.source_lang), facts.months(target, ctx.lang)
        if set(s) != set(t):
            def label(m):
                return names[m - 1]
            yield (f"{_where(where)}source names the month(s) {_show(Counter(set(s)), label) or 'none'}, "
                   f"translation {_show(Counter(set(t)), label) or 'none'}")


@block_rule("F003", Severity.WARNING, "proper name missing or added")
def proper_names(pair, ctx):
    """A name the translation uses elsewhere in the chapter (so it keeps it, or spells it
    through `transliterations`) must appear where the source has it, and the other way
    round. Headings (title case), sentence-initial words, glossary terms and the
    translator's parenthesised asides are left out: they are not evidence of a name.
    In a language that adds its endings to names (Turkish), a name matches its inflected
    forms with or without an apostrophe: `Ünikod` is in `Ünikodu`, `Kitap` in `Kitabı`."""
    if pair.source.kind == "Header":
        return
    table = ctx.book.config.transliterations
    src_vocab, tgt_vocab = _chapter_names(ctx)
    for where, source, target in units(pair, ctx):
        exempt = {facts.fold(table.get(w, w)) for w in source_terms_in(source, ctx)}
        # Only names the other side of the chapter has are looked for in the other block,
        # so that block's whole vocabulary is read only when there is such a name.
        declared = ctx.memo("declared names", lambda: {facts.fold(v) for v in table.values()})
        lost = [n for n in facts.names(source, ctx.source_lang, table) - exempt
                if _kept(n, src_vocab, tgt_vocab, ctx.lang, n in declared)]
        if lost:
            target_words = _sorted(facts.vocabulary(target, ctx.lang))
            lost = sorted(n for n in lost if not _has_name(target_words, n, ctx.lang))
        added = [n for n in facts.names(facts.outside_parentheses(target), ctx.lang)
                 if n in src_vocab.set and n not in exempt and _kept(n, tgt_vocab, src_vocab, ctx.source_lang)] \
            if pair.target.kind != "Header" else []
        if added:
            source_words = _sorted(facts.vocabulary(source, ctx.source_lang, table))
            added = sorted(n for n in added if not _has_name(source_words, n, ctx.source_lang, plurals=True))
        if lost:
            yield f"{_where(where)}name(s) of the source missing from the translation: {', '.join(lost)}"
        if added:
            yield f"{_where(where)}name(s) in the translation that the source does not have here: {', '.join(added)}"


# Languages that write case endings onto names, often without an apostrophe in practice
# (Ünikodu, Pythonda): a name is found at the start of a longer word. Turkish also
# softens a final consonant before a vowel (Kitap → Kitabı, Ahmet → Ahmedi).
AGGLUTINATIVE = frozenset(("tr", "az", "fi", "hu", "et"))
MAX_ENDING = 6
_SOFTENED = {"p": "b", "t": "d", "k": "g"}      # folded: ç→c and ğ→g already


class _Vocabulary(tuple):
    """Folded words, sorted (for prefix look-ups), with a set for exact ones and, for a
    chapter's, the number of blocks each word is in."""

    def __new__(cls, words, counts: Counter | None = None):
        self = super().__new__(cls, sorted(words))
        self.set = frozenset(self)
        self.counts = counts or Counter()
        return self


def _kept(name: str, here: _Vocabulary, there: _Vocabulary, lang: str, declared: bool = False) -> bool:
    """Whether the other side's chapter keeps `name` (in `lang`): it uses it in at least
    half as many blocks as this side does, or at all for a name `transliterations`
    declares. A capitalised phrase the translator translates everywhere but once
    (`Read More` → `Daha fazla oku`, left once as it was) is no name the translation
    keeps, and its other blocks are not missing it."""
    blocks = sum(there.counts[w] for w in _matching(there, name, lang))
    return blocks > 0 and (declared or 2 * blocks >= here.counts.get(name, 1))


def _sorted(words) -> _Vocabulary:
    return _Vocabulary(words)


def _has_name(vocab: _Vocabulary, name: str, lang: str, plurals: bool = False) -> bool:
    """Whether a word of `vocab` (folded words of a text in `lang`) is the name, or the
    name with an ending: a case ending in an agglutinative language; with `plurals`, a
    plural (-s, -es) in another (`Promise'leri` is the word of a source that says
    `promises`: a term, not a name the translation added)."""
    return name in vocab.set or bool(_matching(vocab, name, lang, plurals))


def _matching(vocab: _Vocabulary, name: str, lang: str, plurals: bool = False) -> list[str]:
    """The words of `vocab` that are `name`, with an ending as _has_name allows."""
    found = [name] if name in vocab.set else []
    if len(name) < 3:
        return found
    if facts.base(lang) not in AGGLUTINATIVE:
        return found + [w for w in (name + "s", name + "es") if plurals and w in vocab.set]
    stems = {name}
    if name[-1] in _SOFTENED:
        stems.add(name[:-1] + _SOFTENED[name[-1]])
    for stem in stems:
        i = bisect_left(vocab, stem)
        while i < len(vocab) and vocab[i].startswith(stem):
            if vocab[i] != name and len(vocab[i]) - len(stem) <= MAX_ENDING:
                found.append(vocab[i])
            i += 1
    return found


def _chapter_names(ctx) -> tuple[_Vocabulary, _Vocabulary]:
    """Capitalised words of each side of the chapter outside headings (folded, spelled
    through the table)."""
    def compute():
        table = ctx.book.config.transliterations
        src, tgt = Counter(), Counter()
        for block in ctx.alignment.source.blocks:
            if block.kind != "Header":
                src.update(facts.vocabulary(view(block, ctx).prose, ctx.source_lang, table, capitalised=True))
        for block in ctx.alignment.target.blocks:
            if block.kind != "Header":
                tgt.update(facts.vocabulary(facts.outside_parentheses(view(block, ctx).prose), ctx.lang,
                                            capitalised=True))
        return _Vocabulary(src, src), _Vocabulary(tgt, tgt)
    return ctx.memo(f"names:{ctx.alignment.name}", compute)


_QUOTE_PAIRS = (("“", "”"), ("«", "»"), ("„", "“"))


@block_rule("Q001", Severity.WARNING, "quotation marks unbalanced")
def quotation_marks(pair, ctx):
    for where, source, target in units(pair, ctx):
        for side, text in (("translation", target), ("source", source)):
            problem = _unbalanced(text)
            if problem:
                yield f"{_where(where)}{side}: {problem}"


def _unbalanced(text: str) -> str | None:
    if text.count('"') % 2:
        return "odd number of straight quotes (\")"
    opening, closing = text.count("“"), text.count("”")
    if "„" in text:  # German-style „…“ uses “ as the closing mark
        opening, closing = text.count("„"), text.count("“")
    if opening != closing:
        return f"{opening} opening “ but {closing} closing ”"
    if text.count("«") != text.count("»"):
        return f"{text.count('«')} opening « but {text.count('»')} closing »"
    return None


MIN_WORDS_TO_JUDGE_LANGUAGE = 6
_LANGUAGE_NAMES = {"en": "English", "tr": "Turkish", "de": "German", "fr": "French", "es": "Spanish"}


@block_rule("U001", Severity.ERROR, "block not translated")
def untranslated(pair, ctx):
    """The translation is the source itself, or reads as the source's language. Only
    prose counts (a code block is the same in both by design), and only a text with
    something to translate: lower-case words, or for a heading, words the translation's
    chapter does not keep elsewhere (a product name kept as it is)."""
    source, target = view(pair.source, ctx).prose, view(pair.target, ctx).prose
    if not _translatable(target):
        return
    if _same_text(source, target):
        if pair.source.kind == "Header":
            if _foreign_heading_words(target, ctx):
                yield "the heading is the source's, untranslated: translate it"
        elif _translatable(target, 2):
            yield "translation is the source text itself: translate it"
    elif reads_as(_unquoted(target), ctx.source_lang, ctx.lang) or (
            facts.base(ctx.lang) != "tr" and facts.base(ctx.source_lang) == "tr"
            and _looks_turkish(target) and len(facts.words_of(target)) >= MIN_WORDS_TO_JUDGE_LANGUAGE):
        name = _LANGUAGE_NAMES.get(facts.base(ctx.source_lang), ctx.source_lang)
        yield f"translation reads as {name}, the source's language: translate it"


_QUOTED = re.compile(r'“[^“”]*”|"[^"]*"|«[^«»]*»|„[^„“]*“')


def _unquoted(text: str) -> str:
    """The text without its quotations: a title or a saying quoted in the original
    language (`Blog Alıntı: "So what does the architecture…"`) is no untranslated text."""
    return _QUOTED.sub(" ", text) if any(q in text for q in '“"«„') else text


_LETTERS = re.compile(r"[^\W\d_]{2}")


def _translatable(text: str, at_least: int = 1) -> bool:
    """Whether the text has `at_least` words a translator would translate: lower-case
    words of two letters or more (identifiers in camelCase and names are kept); for one,
    any word of two letters (a heading of names is judged by _foreign_heading_words)."""
    if at_least <= 1:
        return _LETTERS.search(text) is not None
    found = 0
    for word in facts.words_of(text):
        if len(word) >= 2 and word.islower() and word.isalpha():
            found += 1
            if found >= at_least:
                return True
    return False


def _foreign_heading_words(heading: str, ctx) -> list[str]:
    """Words of an untranslated heading that the translation's chapter does not use in
    its own running text: not names it keeps, so words left in the source language."""
    def body_words():
        words: set[str] = set()
        for block in ctx.alignment.target.blocks:
            if block.kind != "Header":
                words.update(facts.lower_words(view(block, ctx).prose, ctx.lang))
        return words
    kept = ctx.memo(f"body-words:{ctx.alignment.name}", body_words)
    return [w for w in facts.lower_words(heading, ctx.lang) if len(w) >= 3 and w not in kept]


def _same_text(a: str, b: str) -> bool:
    """The same words, ignoring case and spacing. Casefolding maps no character to or
    from a space, so texts whose first words differ differ: most pairs end there."""
    first_a, first_b = a.split(None, 1)[:1], b.split(None, 1)[:1]
    if [w.casefold() for w in first_a] != [w.casefold() for w in first_b]:
        return False
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _looks_turkish(text: str) -> bool:
    # The letter share first: it is 0 at once for a text without any Turkish-only letter.
    return facts.turkish_share(text) >= 0.15 and facts.turkish_function_word_share(text) >= 0.08


# Blocks that have no text by nature.
_TEXTLESS = {"HorizontalRule", "Figure"}


@block_rule("E001", Severity.ERROR, "empty block")
def empty_block(pair, ctx):
    for side, block in (("translation", pair.target), ("source", pair.source)):
        if block.kind in _TEXTLESS:
            continue
        seen = view(block, ctx)
        if not seen.text.strip() and not seen.notes and not seen.citations and not any(
                v.strip() for v in seen.verbatim) \
                and not any(el["t"] == "Image" for el in elements(block.node)):
            yield f"{side} block ({block.kind}) is empty: write it or remove it"
