"""Facing pages in one layout per side: both sides are paginated a page at a time, side by
side, and a pair that starts on an earlier page than on the other side is made to open a
page there and then (facing.py explains the pages wanted; this is how they are made fast).

Why a page at a time. WeasyPrint paginates a document page after page: each page starts
from the state the page before left (`context.page_maker`: where to resume, the counters)
and nothing after a page changes it. So the page a pair starts on is final as soon as that
page is made, and both sides can be made in step, page n of one side, then page n of the
other: that one is given a forced break before the first pair the first side has not
started by its page n (its box's `break-before` set to `page`, the cascade value the HTML
method's `.ikidil-break` gives), so where it runs shorter, its page ends before that pair
as it is made; if the page ended before reaching the pair anyway, the break is taken off
again. The side that runs longer goes first; where it turns out to have run shorter (it
started pairs the other did not), its page is made again from that page's saved state
with a push, and it goes second from then on. So each page is laid out about once (the
bench's chapters: 30-34 pages made for 30-32 pages), with one style pass and one box tree
per side, where whole layouts and tails (facing.in_step) lay out ~1.6× the pages and
style each tail again. The pages are those facing.in_step gives, but for one thing: a
pushed paragraph after a blockquote or heading stays flush (`blockquote + p`), as in the
single-language editions; the HTML method's break element between them undid that.

What it does not do (StepFailed, and facing.in_step lays the part out instead): empty
pages (a side more than a page behind: WeasyPrint makes no empty page for a plain
`page` break), notes pushed off their call's page (render_keeping_notes's repair), and
anything that would need WeasyPrint's second pagination pass (page-based counters)."""

from __future__ import annotations

from .facing import ROLES, Segment, SideDocument, OPENING_CSS


class StepFailed(Exception):
    """This part's sides cannot be stepped a page at a time (facing.in_step lays it out)."""


class SideLayout:
    """One side's WeasyPrint layout, made a page at a time (`more`), and made again from a
    page on after a pair is given a forced break (`push`)."""

    def __init__(self, html, stylesheets: list, font_config, markers: list[str]):
        """What HTML.render(stylesheets=…, font_config=…) does before it paginates."""
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.document import Document
        from weasyprint.formatting_structure.build import build_formatting_structure
        from weasyprint.layout import initialize_page_maker
        options = {**DEFAULT_OPTIONS, "stylesheets": stylesheets}
        self.html, self.font_config, self.options = html, font_config, options
        self.color_profiles: dict = {}
        counter_style = CounterStyle()
        context = self.context = Document._build_layout_context(html, font_config, counter_style,
                                                                self.color_profiles, options)
        self.root = build_formatting_structure(html.etree_element, context.style_for, context.get_image_from_uri,
                                               html.base_url, context.target_collector, counter_style,
                                               context.footnotes)
        initialize_page_maker(context, self.root)
        context.rendered_notes = []
        self.pages: list = []            # page boxes, without margin boxes until finish()
        self.saved: list = []            # the context's lists at the start of each page
        self.done = False
        self.index = {marker: k for k, marker in enumerate(markers)}
        self.found: dict[int, tuple[int, float]] = {}     # pair → (page, offset from the page area's top)
        self.made = 0                    # pages laid out, re-made ones included

    def more(self) -> bool:
        """Make the next page; False when the side has no more."""
        from weasyprint.layout.page import remake_page
        if self.done:
            return False
        context, number = self.context, len(self.pages)
        self.saved.append((list(context.footnotes), list(context.reported_footnotes),
                           dict(context.broken_out_of_flow), len(context.rendered_notes)))
        state = context.page_maker[number][-1]          # as make_all_pages does before a page
        state.update(content_changed=False, pages_wanted=False, anchors=[], content_lookups=[])
        page, resume_at = remake_page(number, context, self.root, self.html)
        self.pages.append(page)
        self.made += 1
        top = page.content_box_y()
        for box in page.descendants():
            element = getattr(box, "element", None)
            if element is not None and box.element_tag == element.tag:
                pair = self.index.get(element.get("id"))
                if pair is not None and pair not in self.found:
                    self.found[pair] = (number, box.position_y - top)
        if resume_at is None and not context.reported_footnotes:
            context.page_maker = context.page_maker[:number + 2]
            context.broken_out_of_flow.clear()
            context.reported_footnotes.clear()
            self.done = True
        return True

    def page(self, number: int) -> bool:
        """Make pages up to `number` (0-based); False if the side ends before it."""
        while len(self.pages) <= number:
            if not self.more():
                return False
        return True

    def last_started(self, number: int) -> int:
        """The last pair that starts on page `number` or before (-1: none)."""
        return max((k for k, (page, _) in self.found.items() if page <= number), default=-1)

    def ended_by_break(self, number: int) -> bool:
        """Did page `number` end at a forced break (the next page's state says)?"""
        resume_at, next_page = self.context.page_maker[number + 1][:2]
        return resume_at is not None and next_page["break"] == "page"

    def box(self, pair: int):
        """The box of `pair`'s first element, whose `break-before` a push sets."""
        if not hasattr(self, "_boxes"):
            self._boxes = {}
            for b in self.root.descendants():   # the element's own box, not the anonymous ones in it
                if getattr(b, "element", None) is not None and b.element_tag == b.element.tag:
                    self._boxes.setdefault(self.index.get(b.element.get("id")), b)
        box = self._boxes.get(pair)
        if box is None:
            raise StepFailed(f"pair {pair}: no box to break before")
        return box

    def forbid(self, pair: int) -> bool:
        """A forced break before `pair` for the next page made (see in_step); False if it
        has one already."""
        style = self.box(pair).style
        if style["break_before"] != "auto":
            return False
        style["break_before"] = "page"
        return True

    def allow(self, pair: int) -> None:
        self.box(pair).style["break_before"] = "auto"

    def push(self, pair: int) -> None:
        """Give `pair` a forced break before it and make the side again from its page on."""
        page, _ = self.found[pair]
        if not self.forbid(pair):
            raise StepFailed(f"pair {pair} pushed twice")
        context = self.context
        footnotes, reported, out_of_flow, notes = self.saved[page]
        context.footnotes, context.reported_footnotes = list(footnotes), list(reported)
        context.broken_out_of_flow = dict(out_of_flow)
        del context.rendered_notes[notes:]
        for pages in context.running_elements.values():
            for number in [n for n in pages if n > page]:     # 1-based: page `page` on
                del pages[number]
        del self.pages[page:], self.saved[page:]
        context.page_maker = context.page_maker[:page + 1]
        self.found = {k: where for k, where in self.found.items() if where[0] < page}
        self.done = False

    def finish(self):
        """Every page, with its margin boxes, as a WeasyPrint Document (and the context
        its margin boxes were made in, for jobs._renumber)."""
        import weasyprint.layout as wlayout
        from weasyprint.document import Document, Page
        from weasyprint.html import get_html_metadata
        from weasyprint.pdf.metadata import DocumentMetadata
        while self.more():
            pass
        if any(state[-1]["content_changed"] or state[-1]["pages_wanted"] for state in self.context.page_maker):
            raise StepFailed("the side wants a second pagination pass")
        # WeasyPrint's own end of layout (string sets, bookmarks, margin boxes) over the
        # pages made here: its pagination steps are given these pages instead.
        saved = wlayout.initialize_page_maker, wlayout.make_all_pages
        wlayout.initialize_page_maker = lambda context, root_box: None
        wlayout.make_all_pages = lambda context, root_box, html, pages: iter(self.pages)
        try:
            boxes = list(wlayout.layout_document(self.html, self.root, self.context, max_loops=1))
        finally:
            wlayout.initialize_page_maker, wlayout.make_all_pages = saved
        document = Document([Page(box) for box in boxes], DocumentMetadata(**get_html_metadata(self.html)),
                            self.html.url_fetcher, self.font_config, self.color_profiles,
                            self.options["output_intent"])
        document._html = self.html
        return document, self.context


def in_step(start, sides: dict[str, SideDocument]):
    """Both sides of a part made a page at a time and kept in step (see the module's
    docstring). `start(role, html, css)` → SideLayout. Returns ({role: [Segment]}, the
    number of pages laid out on both sides).

    Page by page: the side that runs longer makes its page first; the other is then given
    a forced break before the first pair that side has not started by then, for this page
    only (taken off again if the page ended before it), so it is pushed as it is laid out,
    not laid out and then pushed. Where the first side turns out to have started pairs the
    other has not (it ran shorter there), its page is made again with a push, and it goes
    second from then on."""
    from ..pdf_guards import displaced_notes
    layouts = {role: start(role, sides[role].html({}), OPENING_CSS) for role in ROLES}
    count = len(sides["source"].markers)
    if len(sides["translation"].markers) != count:
        raise StepFailed("the sides have different numbers of pairs")
    first, number = "translation", 0
    while True:
        second = "source" if first == "translation" else "translation"
        a, b = layouts[first], layouts[second]
        more_a = a.page(number)
        started = a.last_started(number)
        forbidden = started + 1 < count and started + 1 not in b.found and b.forbid(started + 1)
        more_b = b.page(number)
        if more_a != more_b:
            raise StepFailed("the sides end on different spreads")
        if not more_a:
            break
        reached = b.last_started(number)
        if forbidden and not (reached == started and b.ended_by_break(number)):
            b.allow(started + 1)               # the page ended before it: no push
        if reached > started:
            raise StepFailed(f"pair {started + 1} wants empty pages")
        if reached < started:
            # `first` ran shorter on this page: push its pair reached + 1 to the next.
            page, offset = a.found[reached + 1]
            if page != number or offset <= 1:
                raise StepFailed(f"pair {reached + 1} wants empty pages")
            a.push(reached + 1)
            a.page(number)
            if a.last_started(number) != reached:
                raise StepFailed(f"pair {reached + 1} did not move")
            first = second
        number += 1
    segments, made = {}, 0
    for role in ROLES:
        document, context = layouts[role].finish()
        if displaced_notes(document):
            raise StepFailed("a note was pushed off its call's page")
        segments[role] = [Segment(document, context, 0, len(document.pages))]
        made += layouts[role].made
    for k in range(count):
        if layouts["source"].found.get(k, (None,))[0] != layouts["translation"].found.get(k, (-1,))[0]:
            raise StepFailed(f"pair {k} starts on different pages")
    return segments, made
