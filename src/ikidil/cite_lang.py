"""Cited titles in their own language: after citeproc, the titles, publishers and places
of a bibliography entry whose CSL `language` differs from the edition's are wrapped in a
Span with that `lang` (in the notes and in the bibliography), so WeasyPrint hyphenates
and cases "İstanbul" or "Görüşmeleri" by Turkish rules in the English edition and a
screen reader reads them with a Turkish voice.

Pandoc's citeproc reads `language` (it stops title-casing) but drops it from its output:
a rendered citation is plain Str/Space/Emph with no trace of the entry's language. So
the entry's own field values are looked for in what citeproc rendered: in each Cite's
content (the entries it cites) and in each bibliography entry (Div #ref-<id>). A value is
a run of sibling inlines whose text is the value, give or take punctuation at its ends
(“…,” or "(London:"); a Str cut by the value is split, an Emph or Span holding it is
wrapped whole. A value citeproc changed (case, quotes, abbreviation) is not found and
stays untagged: the text is still right, only hyphenated by the edition's rules."""

from __future__ import annotations

import unicodedata

from .ast import rewrite

# The fields that hold words in the entry's language (names are left: a name's
# hyphenation rarely differs, and "Perinçek, Mehmet" is one the edition's reader says too).
FIELDS = ("title", "title-short", "container-title", "container-title-short",
          "collection-title", "publisher", "publisher-place", "event-title")
_CONTAINERS = frozenset({"Emph", "Strong", "Underline", "SmallCaps", "Span", "Quoted"})


def tag_languages(doc: dict, entries: dict[str, dict], lang: str) -> dict:
    """`doc` (citeproc's output) with other-language values in Span lang=…."""
    foreign = {key: found for key, ref in entries.items() if (found := _foreign(ref, lang))}
    if not foreign:
        return doc

    def tag(node: dict) -> dict | None:
        if node["t"] == "Cite":
            ids = [c.get("citationId") for c in node["c"][0]]
            wanted = [foreign[i] for i in ids if i in foreign]
            return {**node, "c": [node["c"][0], _tag_all(node["c"][1], wanted)]} if wanted else None
        ident = node["c"][0][0]
        if ident.startswith("ref-") and ident[4:] in foreign:
            return {**node, "c": [node["c"][0], _tag_all(node["c"][1], [foreign[ident[4:]]])]}
        return None

    return rewrite(doc, {"Cite", "Div"}, tag)


def _foreign(ref: dict, lang: str) -> tuple[str, list[str]] | None:
    """(the entry's language, its field values longest first) if not the edition's."""
    language = ref.get("language")
    if not isinstance(language, str) or not language.strip():
        return None
    language = language.strip().replace("_", "-")
    if _primary(language) == _primary(lang):
        return None
    values = {" ".join(unicodedata.normalize("NFC", ref[f]).split())
              for f in FIELDS if isinstance(ref.get(f), str)}
    values.discard("")
    return (language, sorted(values, key=len, reverse=True)) if values else None


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def _tag_all(value, wanted: list[tuple[str, list[str]]]):
    for language, values in wanted:
        value = _tag(value, language, values)
    return value


def _tag(value, language: str, values: list[str]):
    """Every inline list inside `value` with each value's first run found wrapped."""
    if isinstance(value, dict):
        if value.get("t") == "Span" and _lang_of(value) == language:
            return value                                    # tagged already
        return {k: _tag(v, language, values) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    if value and all(isinstance(i, dict) and i.get("t") in _INLINE for i in value):
        value = _tag_inlines(value, language, values)
    return [_tag(item, language, values) for item in value]


def _lang_of(span: dict) -> str | None:
    return dict(map(tuple, span["c"][0][2])).get("lang")


def _tag_inlines(inlines: list, language: str, values: list[str]) -> list:
    out: list = []
    i = 0
    while i < len(inlines):
        match = _match_at(inlines, i, values)
        if match is None:
            out.append(inlines[i])
            i += 1
            continue
        end, lead, trail = match
        run = list(inlines[i:end + 1])
        before = after = None
        if lead:
            before, run[0] = _split(run[0], lead, True)
        if trail:
            run[-1], after = _split(run[-1], trail, False)
        out += [x for x in (before,) if x]
        out.append({"t": "Span", "c": [["", [], [["lang", language]]], run]})
        out += [x for x in (after,) if x]
        i = end + 1
    return out


def _match_at(inlines: list, i: int, values: list[str]) -> tuple[int, int, int] | None:
    """(last index, characters cut from the first Str, from the last Str) of a run
    starting at `i` whose text is one of `values` with only punctuation around it."""
    if inlines[i]["t"] in ("Space", "SoftBreak", "LineBreak"):
        return None
    text = ""
    for j in range(i, len(inlines)):
        text += _text(inlines[j])
        if inlines[j]["t"] in ("Space", "SoftBreak", "LineBreak"):
            continue
        for value in values:
            at = text.find(value)
            if at < 0:
                continue
            head, tail = text[:at], text[at + len(value):]
            if not (_punctuation(head) and _punctuation(tail)):
                continue
            # a cut inside an Emph/Span is not made: the container is wrapped whole
            lead = len(head) if inlines[i]["t"] == "Str" else 0
            trail = len(tail) if inlines[j]["t"] == "Str" else 0
            if lead and lead == len(inlines[i]["c"]):        # the first Str is all punctuation
                return None                                  # (the run starting after it will do)
            return j, lead, trail
        if len(text) > len(values[0]) + 8:
            return None
    return None


def _punctuation(text: str) -> bool:
    return all(unicodedata.category(ch)[0] == "P" for ch in text)


def _split(node: dict, count: int, from_start: bool) -> tuple[dict | None, dict]:
    """A Str cut `count` characters from its start (or end): (the part outside, the part in)
    as (before, inside) for from_start, else (inside, after)."""
    text = node["c"]
    if from_start:
        return {"t": "Str", "c": text[:count]}, {"t": "Str", "c": text[count:]}
    return {"t": "Str", "c": text[:-count]}, {"t": "Str", "c": text[-count:]}


def _text(node: dict) -> str:
    kind = node["t"]
    if kind == "Str":
        return node["c"]
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind == "Quoted":
        open_, close = ("“", "”") if node["c"][0]["t"] == "DoubleQuote" else ("‘", "’")
        return open_ + "".join(_text(n) for n in node["c"][1]) + close
    if kind == "Span":
        return "".join(_text(n) for n in node["c"][1])
    if kind in _CONTAINERS:
        return "".join(_text(n) for n in node["c"])
    return "\ue001"                                          # (Note, Cite, Link…: never part of a value)


_INLINE = frozenset({
    "Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps",
    "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math", "RawInline", "Link",
    "Image", "Note", "Span"})
