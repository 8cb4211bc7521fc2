"""Small helpers over Pandoc's JSON AST (https://hackage.haskell.org/package/pandoc-types).

Blocks and inlines are dicts {"t": type, "c": content}. These helpers walk them
generically, so new element types need no special cases here."""

from __future__ import annotations

from typing import Any, Callable, Iterator

Node = dict[str, Any]


def walk(value: Any) -> Iterator[Node]:
    """Every AST element inside `value` (depth first, parents before children)."""
    if isinstance(value, dict):
        if "t" in value:
            yield value
        for child in value.values():
            yield from walk(child)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


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
