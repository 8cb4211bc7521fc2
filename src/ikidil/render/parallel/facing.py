"""Facing pages: the bilingual edition as a parallel text, the source on the versos and
the translation on the rectos, kept in step pair by pair (`bilingual_layout: facing`).

A part of the bilingual edition (a chapter, the bibliography: split.py) holds its aligned
block pairs (interleave.py: `.bi-pair` > `.bi-block` per language). Here it becomes two
documents, one per side, each a single-language chapter: the pairs unwrapped to their own
language's block, headings and bibliography in that language, the same stylesheet as the
single-language editions (so each side has their measure, type, notes and numbering),
with `page: facing-verso` or `facing-recto` (book.css) for the side's margins and heads.

Keeping the sides in step is reledpar's idea (its \\Pages: both texts are set apart, then
given out spread by spread so that each chunk starts on the same spread), done with
WeasyPrint's own pages: lay out both sides, read on which page each pair starts (an
anchor on its first element), and at the first pair that starts on different pages, push
it down on the side where it starts earlier (the side whose previous pairs ran shorter):
a page break before it, and empty pages if the other side is more than a page ahead.
That side's page then ends short, never the other. Nothing before that pair changes, so
it is settled; the side is laid out again and the next pair looked at. An end marker
after the last pair gives both sides the same number of pages. The verso of each spread
is the source side's page i, the recto the translation's page i.

Only the side that was pushed is laid out again, once per push: a chapter whose
translation runs 15 % longer needs a push every few spreads. A side's pages depend only
on what precedes them, so the pages before the push are the same (the check below
verifies the pairs before it still start where they did)."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("source", "translation")
MARK = "ikidil-pair-"
FILL_SLOT = "ikidil-fill-"
END = "end"
MAX_ROUNDS = 400


class OutOfStep(Exception):
    """The sides could not be brought into step (a layout that moved an earlier pair)."""


@dataclass
class FacingSide:
    """What a layout job needs to know about one side of a part."""
    role: str                  # "source" or "translation"
    lang: str
    notes_before: int          # the side's notes in the parts before (its footnote counter)


@dataclass
class SideDocument:
    template: str              # the side's HTML, with a fill slot (a comment) before each pair
    markers: list[str]         # each pair's anchor, in order, then the end marker

    def html(self, pads: dict[int, int]) -> str:
        text = self.template
        for pair, count in pads.items():
            text = text.replace(f"<!--{FILL_SLOT}{pair}-->", '<div class="ikidil-fill"></div>' * count, 1)
        return text


def side_document(part_html: str, side: FacingSide, langs: dict[str, str]) -> SideDocument:
    """One side of a facing part: `langs` maps each role to its language."""
    from lxml import etree, html as lhtml
    root = lhtml.document_fromstring(part_html)
    root.set("lang", side.lang)
    body = root.find("body")
    classes = [c for c in body.get("class", "").split() if not c.startswith(("edition-", "layout-"))]
    body.set("class", " ".join([*classes, f"edition-{side.lang}", "facing", f"facing-{side.role}"]))
    matter = next(el for el in body if isinstance(el.tag, str) and "body-matter" in el.get("class", "").split())
    pieces = [el for el in matter if isinstance(el.tag, str)]
    part = pieces[0]
    for extra in pieces[1:]:                 # the next part's opening copy: facing parts need none
        matter.remove(extra)
    part.set("lang", side.lang)              # the structure tree's /Lang (weasy_fixes.structure_lang)
    key = f"{side.role[0]}-{part.get('id') or 'part'}"      # anchors unique in the merged book
    markers: list[str] = []

    def mark(first, pair_div=None) -> None:
        """`first` starts pair number len(markers): it carries the pair's anchor and data-block."""
        if pair_div is not None and pair_div.get("data-block") and not first.get("data-block"):
            first.set("data-block", pair_div.get("data-block"))
        if not first.get("id"):
            first.set("id", f"{MARK}{key}-{len(markers)}")
        slot = etree.Comment(f"{FILL_SLOT}{len(markers)}")
        first.addprevious(slot)
        markers.append(first.get("id"))

    for heading in [h for h in part.iter("h1") if "bi-heading" in h.get("class", "").split()]:
        titles = {s.get("lang"): s for s in heading.iter("span") if "bi-title" in s.get("class", "").split()}
        mine = titles.get(side.lang)
        if side.role == "source":
            heading.set("data-bookmark", " / ".join(" ".join(s.text_content().split()) for s in titles.values()))
        for span in titles.values():
            heading.remove(span)
        if mine is not None:
            heading.text = mine.text
            for child in mine:
                heading.append(child)
    for pair in [el for el in part.iter("div") if "bi-pair" in el.get("class", "").split()]:
        block = next((b for b in pair if isinstance(b.tag, str) and b.get("lang") == side.lang), None)
        children = [c for c in block if isinstance(c.tag, str)] if block is not None else []
        if not children:
            children = [etree.Element("div", {"class": "ikidil-empty-pair"})]
        for child in children:
            pair.addprevious(child)
        mark(children[0], pair)
        pair.getparent().remove(pair)
    bibliographies = [el for el in part.iter("div") if "bi-bibliography" in el.get("class", "").split()]
    for bib in bibliographies:
        if bib.get("lang") != side.lang:
            bib.getparent().remove(bib)
        else:
            mark(bib)
    if side.role != "source":
        # Ids outside the pairs (the chapter's section and heading) are the source side's:
        # the contents and cross-references point there.
        for el in part.iter():
            if isinstance(el.tag, str) and el.get("id") and not el.get("id").startswith(MARK) \
                    and el.get("lang") is None and _outside_blocks(el, part):
                el.set("id", f"{el.get('id')}-{side.lang}")
    end = etree.SubElement(part, "div", {"class": "ikidil-pair-end", "id": f"{MARK}{key}-{END}"})
    end.addprevious(etree.Comment(f"{FILL_SLOT}{len(markers)}"))
    markers.append(end.get("id"))
    text = lhtml.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return SideDocument(text, markers)


def _outside_blocks(el, part) -> bool:
    """True for the part's own scaffolding (section, heading): not a paired block's content."""
    return el is part or el.tag in ("section", "h1") or "bibliography-section" in el.get("class", "").split()


def side_css(side: FacingSide) -> str:
    """The side's note counter: its language's notes are numbered through the book."""
    return f"html {{ counter-reset: footnote {side.notes_before}; }}\n" if side.notes_before else ""


def pair_pages(document, markers: list[str]) -> list[int]:
    """The page (0-based) on which each pair starts."""
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            found.setdefault(name, number)
    missing = [m for m in markers if m not in found]
    if missing:
        raise OutOfStep(f"pair anchors not laid out: {', '.join(missing[:3])}")
    return [found[m] for m in markers]


def in_step(render, sides: dict[str, SideDocument]):
    """Lay out both sides (`render(role, html)` → (document, context)) and push pairs down
    until each starts on the same page on both sides. Returns {role: (document, context)}
    and the number of layouts made."""
    pads: dict[str, dict[int, int]] = {role: {} for role in ROLES}
    laid = {role: render(role, sides[role].html({})) for role in ROLES}
    starts = {role: pair_pages(laid[role][0], sides[role].markers) for role in ROLES}
    layouts = 2
    settled = 0
    for _ in range(MAX_ROUNDS):
        s, t = starts["source"], starts["translation"]
        first = next((k for k in range(settled, len(s)) if s[k] != t[k]), None)
        if first is None:
            return laid, layouts
        short = "source" if s[first] < t[first] else "translation"
        gap = abs(s[first] - t[first])
        pads[short][first] = pads[short].get(first, 0) + gap
        before = starts[short][:first]
        laid[short] = render(short, sides[short].html(pads[short]))
        layouts += 1
        starts[short] = pair_pages(laid[short][0], sides[short].markers)
        if starts[short][:first] != before:
            raise OutOfStep(f"pushing pair {first} down moved an earlier pair")
        settled = first
    raise OutOfStep(f"not in step after {MAX_ROUNDS} layouts")
