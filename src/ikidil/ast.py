"""Small helpers over Pandoc's JSON AST (https://hackage.haskell.org/package/pandoc-types).

Blocks and inlines are dicts {"t": type, "c": content}. These helpers walk them
generically, so new element types need no special cases here."""

from __future__ import annotations

import sys
from typing import Any, Callable, Iterator

Node = dict[str, Any]


def walk(value: Any) -> Iterator[Node]:
    """Every AST element inside `value` (depth first, parents before children)."""
    if isinstance(value, (dict, list)):
        yield from _walk(value)


def _walk(value) -> Iterator[Node]:
    # The hottest loop of ikidil: plain JSON containers only (what json.loads and the
    # AST helpers make), and no call for the strings and numbers that fill the leaves.
    if type(value) is dict:
        if "t" in value:
            yield value
        for child in value.values():
            if type(child) is dict or type(child) is list:
                yield from _walk(child)
    else:
        for item in value:
            if type(item) is dict or type(item) is list:
                yield from _walk(item)


# The elements without content: one shared object each serves every place they occur.
_SHARED_LEAVES = {kind: {"t": kind} for kind in ("Space", "SoftBreak", "LineBreak")}


def compact(value: Any) -> Any:
    """`value` (a freshly decoded AST), in place, in about half the memory: every Space,
    SoftBreak and LineBreak becomes one shared object, and element type names are interned
    (a 700-page language is ~250 000 Spaces; json.loads makes a dict and a string for each).
    Safe because nothing in ikidil changes an element in place but top-level blocks."""
    if type(value) is list:
        for index, item in enumerate(value):
            if type(item) is dict:
                kind = item.get("t")
                if kind is not None:
                    if len(item) == 1 and kind in _SHARED_LEAVES:
                        value[index] = _SHARED_LEAVES[kind]
                        continue
                    item["t"] = sys.intern(kind)
                for child in item.values():
                    if type(child) is list or type(child) is dict:
                        compact(child)
            elif type(item) is list:
                compact(item)
    elif type(value) is dict:
        for child in value.values():
            if type(child) is list or type(child) is dict:
                compact(child)
    return value


def join_words(value: Any) -> Any:
    """`value` with each run of Str and Space elements made one Str ("a", " ", "b" → "a b"),
    for Pandoc's HTML and EPUB writers only: their output is the same text (they break lines
    at a Space, so a paragraph is one line instead of several: the same after whitespace
    collapsing) and their time goes by the element: a book's EPUB is written in a third of
    the time. Not for citeproc, which reads a citation's suffix element by element. A new
    tree: `value` (shared with the loaded book) is left as it is."""
    if type(value) is dict:
        out = {}
        for key, child in value.items():
            out[key] = join_words(child) if type(child) is list or type(child) is dict else child
        return out
    if type(value) is not list:
        return value
    out, words = [], None
    for item in value:
        kind = item.get("t") if type(item) is dict else None
        if kind == "Str" or kind == "Space":
            text = item["c"] if kind == "Str" else " "
            words = text if words is None else words + text
            continue
        if words is not None:
            out.append({"t": "Str", "c": words})
            words = None
        out.append(join_words(item) if type(item) is dict or type(item) is list else item)
    if words is not None:
        out.append({"t": "Str", "c": words})
    return out


def transform(value: Any, fn: Callable[[Node], Any]) -> Any:
    """Rebuild `value` bottom-up; `fn` may return a replacement node, a list of nodes
    (spliced into the parent list) or None (keep the node)."""
    if isinstance(value, list):
        out: list = []
        for item in value:
            new = transform(item, fn)
            if isinstance(item, dict) and "t" in item and isinstance(new, list):
                out.extend(new)
            else:
                out.append(new)
        return out
    if isinstance(value, dict):
        rebuilt = {k: transform(v, fn) for k, v in value.items()}
        if "t" in rebuilt:
            replaced = fn(rebuilt)
            return rebuilt if replaced is None else replaced
        return rebuilt
    return value


# Elements whose content holds no AST element a pass could look for (Math's holds its
# MathType, so it is not among them): fast walks step over them.
LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "Code", "RawInline",
                    "CodeBlock", "RawBlock", "HorizontalRule"})


def rewrite(value: Any, types: set[str] | frozenset[str], fn: Callable[[Node], Any],
            pre: bool = False) -> Any:
    """`transform(value, fn)` for an `fn` that acts only on elements whose "t" is in `types`,
    without rebuilding the whole tree: only the elements and lists on the way to a replaced
    element are new; every other subtree is shared with `value`, and never visited below
    its LEAVES. The result is JSON-equal to transform's in a fraction of the time. Since
    the trees share nodes, nothing may change either in place afterwards.

    `fn` must not change its argument: it returns a replacement (an element, or a list of
    elements spliced into the parent list) or None to keep it. Elements are seen after
    their children (as with transform) or, with `pre`, before them (as a loop over `walk`
    that edits in place sees them); then `fn` must return an element or None, and the
    children of what it returns are rewritten in turn."""
    skip = LEAVES - set(types)
    if isinstance(value, list):
        return _rewrite_list(value, types, fn, pre, skip)
    if isinstance(value, dict):
        return _rewrite_dict(value, types, fn, pre, skip)
    return value


def _rewrite_list(value: list, types, fn, pre, skip) -> list:
    # Most items are leaves (Str, Space): one comprehension steps over them.
    todo = [i for i, item in enumerate(value) if not (type(item) is dict and item.get("t") in skip)]
    out = None                                  # a new list once anything changed
    done = 0                                    # value[:done] is in out
    for index in todo:
        item = value[index]
        if isinstance(item, dict):
            new = _rewrite_dict(item, types, fn, pre, skip)
            splice = isinstance(new, list) and "t" in item
        elif isinstance(item, list):
            new, splice = _rewrite_list(item, types, fn, pre, skip), False
        else:
            continue
        if new is item:
            continue
        if out is None:
            out = value[:index]
        else:
            out.extend(value[done:index])
        if splice:
            out.extend(new)
        else:
            out.append(new)
        done = index + 1
    if out is None:
        return value
    out.extend(value[done:])
    return out


def _rewrite_dict(node: dict, types, fn, pre, skip) -> Any:
    if pre and node.get("t") in types:
        node = fn(node) or node
    rebuilt = node
    if node.get("t") not in skip:
        for key, child in node.items():
            if isinstance(child, list):
                new = _rewrite_list(child, types, fn, pre, skip)
            elif isinstance(child, dict):
                new = _rewrite_dict(child, types, fn, pre, skip)
            else:
                continue
            if new is not child:
                if rebuilt is node:
                    rebuilt = dict(node)
                rebuilt[key] = new
    if not pre and rebuilt.get("t") in types:
        replaced = fn(rebuilt)
        if replaced is not None:
            return replaced
    return rebuilt


_QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}


def stringify(value: Any, skip: tuple[str, ...] = ("Note", "Cite")) -> str:
    """Plain text of a block or inline list; notes and citations are left out by default."""
    parts: list[str] = []

    def visit(v: Any) -> None:
        if isinstance(v, list):
            for item in v:
                visit(item)
            return
        if not isinstance(v, dict) or "t" not in v:
            return
        t, c = v["t"], v.get("c")
        if t in skip:
            return
        if t == "Str":
            parts.append(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif t == "Quoted":
            open_, close = _QUOTES[c[0]["t"]]
            parts.append(open_)
            visit(c[1])
            parts.append(close)
        elif t in ("Code", "Math", "RawInline"):
            parts.append(c[-1])
        elif t in ("Para", "Plain", "Header", "BlockQuote", "Div") or isinstance(c, list):
            before = len(parts)
            visit(c)
            if t in ("Para", "Plain", "Header", "CodeBlock") and len(parts) > before:
                parts.append(" ")

    visit(value)
    return " ".join("".join(parts).split())


def attr(identifier: str = "", classes: list[str] | None = None,
         attributes: list[list[str]] | None = None) -> list:
    return [identifier, classes or [], attributes or []]


def span(inlines: list, classes: list[str], identifier: str = "", attributes=None) -> Node:
    return {"t": "Span", "c": [attr(identifier, classes, attributes), inlines]}


def div(blocks: list, classes: list[str], identifier: str = "", attributes=None) -> Node:
    return {"t": "Div", "c": [attr(identifier, classes, attributes), blocks]}


def text_inlines(text: str) -> list[Node]:
    out: list[Node] = []
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def meta_string(text: str) -> Node:
    return {"t": "MetaString", "c": text}


def meta_inlines(text: str) -> Node:
    return {"t": "MetaInlines", "c": text_inlines(text)}
