"""What a build does with stale or missing translation (book.yaml `policy`).

    policy: {stale: error|warn|mark, missing: error|warn|mark}

- `error` (the default, for release): the checks report the gap as an error and the
  build stops (build.enforce_policy).
- `warn`: the gap is a warning; the book is built from what there is (a stale block
  as it stands, a missing block left out).
- `mark`: as warn, but the gap is filled with the current source block, in the source
  language (`lang` set), inside a `Div.ikidil-flag` that opens with a visible label
  in the reader's language (`Span.ikidil-flag-label`): a draft nobody mistakes for
  the finished book. A heading stays a heading (`.ikidil-flag-heading`), its text
  in a Span with the source `lang`, the label at its end.

`apply_policy` returns a Book whose translation chapters carry these substitutions;
every later stage (monolingual and bilingual editions, EPUB, PDF) takes it as it is."""

from __future__ import annotations

import copy
import dataclasses

from .align import align_chapter
from .ast import attr, div, span, text_inlines
from .i18n import term
from .load import Block, Book
from .lock import State, block_states, load_lock

FLAG = "ikidil-flag"
FLAG_HEADING = "ikidil-flag-heading"
LABEL = "ikidil-flag-label"
_TERMS = {State.MISSING: "untranslated", State.STALE: "stale"}


def apply_policy(book: Book) -> Book:
    policy = book.config.policy
    marked = {state for state, gap in ((State.MISSING, "missing"), (State.STALE, "stale"))
              if policy[gap] == "mark"}
    if not marked:
        return book
    source_lang = book.config.language
    chapters = dict(book.chapters)
    missing = {lang: list(names) for lang, names in book.missing.items()}
    for lang in book.config.translations:
        lock = load_lock(book.config.manuscript_dir(lang))
        rebuilt = []
        for source in book.chapters[source_lang]:
            target = book.chapter(lang, source.name)
            if target is None and State.MISSING not in marked:
                continue
            nodes, lines = [], []
            for item in block_states(align_chapter(source, target), lock):
                if item.state in marked:
                    nodes.append(flagged(item.source.node, source_lang, lang, item.state))
                    lines.append(item.source.line)
                elif item.target is not None:
                    nodes.append(item.target.node)
                    lines.append(item.target.line)
            base = target or dataclasses.replace(source, lang=lang)
            doc = {**base.doc, "blocks": nodes}
            rebuilt.append(dataclasses.replace(base, doc=doc, blocks=[Block(i, n, line) for i, (n, line)
                                                                      in enumerate(zip(nodes, lines))]))
            if target is None and source.name in missing.get(lang, []):
                missing[lang].remove(source.name)
        chapters[lang] = rebuilt
    return dataclasses.replace(book, chapters=chapters, missing=missing)


def flagged(node: dict, source_lang: str, reader_lang: str, state: State) -> dict:
    """The source block, marked as standing in for a missing or stale translation."""
    node = copy.deepcopy(node)
    kind = f"ikidil-{state.value}"
    label = span(text_inlines(term(reader_lang, _TERMS[state])), [LABEL], attributes=[["lang", reader_lang]])
    if node["t"] == "Header":
        # Pandoc repeats a heading's attributes on its <section>: a border or a lang there
        # would cover the whole chapter, so the heading is marked inside its text instead.
        level, (ident, classes, kv), inlines = node["c"]
        node["c"] = [level, attr(ident, [*classes, FLAG_HEADING, kind], kv),
                     [span(inlines, [], attributes=[["lang", source_lang]]), {"t": "Space"}, label]]
        return node
    return div([{"t": "Para", "c": [label]}, node], [FLAG, kind], attributes=[["lang", source_lang]])
