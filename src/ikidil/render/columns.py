"""The bilingual PDF in columns (`bilingual_layout: columns`): notes and bibliography in
the columns of their language.

WeasyPrint has one footnote area per page, the width of the text block, and stacks the
notes in it one below the other in the order of their calls; it cannot give each column
a footnote area of its own, nor float notes side by side in it (a note's box is a block
of the area, `float: footnote` being its float). So every note of a pair is made, before
layout, a footnote of two halves side by side, each half under its column:

- the source's n-th note and the translation's n-th note (the same note in two languages;
  translator's notes left out of the count, as rule N001 counts them) are one footnote,
  anchored at the source's call, the translation's call a plain mark: one line of the
  foot holds both, 1. on the left and a. on the right;
- a note with no partner (a translator's note, or one left over) is a footnote of its
  own whose other half is empty, so it too sits under its own column.

A joined note is on the page of the source's call. The translation's mark is in the same
grid row, so nearly always on that page too; but a paragraph broken across pages can put it
on the next. For that case the translation's note is in the HTML a second time, at its own
call, as a footnote [empty | translation] that is not displayed: when a layout finds a mark
away from its note (`marks_apart`), the note is split (`split_css`: the mark and the joined
note's right half hidden, the second footnote shown) and the part laid out again, so each
half is on its own call's page (pdf.render_keeping_notes does it, with its other repair).

The marks (1, 2… and a, b…) are written into the HTML (`data-mark`), not counted by CSS:
counters go in document order, where a pair's source notes all come before its
translation's, so a second joined note's mark would read the letter of the last one.

The bibliography is set the same way: one row per entry, the source's entry in the left
column, the translation's in the right (matched by citation key), rather than one
language's whole list after the other's."""

from __future__ import annotations

import copy

from lxml import etree

from ..i18n import term

ROLES = ("source", "translation")


def _classes(el) -> list[str]:
    return (el.get("class") or "").split()


def _notes(block) -> list:
    return [e for e in block.iter("span") if "footnote" in _classes(e)
            and not any("footnote" in _classes(a) for a in e.iterancestors("span"))]


def _blocks(pair) -> dict:
    return {role: next((b for b in pair if f"bi-{role}" in _classes(b)), None) for role in ROLES}


def _pairs(root) -> list:
    return [p for p in root.iter("div") if "bi-pair" in _classes(p)]


def pair_notes(root) -> None:
    """Every .bi-pair's notes as footnotes of two halves (see the module's note)."""
    pairs = _pairs(root)
    _write_marks(pairs)
    serial = 0
    for pair in pairs:
        blocks = _blocks(pair)
        notes = {role: _notes(b) if b is not None else [] for role, b in blocks.items()}
        lang = blocks["translation"].get("lang") if blocks["translation"] is not None else None
        tn = term(lang, "translator_mark") if lang else None
        own = [n for n in notes["translation"] if not (tn and n.text_content().rstrip().endswith(tn))]
        joined = list(zip(notes["source"], own))
        for source, translation in joined:
            serial += 1
            _join(source, translation, lang, f"n{serial}")
        partnered = {id(n) for both in joined for n in both}
        for role in ROLES:
            for note in notes[role]:
                if id(note) not in partnered:
                    _halves(note, role, lang)


def _write_marks(pairs) -> None:
    """Each note's mark, 1, 2… in the source and a, b… in the translation, through the book."""
    count = {role: 0 for role in ROLES}
    for pair in pairs:
        for role, block in _blocks(pair).items():
            for note in _notes(block) if block is not None else []:
                count[role] += 1
                note.set("data-mark", str(count[role]) if role == "source" else alpha(count[role]))


def alpha(n: int) -> str:
    """1 → a, 26 → z, 27 → aa: CSS's lower-alpha."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def _half(role: str, lang: str | None, note=None, ident: str | None = None):
    """One half of a footnote: a cell under the role's column, with `note`'s content."""
    half = etree.Element("span", {"class": f"bi-note bi-note-{role}"})
    if role == "translation" and lang:
        half.set("lang", lang)
    if note is not None:
        text = etree.SubElement(half, "span", {"class": "bi-note-text", "data-mark": note.get("data-mark") + "."})
        if ident:
            text.set("data-note", ident)
        text.text = note.text
        text.extend(list(note))
    return half


def _halves(note, role: str, lang: str | None) -> None:
    """`note` (a .footnote span) becomes a footnote of two halves, its content in its role's
    half, the other half empty."""
    content = _half(role, lang, note)
    other = _half("translation" if role == "source" else "source", lang)
    _row(note, (content, other) if role == "source" else (other, content))


def _row(note, halves) -> None:
    """`note`'s content: the two halves in a row as wide as the text block (in a table of
    its own: the anonymous one around two cells would shrink to their text)."""
    note.text = None
    row = etree.SubElement(note, "span", {"class": "bi-note-row"})
    row.extend(halves)
    note.set("class", " ".join([*_classes(note), "bi-notes"]))


def _join(source, translation, lang: str | None, ident: str) -> None:
    """`source` becomes the pair's footnote, its content the left half and a copy of
    `translation`'s the right; `translation` becomes the hidden footnote [empty |
    translation], hidden, shown if the note is split; the plain mark goes before it."""
    right = copy.deepcopy(translation)
    for element in right.iter():
        element.attrib.pop("id", None)          # ids once in the document: the copy has none
    _row(source, (_half("source", lang, source), _half("translation", lang, right, ident)))
    source.set("data-note", ident)
    _halves(translation, "translation", lang)
    translation.set("class", " ".join([*_classes(translation), "bi-alt"]))
    translation.set("hidden", "")               # (the user agent's [hidden] rule: any author rule shows it)
    translation.set("data-note", ident)
    translation.addprevious(etree.Element("span", {"class": "bi-call", "data-note": ident,
                                                   "data-mark": translation.get("data-mark")}))


def split_css(notes) -> str:
    """CSS that splits joined notes (by data-note): the mark and the joined note's right
    half hidden, the translation's own footnote shown at its call."""
    return "".join(f'.bi-call[data-note="{n}"], .bi-note-text[data-note="{n}"] {{ display: none; }}\n'
                   f'.bi-alt[data-note="{n}"] {{ display: inline; }}\n' for n in sorted(notes))


def pair_bibliography(root) -> None:
    """The bibliography's entries as rows: source entry | translation entry."""
    for section in root.iter("section"):
        lists = [d for d in section if d.tag == "div" and "bi-bibliography" in _classes(d)]
        if len(lists) != 2:
            continue
        entries = [{_key(e): e for e in d.iter("div") if "csl-entry" in _classes(e)} for d in lists]
        keys = list(entries[0]) + [k for k in entries[1] if k not in entries[0]]
        at = section.index(lists[0])
        for d in lists:
            section.remove(d)
        rows = etree.Element("div", {"class": "bi-bibliography-rows"})
        for key in keys:
            row = etree.SubElement(rows, "div", {"class": "bi-pair bi-entry"})
            for d, found, role in zip(lists, entries, ROLES):
                cell = etree.SubElement(row, "div", {"class": f"bi-block bi-{role}", "lang": d.get("lang", "")})
                if d.get("data-block"):
                    cell.set("data-block", d.get("data-block"))
                if key in found:
                    cell.append(found[key])
        section.insert(at, rows)


def _key(entry) -> str:
    """ref-<lang>-<key> (interleave._suffix_ids) → key."""
    ident = entry.get("id") or ""
    return ident.split("-", 2)[2] if ident.count("-") >= 2 else ident
