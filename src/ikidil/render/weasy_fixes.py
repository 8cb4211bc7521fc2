"""What ikidil adds to WeasyPrint before any layout: one call, `prepare()`, in every process
that lays out pages (the build's own and each parallel layout worker).

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
   and pdf.render_keeping_notes still repairs whatever the layout guards find."""

from __future__ import annotations

import inspect
import logging

from .. import hyphenation

log = logging.getLogger("ikidil")

_REPORT_LINE = "report = not context.in_column and can_break_now and not could_break_before"
_POLICY_AWARE = (_REPORT_LINE + " and all(\n"
                 "                note.style['footnote_policy'] == 'auto'\n"
                 "                for note in context.current_page_footnotes)")
_applied = False


class FixNotApplied(RuntimeError):
    """WeasyPrint's code is not the one the fix was written for."""


def prepare() -> None:
    """Idempotent; call before laying out pages in this process."""
    hyphenation.register()
    footnote_policy_fix()


def footnote_policy_fix() -> None:
    global _applied
    if _applied:
        return
    from weasyprint.layout import block
    source = inspect.getsource(block._linebox_layout)
    if source.count(_REPORT_LINE) != 1:
        raise FixNotApplied("WeasyPrint's _linebox_layout changed: review render/weasy_fixes.py "
                            "against the installed WeasyPrint")
    namespace: dict = {}
    exec(compile(source.replace(_REPORT_LINE, _POLICY_AWARE), block.__file__, "exec"),
         block.__dict__, namespace)
    block._linebox_layout = namespace["_linebox_layout"]
    _applied = True


def applied() -> bool:
    return _applied
