"""The glossary: agreed translations of terms (glossary.yaml beside book.yaml).

    Kurtuluş Savaşı: War of Independence
    Sakarya Savaşı: [Battle of Sakarya, Sakarya victory]     # more than one accepted rendering

Terms match in any inflected form: each word of a term matches a word that begins
with it, so `Kurtuluş Savaşı` finds `Kurtuluş Savaşı’nı` and `Kurtuluş Savaşımız`,
and `War of Independence` finds `Wars of Independence`. Case is ignored, with each
language's own casing rules (Turkish İ/i, I/ı). When a book has several translation
languages, the glossary maps each language to its own table: `{en: {…}, de: {…}}`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .. import yamlsafe
from ..errors import BookError
from ..facts import lower_words
from ..textio import read_text
from .base import Severity, block_rule, units


@dataclass(frozen=True)
class Term:
    source: str
    renderings: tuple[str, ...]
    line: int


def load_glossary(path: Path | None, lang: str, translations: tuple[str, ...]) -> list[Term]:
    if path is None:
        return []
    text = read_text(path)
    node = yamlsafe.compose(text, path, "YAML", "write one `source term: translation` per line")
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise BookError("glossary must map source terms to their translations", file=path,
                        line=node.start_mark.line + 1, hint="e.g. Kurtuluş Savaşı: War of Independence")
    keys = [k.value for k, _ in node.value]
    if keys and all(k in translations for k in keys) and all(isinstance(v, yaml.MappingNode) for _, v in node.value):
        per_lang = {k.value: v for k, v in node.value}
        node = per_lang.get(lang)
        if node is None:
            return []
    terms = []
    for key, value in node.value:
        line = key.start_mark.line + 1
        if isinstance(value, yaml.ScalarNode):
            renderings = (value.value,)
        elif isinstance(value, yaml.SequenceNode) and all(isinstance(v, yaml.ScalarNode) for v in value.value):
            renderings = tuple(v.value for v in value.value)
        else:
            renderings = ()
        if not isinstance(key, yaml.ScalarNode) or not key.value.strip() or not all(r.strip() for r in renderings) \
                or not renderings:
            raise BookError("a glossary entry must be `term: translation` or `term: [translation, …]`",
                            file=path, line=line, hint="quote terms that contain a colon")
        terms.append(Term(key.value.strip(), tuple(r.strip() for r in renderings), line))
    return terms


@lru_cache(maxsize=256)      # G001 and the name rule (F003) both read a pair's words
def words(text: str, lang: str) -> Words:
    """The text's words, lower-cased in its language. Shared between callers: read only."""
    return Words(lower_words(text, lang))


def find(term: str, text_words: list[str], lang: str) -> list[int]:
    """Start positions where the term occurs, each term word matching a word that begins
    with it (or, in Turkish, with its softened form: `kitap` in `kitabı`)."""
    wanted = term_words(term, lang)
    if not wanted:
        return []
    first, last_start = wanted[0], len(text_words) - len(wanted)
    return [i for i in _candidates(text_words, first)
            if i <= last_start and all(text_words[i + k].startswith(w) for k, w in enumerate(wanted))]


# Turkish softens a word's last consonant before a vowel: kitap → kitabı, ağaç → ağacı,
# kanat → kanadı, köpek → köpeği, renk → rengi. Terms are looked for in both forms.
_SOFTENING = (("nk", "ng"), ("p", "b"), ("ç", "c"), ("t", "d"), ("k", "ğ"))


@lru_cache(maxsize=4096)
def term_words(term: str, lang: str) -> tuple[str, ...]:
    return tuple(words(term, lang))


@lru_cache(maxsize=4096)
def _soft_forms(term: str, lang: str) -> tuple[str, ...]:
    """The term with its last word softened, when the language softens (else none)."""
    if lang.split("-")[0] not in ("tr", "az"):
        return ()
    wanted = term_words(term, lang)
    last = wanted[-1] if wanted else ""
    for hard, soft in _SOFTENING:
        if len(last) >= 3 and last.endswith(hard):
            return (" ".join((*wanted[:-1], last[:-len(hard)] + soft)),)
    return ()


def find_any(term: str, text_words: list[str], lang: str) -> list[int]:
    """find(), and the term's softened form where the language has one."""
    return find(term, text_words, lang) or [i for form in _soft_forms(term, lang) for i in find(form, text_words, lang)]


class Words(list):
    """A text's words, indexed by their first two letters (a book's worth of blocks
    times every glossary term is too many full scans)."""

    def __init__(self, items):
        super().__init__(items)
        self.by_prefix: dict[str, list[int]] = {}
        for i, w in enumerate(self):
            self.by_prefix.setdefault(w[:2], []).append(i)


def _candidates(text_words: list[str], first: str):
    if isinstance(text_words, Words) and len(first) >= 2:
        return text_words.by_prefix.get(first[:2], ())
    return (i for i, w in enumerate(text_words) if w.startswith(first))


def glossary_of(ctx) -> list[Term]:
    cfg = ctx.book.config
    return ctx.memo("glossary", lambda: load_glossary(cfg.glossary, ctx.lang, cfg.translations))


def source_terms_in(text: str, ctx) -> set[str]:
    """Words of `text` that belong to a glossary term found in it: the glossary governs
    their translation, so the name rule leaves them alone."""
    terms = glossary_of(ctx)
    if not terms:
        return set()
    tokens = words(text, ctx.source_lang)
    covered: set[str] = set()
    for term in terms:
        size = len(term_words(term.source, ctx.source_lang))
        for start in find(term.source, tokens, ctx.source_lang):
            covered.update(tokens[start:start + size])
    return covered


@block_rule("G001", Severity.WARNING, "glossary term not used")
def glossary_terms(pair, ctx):
    terms = glossary_of(ctx)
    if not terms:
        return
    for where, source, target in units(pair, ctx):
        source_words, target_words = words(source, ctx.source_lang), None
        for term in terms:
            if not find(term.source, source_words, ctx.source_lang):
                continue
            if target_words is None:                 # read only when a term is used
                target_words = words(target, ctx.lang)
            if not any(find_any(r, target_words, ctx.lang) for r in term.renderings):
                agreed = " or ".join(f"“{r}”" for r in term.renderings)
                yield (f"{'' if where == 'block' else where + ': '}source uses “{term.source}”, "
                       f"the translation should say {agreed} ({ctx.book.config.glossary.name}:{term.line})")
