"""Break opportunities inside URLs and long code tokens, in the PDF and the EPUB (issue 19).

A URL or a path has no space to break at: a justified line before one that does not fit
stretches its spaces wide open, and `overflow-wrap: anywhere` only breaks it once it
cannot fit a line of its own. A `<wbr>` after `/ . - _ ? & =` (and `:` `@`, so that
`mailto:yazar@example.org` breaks too) gives the line breaker the places a reader
expects (`https://example.org/` | `kitap/yol`). It is an element, not a
character: the PDF's text (what pdftotext or a copy gives) stays the URL itself, where a
zero-width space would be copied into it. A run of such characters is one place
(`https://` breaks after both slashes), and no line starts with a piece of one letter
(`?x=1&y=2` stays whole). A URL link is also marked class "uri" (fit.css,
epub.css: never hyphenated, a hyphen would read as part of the address).

Looked at: link text that is itself a URL (Pandoc's autolinks, class "uri", or any link
whose text has a scheme or starts with www.), inline code (not code blocks, which wrap in
their box) whose tokens are LONG_TOKEN characters or more, and a URL written as plain text
(`https://…`, `www.…`: Pandoc links only those in <…>)."""

from __future__ import annotations

import re

LONG_TOKEN = 12          # shorter code tokens (`a.b.c`, `return`) are left whole
BREAK_AFTER = re.compile(r"([/.\-_?&=:@]+)(?=\w\w)")
URL_TEXT = re.compile(r"^\s*([a-z][a-z0-9+.-]*:\S|www\.)", re.IGNORECASE)
BARE_URL = re.compile(r"^\W?([a-z][a-z0-9+.-]*://|www\.)\w", re.IGNORECASE)
NOT_PROSE = ("a", "code", "pre", "script", "style", "wbr")


def insert(root, ns: str = "") -> None:
    """Add <wbr> to the URL-like links and long inline code under `root` (an lxml.html
    tree; or, with `ns` "{http://www.w3.org/1999/xhtml}", an EPUB's XHTML)."""
    for a in list(root.iter(ns + "a")):
        text = "".join(a.itertext())
        classes = (a.get("class") or "").split()
        if "uri" in classes or URL_TEXT.match(text):
            if "uri" not in classes:
                a.set("class", " ".join(classes + ["uri"]))
            _break_text(a, lambda token: True, ns, deep=True)
    long_token = lambda token: len(token) >= LONG_TOKEN
    for code in list(root.iter(ns + "code")):
        if not any(parent.tag == ns + "pre" for parent in code.iterancestors()):
            _break_text(code, long_token, ns, deep=True)
    # the prose: every element but links, code and what they hold (a stack, not recursion:
    # a hostile document may nest deeper than Python recurses)
    skip = {ns + tag for tag in NOT_PROSE}
    stack = [root]
    while stack:
        element = stack.pop()
        own = ((element.text or "") + "".join(child.tail or "" for child in element)).lower()
        if "://" in own or "www." in own:
            _break_text(element, BARE_URL.match, ns, deep=False)
        stack.extend(child for child in element if isinstance(child.tag, str) and child.tag not in skip)


def _break_text(element, accept, ns: str, deep: bool) -> None:
    """Each text piece of `element`, its text and its children's tails (`deep`: and its
    children's own, recursively), cut where `accept`ed tokens may break."""
    from lxml import etree
    pieces = _pieces(element.text or "", accept)
    if len(pieces) > 1:
        element.text = pieces[0]
        for position, piece in enumerate(pieces[1:]):
            wbr = etree.Element(ns + "wbr")
            wbr.tail = piece
            element.insert(position, wbr)
    for child in list(element):
        if not isinstance(child.tag, str) or child.tag == ns + "wbr":
            continue
        if deep:
            _break_text(child, accept, ns, deep)
        pieces = _pieces(child.tail or "", accept)
        if len(pieces) > 1:
            child.tail = pieces[0]
            at = element.index(child) + 1
            for offset, piece in enumerate(pieces[1:]):
                wbr = etree.Element(ns + "wbr")
                wbr.tail = piece
                element.insert(at + offset, wbr)


def _pieces(text: str, accept) -> list[str]:
    """`text` cut after each run of break characters inside the tokens `accept` takes
    (whitespace kept where it was): the pieces between which a <wbr> goes."""
    out, current = [], ""
    for token in re.split(r"(\s+)", text):
        if token and not token.isspace() and accept(token):
            parts = BREAK_AFTER.split(token)
            # split() with a group: [word, separators, word, separators, …, word]
            for index in range(0, len(parts) - 1, 2):
                current += parts[index] + parts[index + 1]
                out.append(current)
                current = ""
            current += parts[-1]
        else:
            current += token
    out.append(current)
    return out
