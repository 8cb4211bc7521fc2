"""What ikidil adds to WeasyPrint before any layout: one call, `prepare()`, in every process
that lays out pages (the build's own and each parallel layout worker).

0. WeasyPrint loaded without compiler probes (_load_weasyprint).
1. Turkish hyphenation (hyphenation.register).
2. `footnote-policy` honoured when a line overflows the page. CSS GCPM says that under
   `footnote-policy: line` a note that does not fit takes the line of its call to the next
   page with it, so call and note stay on one page. WeasyPrint 70 does so when the note
   itself overflows, but when a *text line* overflows and orphans/widows forbid breaking
   before it, it makes room by moving the page's last notes to the next page whatever
   their policy (layout/block.py, _linebox_layout: "first try to report footnotes"),
   which leaves notes a page after their calls. ikidil used to repair that by laying the
   chapter out again with a page break before the block (up to six times: about twice
   the layout work of a book). Here the move is made to depend on the policy: only notes
   under `footnote-policy: auto` are moved; otherwise the line breaks by orphans/widows
   as any other. The change is one condition, applied to WeasyPrint's own function
   source, so it fails loudly (FIX_NOT_APPLIED) on a WeasyPrint whose code differs,
   and pdf.render_keeping_notes still repairs whatever the layout guards find.
3. `hyphenate-limit-lines` and `hyphenate-limit-last` (hyphen_breaks.py): no more than two
   hyphenated lines in a row, no hyphen at a page's or column's foot. Its replacements in
   _linebox_layout are applied here, together with the one of 2, to the same source.
4. Each tagged structure element says its language (/Lang) when its HTML element has a
   `lang` of its own: WeasyPrint tags only the document's, so the English blocks of the
   bilingual PDF would be read with a Turkish voice (structure_lang).
4. A note called in a grid item (the columns layout's pairs) broken across pages is on the
   page of its call. To size the grid's rows WeasyPrint lays each item out whole, with no
   page bottom (layout/grid.py, bottom_space=-inf), and that pass takes every note the item
   calls onto the page where the row starts: a call on the next page had its note a page
   before it. The notes those sizing passes take for calls below the page's bottom are
   given back (grid_footnotes), so the real pass places each with the line of its call."""

from __future__ import annotations

import contextlib
import inspect
import logging
import math
import os
import re
import struct
import subprocess
import sys
import threading

from .. import hyphenation
from . import hyphen_breaks
from .problems import FixNotApplied

log = logging.getLogger("ikidil")

_REPORT_LINE = "report = not context.in_column and can_break_now and not could_break_before"
_POLICY_AWARE = (_REPORT_LINE + " and all(\n"
                 "                note.style['footnote_policy'] == 'auto'\n"
                 "                for note in context.current_page_footnotes)")
_applied = False
_loading = threading.Lock()
# The libraries WeasyPrint's text/ffi.py opens: the fast path is taken only when the ldconfig
# listing names each of them (an empty or partial listing, read while ldconfig rewrites its
# cache during a package install, would make the fast import fail).
_LIBRARIES = ("gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0")


def prepare() -> None:
    """Idempotent; call before laying out pages in this process."""
    _load_weasyprint()
    hyphenation.register()
    footnote_policy_fix()
    hyphen_breaks.install()
    structure_lang()
    grid_footnotes()


def _load_weasyprint() -> None:
    """Import WeasyPrint with ctypes.util.find_library answering from one reading of
    ldconfig's cache. WeasyPrint tries several names per library (text/ffi.py, for every
    platform); cffi hands each name that dlopen does not know to find_library, which on
    Linux runs ldconfig, then gcc and ld for a name ldconfig lacks: about twenty processes
    and a third of WeasyPrint's import time, in every layout process (WeasyPrint #1125).
    If WeasyPrint cannot load its libraries so, the import is made again the usual way."""
    if "weasyprint" in sys.modules:
        return
    # One thread imports; the others wait for it. The retry below takes WeasyPrint's
    # modules out of sys.modules, which must not happen under another thread's import of
    # them (a build once failed with KeyError: 'weasyprint' on a loaded machine while
    # packages were being installed: a failed fast import purged what another thread used).
    with _loading:
        if "weasyprint" in sys.modules:
            return
        listing = _ldconfig_listing() if sys.platform.startswith("linux") else ""
        if not all(f"lib{name}." in listing for name in _LIBRARIES):
            import weasyprint  # noqa: F401   (find_library asks no compiler off Linux)
            return
        try:
            with _find_library_from(listing):
                import weasyprint  # noqa: F401
        except OSError:
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
            import weasyprint  # noqa: F401,F811


def _ldconfig_listing() -> str:
    try:
        return subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True,
                              env={"LC_ALL": "C", "LANG": "C"}, check=False).stdout
    except OSError:
        return ""


@contextlib.contextmanager
def _find_library_from(listing: str):
    """find_library as CPython's first step does it (ctypes/util.py, _findSoname_ldconfig),
    from `listing`, and without its gcc and ld fallbacks."""
    import ctypes.util
    machine = f"{os.uname().machine}-{struct.calcsize('l') * 8}"
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
           "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")

    def find_library(name: str) -> str | None:
        match = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}", listing)
        return match.group(1) if match else None
    original, ctypes.util.find_library = ctypes.util.find_library, find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


def footnote_policy_fix() -> None:
    global _applied
    if _applied:
        return
    from weasyprint.layout import block
    source = inspect.getsource(block._linebox_layout)
    for old, new in [(_REPORT_LINE, _POLICY_AWARE), *hyphen_breaks.LINEBOX_REPLACEMENTS]:
        if source.count(old) != 1:
            raise FixNotApplied("WeasyPrint's _linebox_layout changed: review render/weasy_fixes.py "
                                "and render/hyphen_breaks.py against the installed WeasyPrint")
        source = source.replace(old, new)
    block.__dict__.update(hyphen_breaks.LINEBOX_GLOBALS)
    namespace: dict = {}
    exec(compile(source, block.__file__, "exec"), block.__dict__, namespace)
    block._linebox_layout = namespace["_linebox_layout"]
    _applied = True


def structure_lang() -> None:
    """Wrap WeasyPrint's structure tree builder (pdf/tags.py, _build_box_tree, which calls
    itself by its module's name, so every level goes through the wrapper): the elements it
    makes for a box whose HTML element carries `lang` get /Lang (the html and body
    elements make none: the catalog's /Lang is theirs)."""
    from weasyprint.pdf import tags
    if getattr(tags._build_box_tree, "ikidil_lang", False):
        return
    import pydyf
    original = tags._build_box_tree

    def with_lang(box, *args, **kwargs):
        element = getattr(box, "element", None)
        lang = element.get("lang") if element is not None and getattr(box, "element_tag", None) not in ("html", "body") \
            and hasattr(element, "get") else None
        for made in original(box, *args, **kwargs):
            if lang and "Lang" not in made:
                made["Lang"] = pydyf.String(lang)
            yield made
    with_lang.ikidil_lang = True
    tags._build_box_tree = with_lang


def grid_footnotes() -> None:
    """Wrap WeasyPrint's block_level_layout (which grid.py imports when it calls it) and
    grid_layout (as block.py calls it): after a sizing pass of grid.py (no page bottom), a
    note whose call lies below the page's bottom is given back, to be placed by the real
    pass on the page its line goes to. Notes called above it stay where the sizing pass put
    them, as WeasyPrint does: the row's fit is judged with them (giving all back made rows
    look shorter than they are, and WeasyPrint then lost the end of a broken item)."""
    from weasyprint.layout import block
    if getattr(block.block_level_layout, "ikidil_grid", False):
        return
    original_block, original_grid = block.block_level_layout, block.grid_layout
    grids = threading.local()

    def grid_layout(context, box, bottom_space, *args, **kwargs):
        stack = grids.__dict__.setdefault("stack", [])
        stack.append((box.content_box_y(), bottom_space))
        try:
            return original_grid(context, box, bottom_space, *args, **kwargs)
        finally:
            stack.pop()

    def sizing_keeps_notes_above_the_bottom(context, box, *args, **kwargs):
        # (every block layout comes here, block.py calling itself by this name: cheap tests first)
        stack = getattr(grids, "stack", None)
        if (not stack or kwargs.get("bottom_space", args[0] if args else None) != -math.inf
                or sys._getframe(1).f_globals.get("__name__") != "weasyprint.layout.grid"):
            return original_block(context, box, *args, **kwargs)
        laid = context.current_page_footnotes + context.reported_footnotes
        before = {id(note) for note in laid}
        result = original_block(context, box, *args, **kwargs)
        new = {id(n): n for n in context.current_page_footnotes + context.reported_footnotes if id(n) not in before}
        if new and result[0] is not None:
            # Given back, then taken again in the order of their calls while each call's
            # line ends above the page's bottom as the notes taken so far leave it: past
            # the first that does not, the row surely breaks (its end is lower still), so
            # WeasyPrint breaks it and places the rest with their lines on the next page.
            top, grid_bottom_space = stack[-1]
            calls = sorted((top + call.position_y + call.margin_height(), n, call.footnote)
                           for n, call in enumerate(_descendants(result[0]))
                           if id(getattr(call, "footnote", None)) in new)
            for note in new.values():
                context.unlayout_footnote(note)
            for call_bottom, _, note in calls:
                if call_bottom > context.page_bottom - max(grid_bottom_space, 0):
                    break
                if note in context.footnotes:
                    context.layout_footnote(note)
        return result
    sizing_keeps_notes_above_the_bottom.ikidil_grid = True
    block.block_level_layout = sizing_keeps_notes_above_the_bottom
    block.grid_layout = grid_layout


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def applied() -> bool:
    return _applied
