"""EPUB tables that a phone can show (issue 19): each table in a wrapper that scrolls
sideways (epub.css `.table-wrap { overflow-x: auto }`), its cells breaking only between
words. A table wider than the screen is scrolled instead of broken letter by letter; a
narrow one keeps its own width, as before.

A region that scrolls must be reachable from the keyboard and named (axe's
scrollable-region-focusable; the pattern of a labelled, focusable region): the wrapper is
`role="region"` with `tabindex="0"`, named by the table's caption when it has one (given an
id for that), else "Tablo 3" / "Table 3", its place in the chapter, so no two regions of
a chapter share a name."""

from __future__ import annotations

from lxml import etree

from ..i18n import term

XHTML_NS = "http://www.w3.org/1999/xhtml"
NS = {"x": XHTML_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def wrap(root: etree._Element, prefix: str, default_lang: str) -> None:
    """Wrap every table of a chapter document (`prefix`: the chapter's id, for unique ids)."""
    for number, table in enumerate(root.iterfind(".//x:table", NS), start=1):
        parent = table.getparent()
        if "table-wrap" in (parent.get("class") or "").split():
            continue
        box = etree.Element(f"{{{XHTML_NS}}}div", {"class": "table-wrap", "role": "region",
                                                    "tabindex": "0"})
        caption = table.find("x:caption", NS)
        if caption is not None and "".join(caption.itertext()).strip():
            if not caption.get("id"):
                caption.set("id", f"{prefix}-table{number}-caption")
            box.set("aria-labelledby", caption.get("id"))
        else:
            box.set("aria-label", f"{term(_lang_of(table, default_lang), 'table')} {number}")
        box.tail, table.tail = table.tail, None
        parent.replace(table, box)
        box.append(table)


def _lang_of(element: etree._Element, default: str) -> str:
    for el in (element, *element.iterancestors()):
        lang = el.get("lang") or el.get(XML_LANG)
        if lang:
            return lang
    return default
