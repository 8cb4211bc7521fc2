"""The bilingual PDF in columns (`bilingual_layout: columns`): notes and bibliography in
the columns of their language.

WeasyPrint has one footnote area per page, the width of the text block, and stacks the
notes in it one below the other in the order of their calls; it cannot give each column
a footnote area of its own, nor float notes side by side in it (a note's box is a block
of the area, `float: footnote` being its float). So the notes are paired before layout:
in each aligned block pair with as many notes on both sides, the source's n-th note and
the translation's n-th note (the same note in two languages) become one footnote whose two
halves sit side by side, each under its column, each with its own mark (1, 2… and a,
b…). The footnote is anchored at the source's call and the translation's call becomes a plain
mark, so both notes are on the page of the source's call; both calls being in the same
grid row, that is the translation call's page too, but for a paragraph broken across
pages. A pair whose sides have different numbers of notes (a translator's note) keeps
them as they were: each a full-width note at the foot, numbered apart.

The bibliography is set the same way: one row per entry, the source's entry in the left
column, the translation's in the right (matched by citation key), rather than one
language's whole list after the other's."""

from __future__ import annotations

from lxml import etree

ROLES = ("source", "translation")


def _classes(el) -> list[str]:
    return (el.get("class") or "").split()


def _notes(block) -> list:
    return [e for e in block.iter("span") if "footnote" in _classes(e)
            and not any("footnote" in _classes(a) for a in e.iterancestors("span"))]


def pair_notes(root) -> None:
    """Each .bi-pair's notes as footnotes of two halves (see the module's note)."""
    for pair in root.iter("div"):
        if "bi-pair" not in _classes(pair):
            continue
        blocks = {role: next((b for b in pair if f"bi-{role}" in _classes(b)), None) for role in ROLES}
        notes = {role: _notes(b) if b is not None else [] for role, b in blocks.items()}
        if len(notes["source"]) != len(notes["translation"]):
            continue        # (a translator's note, say): which goes with which is unknown,
            #                 so the pair's notes stay full width, numbered apart, as before
        for source, translation in zip(notes["source"], notes["translation"]):
            _join(source, translation, blocks["translation"].get("lang"))


def _join(source, translation, translation_lang: str | None) -> None:
    """`source` (a .footnote span) becomes the pair's footnote: its content the left half,
    `translation`'s content the right half; `translation` becomes the call mark a."""
    left = etree.Element("span", {"class": "bi-note bi-note-source"})
    left.text, source.text = source.text, None
    for child in list(source):
        left.append(child)
    right = etree.Element("span", {"class": "bi-note bi-note-translation"})
    if translation_lang:
        right.set("lang", translation_lang)
    right.text = translation.text
    for child in list(translation):
        right.append(child)
    source.append(left)
    source.append(right)
    source.set("class", " ".join([*_classes(source), "bi-notes"]))
    tail = translation.tail
    translation.clear()
    translation.tail = tail
    translation.set("class", "bi-call")


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
