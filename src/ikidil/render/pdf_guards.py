"""Layout guards: what WeasyPrint would print wrong without a word is reported instead.

Four faults are looked for in the laid-out pages:
  - a footnote taller than the room a page has for it (WeasyPrint clips it at the page foot);
  - an overfull line (an unbreakable word or URL sticking out into the margin);
  - any box (image, table, code, block) beyond the page's text block, or beyond its column
    in the bilingual edition;
  - a note printed on another page than its call (pdf.layout first tries to fix this).
Each is named by chapter file and block number (the data-block attribute pdf.py puts on
each block), so the author can find it in the Markdown."""

from __future__ import annotations

from typing import Iterator

from weasyprint.formatting_structure import boxes

from .problems import LayoutProblem  # noqa: F401  (where the guards' findings are defined)

TOLERANCE = 1.0       # px: sub-pixel rounding is not a fault


class ElementIndex:
    """Parent links for WeasyPrint's element tree (ElementTree has none)."""

    def __init__(self, root):
        self.parent = {child: parent for parent in root.iter() for child in parent}

    def block_of(self, element) -> str | None:
        while element is not None:
            block = element.get("data-block")
            if block:
                return block
            element = self.parent.get(element)
        return None


def walk(box, parent=None) -> Iterator[tuple[boxes.Box, boxes.Box | None]]:
    yield box, parent
    for child in getattr(box, "children", ()):
        yield from walk(child, box)


def problems(document) -> list[LayoutProblem]:
    found: list[LayoutProblem] = []
    if not document.pages:
        return found
    index = ElementIndex(document.pages[0]._page_box.children[0].element)
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        top = page_box.content_box_y()
        bottom = top + page_box.height
        for box, parent in walk(page_box):
            if isinstance(box, boxes.FootnoteAreaBox):
                for note in box.children:
                    # A note that cannot fit is pushed up past the top of the page area.
                    if (note.position_y < top - TOLERANCE
                            or note.position_y + note.margin_height() > bottom + TOLERANCE):
                        found.append(LayoutProblem(
                            "footnote-clipped", number, index.block_of(note.element),
                            "a footnote is longer than the page and is cut off; shorten it or "
                            "move part of it into the text"))
            elif isinstance(box, boxes.LineBox) and parent is not None and not isinstance(parent, boxes.MarginBox):
                right = parent.content_box_x() + parent.width
                overflow = max((c.position_x + c.margin_width() - right for c in box.children), default=0)
                if overflow > TOLERANCE + _hanging_spaces(box):
                    text = "".join(t.text for t, _ in walk(box) if isinstance(t, boxes.TextBox)).strip()
                    found.append(LayoutProblem(
                        "overfull-line", number, index.block_of(box.element),
                        f"a line sticks {overflow * 0.75:.1f}pt into the margin ('{text[-40:]}'); "
                        "add a soft hyphen (&shy;) or rephrase"))
        found.extend(_outside_text_block(page_box, number, index))
    index_notes = ElementIndex(document.pages[0]._page_box.children[0].element)
    for call_page, note_page, element in displaced_notes(document):
        found.append(LayoutProblem(
            "footnote-displaced", call_page, index_notes.block_of(element),
            f"its note is printed {_pages_later(note_page - call_page)}; "
            "shorten the note or the paragraph around its call"))
    return _first_per_block(found)


def _outside_text_block(page_box, number: int, index: ElementIndex) -> list[LayoutProblem]:
    """Boxes (images, tables, code, whole blocks) laid out beyond the page's text block, or
    beyond their column in the bilingual edition: what WeasyPrint draws there is cut at the
    page edge or printed over the other language. Read from the laid-out boxes, so a
    picture or a rule is found as well as text."""
    left = page_box.content_box_x()
    right = left + page_box.width
    found = []

    def visit(box, lo: float, hi: float, where: str) -> None:
        if isinstance(box, (boxes.MarginBox, boxes.TextBox, boxes.LineBox)):
            return                      # lines: the overfull-line check names their words
        if not isinstance(box, boxes.PageBox) and box.element is not None:
            x, width = box.border_box_x(), box.border_width()
            over = max(lo - x, x + width - hi)
            if over > TOLERANCE and width > 0:
                found.append(LayoutProblem(
                    "outside-text-block", number, index.block_of(box.element),
                    f"{_what(box)} crosses {where} by {over * 0.75:.1f}pt; "
                    f"{_fix(box)}"))
                return                  # its children cross with it: one report
            classes = (box.element.get("class") or "").split() if box.element_tag == "div" else ()
            if "bi-block" in classes and isinstance(box, boxes.BlockContainerBox):
                lo, hi, where = box.content_box_x(), box.content_box_x() + box.width, "its column"
        for child in getattr(box, "children", ()):
            visit(child, lo, hi, where)

    for child in page_box.children:
        visit(child, left, right, "the text block")
    return found


def _what(box) -> str:
    tag = box.element_tag or ""
    return {"img": "an image", "table": "a table", "pre": "a code block", "figure": "a figure"}.get(
        tag, f"a block (<{tag}>)" if tag else "a block")


def _fix(box) -> str:
    tag = box.element_tag or ""
    if tag == "table":
        return "give it fewer columns or shorter cells, or split it"
    if tag in ("img", "figure"):
        return "set a smaller width, e.g. ![caption](file.png){width=100%}"
    return "shorten its longest unbreakable word or line"


def _hanging_spaces(line) -> float:
    """The width of the spaces a line ends with: in code (white-space: pre-wrap) they stay
    at a wrapped line's end and hang past it, printing nothing."""
    texts = [t for t, _ in walk(line) if isinstance(t, boxes.TextBox)]
    if not texts:
        return 0.0
    last = texts[-1]
    spaces = len(last.text) - len(last.text.rstrip(" "))
    return spaces * last.style["font_size"] * 0.65 if spaces else 0.0


def _pages_later(n: int) -> str:
    # Said relative to the call's page: a part laid out alone knows its pages' numbers
    # only later (render/parallel/), and the problem's own page is shifted then.
    return "on the next page" if n == 1 else f"{n} pages after its call" if n > 1 else f"{-n} pages before its call"


def _first_per_block(found: list[LayoutProblem]) -> list[LayoutProblem]:
    """One report per fault and block: a clipped note shows on every page it runs over."""
    seen, out = set(), []
    for problem in found:
        key = (problem.kind, problem.block, problem.detail if problem.kind == "overfull-line" else "")
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def displaced_notes(document) -> list[tuple[int, int, object]]:
    """(call page, note page, element) for every note printed on another page than its call.

    WeasyPrint moves a page's last note to the next page when that makes room for a line it
    could not otherwise place (a paragraph's second line, to keep orphans ≥ 2); under
    `footnote-policy: line` weasy_fixes stops that, so this finds what is left."""
    calls, notes = {}, {}
    for number, page in enumerate(document.pages, start=1):
        for box, _ in walk(page._page_box):
            if isinstance(box, boxes.FootnoteAreaBox):
                for note in box.children:
                    notes.setdefault(id(note.element), number)
            elif (isinstance(box, boxes.InlineBox) and (box.element_tag or "").endswith("::footnote-call")):
                calls.setdefault(id(box.element), (number, box.element))
    return [(page, notes[key], element) for key, (page, element) in calls.items()
            if key in notes and notes[key] != page] + marks_apart(document)


def marks_apart(document) -> list[tuple[int, int, object]]:
    """(mark page, note page, mark element) for every translation mark of the columns
    layout (render/columns.py: a .bi-call, its note joined to the source's) printed on
    another page than the note it marks."""
    marks, notes = {}, {}
    for number, page in enumerate(document.pages, start=1):
        for box, _ in walk(page._page_box):
            if isinstance(box, boxes.FootnoteAreaBox):
                for note in box.children:
                    if note.element is not None and note.element.get("data-note"):
                        notes.setdefault(note.element.get("data-note"), number)
            elif (isinstance(box, boxes.InlineBox) and box.element_tag == "span"
                  and "bi-call" in (box.element.get("class") or "").split()):
                marks.setdefault(box.element.get("data-note"), (number, box.element))
    return [(page, notes[key], element) for key, (page, element) in marks.items()
            if key in notes and notes[key] != page]


def last_block_on_page(document, page: int) -> str | None:
    """The data-block of the last running text on a page (1-based)."""
    page_box = document.pages[page - 1]._page_box
    index = ElementIndex(document.pages[0]._page_box.children[0].element)
    last = None
    for child in page_box.children:
        if isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            continue
        for box, _ in walk(child):
            if isinstance(box, boxes.TextBox):
                last = index.block_of(box.element) or last
    return last
