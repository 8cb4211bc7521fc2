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
it is settled. An end marker after the last pair gives both sides the same number of
pages. The verso of each spread is the source side's page i, the recto the translation's.

How it is made. Usually not by in_step below but by stepping.py, which makes both sides
a page at a time and pushes a pair as its page is made: each page laid out about once.
in_step, here, lays out whole sides and tails as HTML with break and fill elements: it is
what a part gets where stepping cannot go (empty pages, a note repair), and the statement
of what the pages must be.

What keeps in_step fast. A chapter whose translation runs 15 % longer needs a push every few
spreads; one layout per push would be ~6 layouts of each side. So each round also
foresees the later pairs' pushes from the text heights of each side's pages (predict:
the side's text runs on at its full pages' measure), and a side is laid out again only
from the first pair whose pushes changed and that opens a page (relayout: a tail, after
the pages before it, the last of them cut after its own text). A side's pages depend
only on what precedes them, so the kept pages are the ones a whole layout would give
(in_step checks that the pairs before still start where they did). A bench chapter takes
four or five layouts, most of them tails: ~1.6× the pages of its two sides."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("source", "translation")
MARK = "ikidil-pair-"
FILL_SLOT = "ikidil-fill-"
HEAD_SLOT = "ikidil-head"
END = "end"
MAX_ROUNDS = 400
LINE = 20.3                   # px: the body's line (11 pt × 1.38), for predict


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
    notes_before: list[int]    # the side's notes in the part before each pair
    running: str = ""          # the chapter's running head on this side
    role: str = ""

    def html(self, pads: dict[int, int], start: int = 0) -> str:
        """The side with `pads[k]` fills before pair k; from pair `start` on only (a tail,
        which opens a page itself: one fill fewer before it)."""
        text = self.template
        if start:
            cut = text.find(f"<!--{HEAD_SLOT}-->")
            cut = cut if cut >= 0 else text.index(f"<!--{FILL_SLOT}0-->")
            text = text[:cut] + text[text.index(f"<!--{FILL_SLOT}{start}-->"):]
        for pair, count in pads.items():
            if pair < start:
                continue
            # `count` pages on: count - 1 empty pages, then the pair opens a page (a tail
            # opens one itself: its first pair has no break of its own).
            fills = '<div class="ikidil-fill"></div>' * (count - 1)
            brk = '<div class="ikidil-break"></div>' if pair != start or count > 1 else ""
            text = text.replace(f"<!--{FILL_SLOT}{pair}-->", fills + brk, 1)
        return text

    def tail_css(self, start: int, notes_before: int) -> str:
        """A tail's note counter and running heads (it has no chapter heading to set them)."""
        running = self.running.replace("\\", "\\\\").replace('"', '\\"')
        return (f"html {{ counter-reset: footnote {notes_before + self.notes_before[start]}; }}\n"
                f'@page facing-recto {{ @top-right {{ content: "{running}" !important; }} }}\n')


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

    headings = [h for h in part.iter("h1") if "bi-heading" in h.get("class", "").split()]
    running = headings[0].get("data-running", "") if headings else ""
    if headings:
        headings[0].addprevious(etree.Comment(HEAD_SLOT))
    for heading in headings:
        titles = {s.get("lang"): s for s in heading.iter("span") if "bi-title" in s.get("class", "").split()}
        mine = titles.get(side.lang)
        if side.role == "source":
            heading.set("data-bookmark", " / ".join(" ".join(s.text_content().replace("\u2060", "").split())
                                                    for s in titles.values()))      # no word joiners
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
    # The end marker beside the pairs (a tail is cut from the heading to a pair: one parent).
    end = etree.SubElement(headings[0].getparent() if headings else part, "div",
                           {"class": "ikidil-pair-end", "id": f"{MARK}{key}-{END}"})
    end.addprevious(etree.Comment(f"{FILL_SLOT}{len(markers)}"))
    markers.append(end.get("id"))
    notes_before, count, at = [], 0, set(markers)
    for el in part.iter():
        if isinstance(el.tag, str):
            if el.get("id") in at:
                notes_before.append(count)
            if "footnote" in el.get("class", "").split():
                count += 1
    text = lhtml.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return SideDocument(text, markers, notes_before, running, side.role)


def _outside_blocks(el, part) -> bool:
    """True for the part's own scaffolding (section, heading): not a paired block's content."""
    return el is part or el.tag in ("section", "h1") or "bibliography-section" in el.get("class", "").split()


def side_css(side: FacingSide) -> str:
    """The side's note counter: its language's notes are numbered through the book."""
    return f"html {{ counter-reset: footnote {side.notes_before}; }}\n" if side.notes_before else ""


def _pair_positions(pages, markers: list[str]) -> list[tuple[int, float]]:
    """(page, offset from the top of the page area) at which each pair starts."""
    found: dict[str, tuple[int, float]] = {}
    for number, page in enumerate(pages):
        top = page._page_box.content_box_y()
        for name, position in page.anchors.items():
            found.setdefault(name, (number, position[1] - top))
    missing = [m for m in markers if m not in found]
    if missing:
        raise OutOfStep(f"pair anchors not laid out: {', '.join(missing[:3])}")
    return [found[m] for m in markers]


@dataclass
class Measured:
    """Where a side's pairs start, in pages and in content: `content[k]` is the height of
    the text before pair k, page breaks left out (each page's used height summed)."""
    pages: list[int]
    offsets: list[float]
    content: list[float]
    capacity: float            # what a full page holds (the median of the fuller pages)


def measure(pages, markers: list[str], pads: dict[int, int]) -> Measured:
    import statistics
    positions = _pair_positions(pages, markers)
    used = [_used_height(page) for page in pages]
    before = [0.0]
    for height in used:
        before.append(before[-1] + height)
    area = pages[0]._page_box.height
    short = {positions[k][0] - n for k, n in pads.items()}        # pages ended short by a push
    full = [h for n, h in enumerate(used[:-1]) if n not in short and h >= area / 2] or [area]
    return Measured([p for p, _ in positions], [y for _, y in positions],
                    [before[p] + y for p, y in positions], statistics.median(full))


def _used_height(page) -> float:
    """How far down the page area the text goes (notes and margin boxes aside)."""
    from weasyprint.formatting_structure import boxes
    page_box = page._page_box
    top, bottom = page_box.content_box_y(), page_box.content_box_y()
    for child in page_box.children:
        if isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            continue
        for box in child.descendants():
            if isinstance(box, boxes.LineBox):
                bottom = max(bottom, box.position_y + box.height)
    return bottom - top


@dataclass
class Segment:
    """Pages [first, first + count) of one layout (a whole side, or a tail of it)."""
    document: object
    context: object
    first: int
    count: int

    @property
    def pages(self) -> list:
        return self.document.pages[self.first:self.first + self.count]


def pages_of(segments: list[Segment]) -> list:
    return [page for segment in segments for page in segment.pages]


def predict(measured: dict[str, Measured], pads: dict[str, dict[int, int]], settled: int,
            target: int) -> dict[str, dict[int, int]]:
    """The pads the pairs after `settled` will need, foreseen without laying out: pair
    `settled` starts on page `target` on both sides (at its top on a side pushed there);
    from there each side's text runs on at the measure of its full pages, and wherever a
    pair would start on different spreads the earlier side is pushed, as in_step does.
    A guess: in_step lays out and corrects what it got wrong."""
    anchor = {}
    for role, m in measured.items():
        pushed = pads[role].get(settled, 0) > 0 or m.pages[settled] < target
        anchor[role] = (target, 0.0 if pushed else m.offsets[settled], m.content[settled])
    extra: dict[str, dict[int, int]] = {role: {} for role in ROLES}
    for k in range(settled + 1, len(measured["source"].pages)):
        page = {}
        for role, m in measured.items():
            first, offset, content = anchor[role]
            pages, rest = divmod(offset + m.content[k] - content, m.capacity)
            # a paragraph's first two lines stay together (orphans: 2): one starting in a
            # page's last two lines starts the next page
            page[role] = first + int(pages) + (rest > m.capacity - 2 * LINE)
        if page["source"] == page["translation"]:
            continue
        short = "source" if page["source"] < page["translation"] else "translation"
        later = max(page.values())
        extra[short][k] = later - page[short]
        anchor[short] = (later, 0.0, measured[short].content[k])
    return extra


def in_step(render, sides: dict[str, SideDocument], notes_before: dict[str, int] | None = None):
    """Lay out both sides (`render(role, html, css)` → (document, context)) and push pairs
    down until each starts on the same page on both sides. Returns {role: [Segment]} (the
    side's pages: a first layout's, then tails) and the number of layouts made.

    Each round settles the first pair out of step exactly (a pad more on the side where it
    starts earlier, or fewer on a side padded too far), then foresees the pads of every
    later pair (predict) and lays out again the sides whose pads changed: from the first
    changed pair that opens a page on, as a tail after the pages before it (relayout).
    A chapter takes a few layouts per side, most of them short."""
    notes_before = notes_before or {}
    pads: dict[str, dict[int, int]] = {role: {} for role in ROLES}
    segments = {}
    for role in ROLES:
        document, context = render_side(render, sides[role], {})
        segments[role] = [Segment(document, context, 0, len(document.pages))]
    measured = {role: measure(pages_of(segments[role]), sides[role].markers, pads[role]) for role in ROLES}
    layouts = 2
    settled = 0
    for _ in range(MAX_ROUNDS):
        s, t = measured["source"].pages, measured["translation"].pages
        first = next((k for k in range(settled, len(s)) if s[k] != t[k]), None)
        if first is None:
            return segments, layouts
        later = "source" if s[first] > t[first] else "translation"
        earlier = "translation" if later == "source" else "source"
        gap = abs(s[first] - t[first])
        new = {role: {k: n for k, n in pads[role].items() if k <= first} for role in ROLES}
        if new[later].get(first, 0) > 0:               # padded too far: take pages back
            new[later][first] = max(0, new[later][first] - gap)
        else:
            new[earlier][first] = new[earlier].get(first, 0) + gap
            for role, more in predict(measured, new, first, max(s[first], t[first])).items():
                new[role].update(more)
        for role in ROLES:
            new[role] = {k: n for k, n in new[role].items() if n > 0}
            if new[role] == pads[role]:
                continue
            before = measured[role].pages[:first]
            segments[role] = relayout(render, sides[role], segments[role], measured[role], pads[role], new[role],
                                      notes_before.get(role, 0))
            pads[role] = new[role]
            layouts += 1
            measured[role] = measure(pages_of(segments[role]), sides[role].markers, pads[role])
            if measured[role].pages[:first] != before:
                raise OutOfStep(f"pushing pair {first} down moved an earlier pair")
        settled = first
    raise OutOfStep(f"not in step after {MAX_ROUNDS} layouts")


def relayout(render, side: SideDocument, segments: list[Segment], measured: Measured,
             old: dict[int, int], new: dict[int, int], notes_before: int) -> list[Segment]:
    """A side's pages with the pads `new` instead of `old`. The pages before the first pair
    whose pads change stay; from the last pair at or before it that opens a page after
    the change (one with pads), the side is laid out again as a tail. The page where the
    text before that pair ends is kept too, cut after that text when the pair used to
    start on it (its boxes, and the notes they call, taken off the page)."""
    changed = min(k for k in set(old) | set(new) if old.get(k, 0) != new.get(k, 0))
    start = max((k for k in new if k <= changed), default=None)
    if start is None or start == 0:
        document, context = render_side(render, side, new)
        return [Segment(document, context, 0, len(document.pages))]
    page, offset = measured.pages[start], measured.offsets[start]
    pad = old.get(start, 0)
    if pad:
        end = page - pad                      # the page the text before it ends on (fills after)
    elif offset > 1:
        end = page                            # it shares that page: cut it off there
    else:
        end = page - 1
    kept = _keep(segments, end + 1)
    if not pad and offset > 1:
        _cut(kept[-1].document.pages[kept[-1].first + kept[-1].count - 1], side.markers[start])
    document, context = render_side(render, side, new, start, notes_before)
    return kept + [Segment(document, context, 0, len(document.pages))]


# A side laid out from its heading opens the chapter: no running head on that verso (the
# body's string-set counts as made on every page, so string(…, first-except) cannot tell).
# (!important: WeasyPrint 70 lets book.css's margin boxes win over a later sheet's of the
# same specificity.)
OPENING_CSS = "@page facing-verso:first { @top-left { content: none !important; } }\n"


def render_side(render, side: SideDocument, pads: dict[int, int], start: int = 0, notes_before: int = 0):
    css = side.tail_css(start, notes_before) if start else OPENING_CSS
    return render(side.role, side.html(pads, start), css)


def _keep(segments: list[Segment], count: int) -> list[Segment]:
    """The segments' first `count` pages."""
    kept = []
    for segment in segments:
        if count <= 0:
            break
        take = min(count, segment.count)
        kept.append(Segment(segment.document, segment.context, segment.first, take))
        count -= take
    return kept


def _cut(page, marker: str) -> None:
    """Take off `page` the box of the element with id `marker`, the boxes after it, and the
    notes they call; the page's lists of anchors and links are made again."""
    from weasyprint.formatting_structure import boxes

    def find(box):
        for index, child in enumerate(getattr(box, "children", ())):
            element = getattr(child, "element", None)
            if element is not None and not isinstance(child, boxes.MarginBox) and element.get("id") == marker \
                    and getattr(child, "element_tag", "") == element.tag:
                return box, index
            if isinstance(child, boxes.ParentBox) and not isinstance(child, boxes.MarginBox):
                found = find(child)
                if found:
                    return found
        return None
    found = find(page._page_box)
    if found is None:
        raise OutOfStep(f"{marker}: not on the page it was laid out on")
    parent, index = found
    gone = {id(element) for child in parent.children[index:] if getattr(child, "element", None) is not None
            for element in child.element.iter()}
    parent.children = list(parent.children[:index])
    areas = []
    for area in page._page_box.children:
        if isinstance(area, boxes.FootnoteAreaBox):
            area.children = [note for note in area.children
                             if id(note.element) not in gone]
            if not area.children:
                continue                          # no rule above no notes
        areas.append(area)
    page._page_box.children = areas
    page.__dict__.update(type(page)(page._page_box).__dict__)
