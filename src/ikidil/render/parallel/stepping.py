"""Facing pages in one layout per side: both sides are paginated a page at a time, side by
side, and a pair that starts on an earlier page than on the other side is made to open a
page there and then (facing.py explains the pages wanted; this is how they are made fast).

Why a page at a time. WeasyPrint paginates a document page after page: each page starts
from the state the page before left (`context.page_maker`: where to resume, the counters)
and nothing after a page changes it. So the page a pair starts on is final as soon as that
page is made, and both sides can be made in step: make pages until pair k has started on
both sides; on the same page, go on to pair k + 1; if not, the side where it starts
earlier gets a forced break before it (its box's `break-before` set to `page`, the same
cascade value the HTML method's `.ikidil-break` gives) and that side is made again from
the page where the pair started, from that page's saved state. Every page is laid out
once, and the page a pair is pushed from twice: the sides' pages, not ~1.6× them as with
whole layouts and tails (facing.in_step), and one style pass and box tree per side.

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

    def start_of(self, pair: int) -> tuple[int, float]:
        """(page, offset) where `pair` starts, making pages until it has."""
        while pair not in self.found:
            if not self.more():
                raise StepFailed(f"pair {pair} was not laid out")
        return self.found[pair]

    def push(self, pair: int, marker: str) -> None:
        """Give `pair` a forced break before it and make the side again from its page on."""
        page, _ = self.found[pair]
        box = next((b for b in self.root.descendants() if getattr(b, "element", None) is not None
                    and b.element.get("id") == marker and b.element_tag == b.element.tag), None)
        if box is None or box.style["break_before"] != "auto":
            raise StepFailed(f"{marker}: no box to break before")
        box.style["break_before"] = "page"
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
    number of pages laid out on both sides)."""
    from ..pdf_guards import displaced_notes
    layouts = {role: start(role, sides[role].html({}), OPENING_CSS) for role in ROLES}
    count = len(sides["source"].markers)
    if len(sides["translation"].markers) != count:
        raise StepFailed("the sides have different numbers of pairs")
    pair = 0
    while pair < count:
        where = {role: layouts[role].start_of(pair) for role in ROLES}
        pages = {role: page for role, (page, _) in where.items()}
        if pages["source"] == pages["translation"]:
            pair += 1
            continue
        earlier = min(ROLES, key=pages.get)
        later = "translation" if earlier == "source" else "source"
        page, offset = where[earlier]
        # Pushed, the pair opens the page after the one it starts on now: that is the
        # other side's page only if it shares its page with text before it and the other
        # side is one page on (else empty pages are wanted).
        if offset <= 1 or pages[later] != page + 1:
            raise StepFailed(f"pair {pair} wants empty pages")
        layouts[earlier].push(pair, sides[earlier].markers[pair])
    segments, made = {}, 0
    for role in ROLES:
        document, context = layouts[role].finish()
        if displaced_notes(document):
            raise StepFailed("a note was pushed off its call's page")
        segments[role] = [Segment(document, context, 0, len(document.pages))]
        made += layouts[role].made
    if segments["source"][0].count != segments["translation"][0].count:
        raise StepFailed("the sides end on different spreads")
    return segments, made
