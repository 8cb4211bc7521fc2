"""Where a hyphen may end a line, decided inside WeasyPrint 70's line breaking (issue 19, 4).

WeasyPrint breaks lines greedily, one at a time, and hyphenates a word only when it does not
fit on the line (text/line_break.py, split_first_line, "Step #4"). Two rules of book
typesetting need more than that, and both are taken here where the layout already knows what
they need, so neither costs a second layout of anything but one line:

1. At most `hyphenate-limit-lines` hyphenated lines in a row (CSS Text 4; book.css says 2).
   WeasyPrint 70 does not know the property: it is registered here (initial `no-limit`,
   inherited, unprefixed or `-weasy-`). The line box iterator (layout/inline.py,
   iter_line_boxes) sees each line of a paragraph as it is made; after N hyphenated lines
   it sets the next line with hyphenation held, so the word that does not fit goes whole to
   the line after. The count restarts where a page or column does (rule 2 leaves no hyphen
   there).
2. No hyphen on the last line of a page or of a column (`hyphenate-limit-last: column`, also
   registered here). When the line box layout (layout/block.py, _linebox_layout) breaks a
   paragraph across pages, or find_earlier_page_break breaks it earlier (a paragraph kept with
   the block after it), the last line kept is set again with hyphenation held, and the split
   word goes whole to the next page. The page keeps its number of lines (so orphans and widows
   stay met: the next page only gains text).

Held hyphenation is not forced: a word longer than the whole line is still broken, a held line
that would be set too loosely (word spaces stretched by more than LOOSEST_STRETCH of the
font size) keeps its hyphen, and a page's last line holding an absolutely placed box is left
as it is. The patches are applied to WeasyPrint's own function sources, each checked so that
another WeasyPrint version fails loudly (FixNotApplied) instead of laying out differently.
Both the one-document and the chapter-parallel layouts run them (weasy_fixes.prepare), in the
same way, so their pages stay identical.

Not done here: the two pages of a spread ending on the same line. A page runs short when the
line holding a note call goes to the next page with its note (`footnote-policy: line`) and
widows take one more line with it. In the seed book's single-language PDFs the three text
spreads whose last lines differ all have the *recto* short; in scripts/bench.py's 4-chapter
book (Turkish, 63 pages) 11 of 25 text spreads differ, 7 with the recto short and 4 with the
verso short. WeasyPrint lays pages out one after the other and never returns to one it has
finished (layout/page.py, make_all_pages; remake_page only replays a page from its saved
start when counters change), so a short recto cannot make its verso shorter: that needs the
verso laid out again with a lower bottom, then the recto again after it, two more page
layouts per uneven spread (about 40 % more layout on the bench book, against a budget of 0.6
of one WeasyPrint call for the whole build). The forward half alone (a recto whose verso ran
short stops its text at the verso's last line: a text limit in make_page kept apart from
`context.page_bottom`, which also places the footnote area) would mend only the spreads with
the verso short (none in the seed book) and can leave the recto shorter than the verso once
its own widows act. Splitting a long note over two pages instead of moving its call's line
needs a fragmentable footnote area, which WeasyPrint 70 does not have (a note is laid out
whole in layout/page.py and reported to the next page when it does not fit)."""

from __future__ import annotations

import hashlib
import inspect

from .problems import FixNotApplied

# A held line's extra word space (justification) above this share of its font size is a
# "river" a reader sees more than a hyphen: the hyphen is kept. 0.5 em on top of the normal
# space is about what WeasyPrint's greedy lines already reach in the seed book.
LOOSEST_STRETCH = 0.5
HOLD = "ikidil_hold_hyphens"     # LayoutContext attribute: hyphenation held for this line

_installed = False


def install() -> None:
    """Idempotent; weasy_fixes.prepare() calls it before any stylesheet is parsed."""
    global _installed
    if _installed:
        return
    _register_property()
    _patch_split_first_line()
    _patch_iter_line_boxes()
    _patch_find_earlier_page_break()
    _installed = True


def installed() -> bool:
    return _installed


# --- the CSS property -------------------------------------------------------------------

def _register_property() -> None:
    from weasyprint.css import properties
    from weasyprint.css.tokens import get_keyword, get_number, single_token
    from weasyprint.css.validation import properties as validation
    if "hyphenate-limit-lines" in validation.PROPERTIES:
        return

    @single_token
    def hyphenate_limit_lines(token):
        """`no-limit | <integer>` (CSS Text 4, 6.3.5), the integer at least 1."""
        if get_keyword(token) == "no-limit":
            return "no-limit"
        if (number := get_number(token, negative=False, integer=True)) and number.value >= 1:
            return number.value

    @single_token
    def hyphenate_limit_last(token):
        """`none | always | column | page` (CSS Text 4, 6.3.6; `spread` is not supported:
        the line layout does not know which side its page is on). A paragraph's own last
        line is never hyphenated here, so `always` is `column`."""
        if (keyword := get_keyword(token)) in ("none", "always", "column", "page"):
            return keyword

    for function, initial in ((hyphenate_limit_lines, "no-limit"), (hyphenate_limit_last, "none")):
        name = function.__name__
        properties.INITIAL_VALUES[name] = initial
        properties.INHERITED.add(name)
        properties.KNOWN_PROPERTIES.add(name.replace("_", "-"))
        function.wants_base_url = False
        validation.PROPERTIES[name.replace("_", "-")] = function
        validation.UNSTABLE.add(name.replace("_", "-"))


# --- holding hyphenation for one line ---------------------------------------------------

_HYPHENS_LINE = "    hyphens = style['hyphens']\n"
_HELD = (_HYPHENS_LINE
         + "    if getattr(context, " + repr(HOLD) + ", False) and not (\n"
         + "            is_line_start and not first_line_text):\n"
         + "        # ikidil (render/hyphen_breaks.py): hyphenation held on this line, unless\n"
         + "        # the word is longer than the whole line.\n"
         + "        hyphens = 'none'\n")


def _patch_split_first_line() -> None:
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    source = inspect.getsource(line_break.split_first_line)
    if source.count(_HYPHENS_LINE) != 1:
        raise FixNotApplied("WeasyPrint's split_first_line changed: review render/hyphen_breaks.py")
    namespace: dict = {}
    exec(compile(source.replace(_HYPHENS_LINE, _HELD), line_break.__file__, "exec"),
         line_break.__dict__, namespace)
    line_break.split_first_line = inline.split_first_line = namespace["split_first_line"]


def ends_hyphenated(line) -> bool:
    """The line ends on a hyphen that hyphenation added (not a word's own hyphen)."""
    from weasyprint.formatting_structure import boxes
    box = line
    while isinstance(box, boxes.ParentBox):
        if not box.children:
            return False
        box = box.children[-1]
    return isinstance(box, boxes.TextBox) and box.text.endswith(box.style["hyphenate_character"])


def _stretch(line) -> float:
    """The largest extra word space justification gave the line, in ems of its text."""
    from weasyprint.formatting_structure import boxes
    worst = 0.0
    for box in line.descendants():
        if isinstance(box, boxes.TextBox) and box.style["font_size"]:
            worst = max(worst, box.justification_spacing / box.style["font_size"])
    return worst


def _held_line(context, box, position_y, bottom_space, skip_stack, containing_block,
               absolute_boxes, fixed_boxes):
    """The line starting at `skip_stack`, set with hyphenation held, as (line, resume_at);
    None, with nothing of it left in the layout context, when holding would set it too
    loosely, it still ends on a hyphen, or it places floats."""
    from weasyprint.layout import inline
    floats, absolutes, fixed = len(context.excluded_shapes), [], []
    text_indent = box.text_indent
    setattr(context, HOLD, True)
    try:
        line, resume_at = inline.get_next_linebox(
            context, box, position_y, bottom_space, skip_stack, containing_block,
            absolutes, fixed, None, None)
    finally:
        setattr(context, HOLD, False)
        box.text_indent = text_indent
    if line is None or ends_hyphenated(line) or _stretch(line) > LOOSEST_STRETCH \
            or len(context.excluded_shapes) != floats:
        del context.excluded_shapes[floats:]
        return None
    absolute_boxes.extend(absolutes)
    fixed_boxes.extend(fixed)
    inline.handle_leader(context, line, containing_block)
    return line, resume_at


# --- rule 1: the line box iterator ------------------------------------------------------

# The sha256 of WeasyPrint 70's iter_line_boxes, which iter_line_boxes below replaces.
_ITER_LINE_BOXES_SHA = "04aec48abfcad809bc94c54eeba0e23a389e824cec85fe67bc1b21412d29dc3a"


def _patch_iter_line_boxes() -> None:
    from weasyprint.layout import block, inline
    digest = hashlib.sha256(inspect.getsource(inline.iter_line_boxes).encode()).hexdigest()
    if digest != _ITER_LINE_BOXES_SHA:
        raise FixNotApplied("WeasyPrint's iter_line_boxes changed: review render/hyphen_breaks.py")
    inline.iter_line_boxes = block.iter_line_boxes = iter_line_boxes


def iter_line_boxes(context, box, position_y, bottom_space, skip_stack,
                    containing_block, absolute_boxes, fixed_boxes,
                    first_letter_style, first_line_style):
    """WeasyPrint 70's iter_line_boxes (layout/inline.py), counting hyphenated lines."""
    from weasyprint.layout.inline import get_next_linebox, handle_leader, resolve_one_percentage, \
        resolve_percentages
    resolve_percentages(box, containing_block)
    if skip_stack is None:
        resolve_one_percentage(box, 'text_indent', containing_block.width)
    else:
        box.text_indent = 0
    limit = box.style["hyphenate_limit_lines"]
    run = 0                                  # hyphenated lines just above this one
    while True:
        held = None
        if limit != "no-limit" and run >= limit:
            held = _held_line(context, box, position_y, bottom_space, skip_stack,
                              containing_block, absolute_boxes, fixed_boxes)
        if held is not None:
            line, resume_at = held
        else:
            line, resume_at = get_next_linebox(
                context, box, position_y, bottom_space, skip_stack, containing_block,
                absolute_boxes, fixed_boxes, first_letter_style, first_line_style)
            if line:
                handle_leader(context, line, containing_block)
        first_line_style = None
        if line:
            position_y = line.position_y + line.height
        if line is None:
            return
        run = run + 1 if resume_at is not None and ends_hyphenated(line) else 0
        yield line, resume_at
        if resume_at is None:
            return
        skip_stack = resume_at
        box.text_indent = 0
        first_letter_style = None


# --- rule 2: the last line of a page or column ------------------------------------------

# Replacements in layout/block.py's _linebox_layout (weasy_fixes applies them with its own):
# each line remembers where it starts and what it was set from, and when the paragraph breaks
# (stop) its last kept line goes through last_line_on_page.
LINEBOX_REPLACEMENTS = [
    ("        line.resume_at = resume_at\n",
     "        line.resume_at = resume_at\n"
     "        # ikidil (render/hyphen_breaks.py): where the line starts, what it is set from\n"
     "        line.ikidil_start, line.ikidil_from = skip_stack, (child, box, bottom_space)\n"),
    ("    if new_children:\n        resume_at = {index: new_children[-1].resume_at}\n",
     "    if stop and not abort and new_children:\n"
     "        _ikidil_last_line_on_page(context, new_children)\n"
     "    if new_children:\n        resume_at = {index: new_children[-1].resume_at}\n"),
]
# The same in find_earlier_page_break, where a paragraph is broken earlier than where the page
# ran out (its lines kept but the last `widows`, as when `break-after: avoid` holds it to the
# block that did not fit).
EARLIER_BREAK = ("        new_children = children[:index]\n"
                 "        resume_at = {0: new_children[-1].resume_at}\n")
EARLIER_BREAK_HELD = ("        new_children = children[:index]\n"
                      "        _ikidil_last_line_on_page(context, new_children)\n"
                      "        resume_at = {0: new_children[-1].resume_at}\n")
LINEBOX_GLOBALS = {"_ikidil_last_line_on_page": lambda *args: last_line_on_page(*args)}


def _patch_find_earlier_page_break() -> None:
    from weasyprint.layout import block
    source = inspect.getsource(block.find_earlier_page_break)
    if source.count(EARLIER_BREAK) != 1:
        raise FixNotApplied("WeasyPrint's find_earlier_page_break changed: review render/hyphen_breaks.py")
    block.__dict__.update(LINEBOX_GLOBALS)
    namespace: dict = {}
    exec(compile(source.replace(EARLIER_BREAK, EARLIER_BREAK_HELD), block.__file__, "exec"),
         block.__dict__, namespace)
    block.find_earlier_page_break = namespace["find_earlier_page_break"]


def last_line_on_page(context, new_children) -> None:
    """Set the page's (or column's) last line of a paragraph again without its hyphen, in place.

    The line keeps its place and height; it is left as it is when it is the paragraph's first
    line (its indent and first-line style), holds out-of-flow boxes, would be taller, or would
    not carry the same note calls (whose notes are already on the page)."""
    last = new_children[-1]
    start, source = getattr(last, "ikidil_start", None), getattr(last, "ikidil_from", None)
    if last.resume_at is None or start is None or source is None or not ends_hyphenated(last):
        return
    box, containing_block, bottom_space = source
    mode = box.style["hyphenate_limit_last"]
    if mode == "none" or (mode == "page" and context.in_column):
        return
    if any(d.style["position"] in ("absolute", "fixed") or d.style["float"] != "none"
           for d in last.descendants() if d is not last):
        return
    held = _held_line(context, box, last.position_y, bottom_space, start, containing_block,
                      [], [])
    if held is None:
        return
    line, resume_at = held
    if line.height > last.height + 0.01 or _notes(line) != _notes(last):
        return
    line.resume_at, line.ikidil_start, line.ikidil_from = resume_at, start, source
    new_children[-1] = line


def _notes(line) -> list[int]:
    return [id(d.footnote) for d in line.descendants() if getattr(d, "footnote", None) is not None]


# --- what tests and diagnostics look at -------------------------------------------------

def faults(document, limit: int = 2) -> list[tuple[int, str, str]]:
    """(page number, kind, line text) of each run of more than `limit` hyphenated lines
    ("ladder") and of each paragraph fragment ending on a hyphen, which happens only where a
    page or column breaks it ("page-end"), in a laid-out WeasyPrint document (body text only:
    margin boxes and the footnote area are not looked at)."""
    from weasyprint.formatting_structure import boxes
    found = []

    def visit(box, number):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        lines = [c for c in getattr(box, "children", ()) if isinstance(c, boxes.LineBox)]
        run = 0
        for line in lines:
            run = run + 1 if ends_hyphenated(line) else 0
            if run == limit + 1:
                found.append((number, "ladder", _text(line)))
        if lines and lines[-1] is box.children[-1] and ends_hyphenated(lines[-1]):
            found.append((number, "page-end", _text(lines[-1])))
        for child in getattr(box, "children", ()):
            if not isinstance(child, boxes.LineBox):
                visit(child, number)
            else:
                for inner in child.children:
                    if isinstance(inner, boxes.InlineBlockBox):
                        visit(inner, number)

    for number, page in enumerate(document.pages, start=1):
        visit(page._page_box, number)
    return found


def _text(line) -> str:
    from weasyprint.formatting_structure import boxes
    return "".join(b.text for b in line.descendants() if isinstance(b, boxes.TextBox)).strip()
