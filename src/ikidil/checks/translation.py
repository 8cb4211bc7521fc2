"""Rules on whether a translated block says what its source says: the same numbers,
dates and names, balanced quotations, a plausible length, and real translation."""

from __future__ import annotations

from collections import Counter
from itertools import islice

from .. import facts
from .base import Severity, block_rule, units, view
from .glossary import source_terms_in
from .reading import elements


def _where(where: str) -> str:
    return "" if where == "block" else where + ": "


def _show(counter: Counter, label=str) -> str:
    return ", ".join(label(k) + (f" (×{n})" if n > 1 else "") for k, n in sorted(counter.items(), key=str))


@block_rule("F001", Severity.ERROR, "numbers differ")
def numbers(pair, ctx):
    """Every number of the source, read in each language's notation (tr 1.000,5 = en 1,000.5);
    years keep their suffixes apart (1917’den = 1917); a small number may be a word (two, iki)."""
    for where, source, target in units(pair, ctx):
        s, t = facts.numbers(source, ctx.source_lang), facts.numbers(target, ctx.lang)
        if s == t:
            continue
        lost, added = s - t, t - s
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
    round. Sentence-initial words, glossary terms and the translator's parenthesised
    asides are left out: they are not evidence of a name."""
    table = ctx.book.config.transliterations
    src_vocab, tgt_vocab = _chapter_names(ctx)
    for where, source, target in units(pair, ctx):
        exempt = {facts.fold(table.get(w, w)) for w in source_terms_in(source, ctx)}
        # Only names the other side of the chapter has are looked for in the other block,
        # so that block's whole vocabulary is read only when there is such a name.
        lost = [n for n in facts.names(source, ctx.source_lang, table) - exempt if n in tgt_vocab]
        if lost:
            target_words = facts.vocabulary(target, ctx.lang)
            lost = sorted(n for n in lost if n not in target_words)
        added = [n for n in facts.names(facts.outside_parentheses(target), ctx.lang)
                 if n in src_vocab and n not in exempt]
        if added:
            source_words = facts.vocabulary(source, ctx.source_lang, table)
            added = sorted(n for n in added if n not in source_words)
        if lost:
            yield f"{_where(where)}name(s) of the source missing from the translation: {', '.join(lost)}"
        if added:
            yield f"{_where(where)}name(s) in the translation that the source does not have here: {', '.join(added)}"


def _chapter_names(ctx) -> tuple[set[str], set[str]]:
    """Capitalised words of each side of the chapter (folded, spelled through the table)."""
    def compute():
        table = ctx.book.config.transliterations
        src, tgt = set(), set()
        for block in ctx.alignment.source.blocks:
            src |= facts.vocabulary(view(block, ctx).text, ctx.source_lang, table, capitalised=True)
        for block in ctx.alignment.target.blocks:
            tgt |= facts.vocabulary(facts.outside_parentheses(view(block, ctx).text), ctx.lang, capitalised=True)
        return src, tgt
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


MIN_LENGTH_FOR_RATIO = 80   # characters: shorter blocks (headings, short lines) vary too much


@block_rule("L001", Severity.WARNING, "length ratio outlier")
def length_ratio(pair, ctx):
    low, high = ctx.book.config.length_ratio
    s, t = len(view(pair.source, ctx).text), len(view(pair.target, ctx).text)
    if max(s, t) < MIN_LENGTH_FOR_RATIO or s == 0:
        return
    ratio = t / s
    if not low <= ratio <= high:
        hint = "a sentence may be missing" if ratio < low else "something may be added or doubled"
        yield (f"translation is {ratio:.2f}× the source's length ({t} vs {s} characters), "
               f"outside {low}–{high}: {hint}")


MIN_WORDS_TO_JUDGE_LANGUAGE = 6


@block_rule("U001", Severity.ERROR, "block not translated")
def untranslated(pair, ctx):
    source, target = view(pair.source, ctx).text, view(pair.target, ctx).text
    # Words are counted only as far as the thresholds below need.
    words = sum(1 for _ in islice(facts.WORD.finditer(target), MIN_WORDS_TO_JUDGE_LANGUAGE))
    if words < 3 or pair.source.kind in _VERBATIM_BLOCKS or _only_verbatim(pair.source.node):
        return
    if _same_text(source, target):
        yield "translation is the source text itself: translate it"
    elif facts.base(ctx.lang) != "tr" and facts.base(ctx.source_lang) == "tr" \
            and words >= MIN_WORDS_TO_JUDGE_LANGUAGE and _looks_turkish(target):
        yield "translation reads as Turkish (Turkish letters and function words): translate it"


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
_TEXTLESS = {"HorizontalRule", "RawBlock", "Figure"}
# Blocks whose text is code, the same in every language (U001 does not apply; E001 reads the code).
_VERBATIM_BLOCKS = {"CodeBlock"}


def _only_verbatim(node: dict) -> bool:
    """A paragraph made only of math or code (a displayed formula): nothing to translate."""
    if node["t"] not in ("Para", "Plain"):
        return False
    return all(el["t"] in ("Math", "Code", "Space", "SoftBreak", "LineBreak") for el in node["c"])


@block_rule("E001", Severity.ERROR, "empty block")
def empty_block(pair, ctx):
    for side, block in (("translation", pair.target), ("source", pair.source)):
        if block.kind in _TEXTLESS or (block.kind in _VERBATIM_BLOCKS and block.node["c"][1].strip()):
            continue
        seen = view(block, ctx)
        if not seen.text.strip() and not seen.notes and not seen.citations \
                and not any(el["t"] == "Image" for el in elements(block.node)):
            yield f"{side} block ({block.kind}) is empty: write it or remove it"
