"""Every YAML file of a book (book.yaml, the bibliography, the glossary, the lockfile) read
with the safe loader *and* within limits.

The safe loader runs no code, but YAML aliases still multiply: ten levels of `&a [*b, *b, …]`
are a few lines that expand to billions of nodes, and the bibliography is handed to Pandoc,
whose citeproc expands them all (6 GB after four minutes). Nesting thousands of levels deep
overflows the parser's recursion. So a file whose expanded tree is larger than MAX_NODES,
deeper than MAX_DEPTH or that refers to itself is refused, with its line."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import BookError

MAX_NODES = 2_000_000       # nodes once aliases are expanded (a 10,000-entry bibliography: ~300,000)
MAX_DEPTH = 100             # levels of nesting (a CSL entry has 4)


def load(text: str, path: Path, what: str, hint: str, loader=yaml.SafeLoader):
    """The document's data (None when empty)."""
    return load_with_node(text, path, what, hint, loader)[0]


def load_with_node(text: str, path: Path, what: str, hint: str, loader=yaml.SafeLoader):
    """(data, root node): the node keeps the line of each key."""
    try:
        instance = loader(text)
        try:
            node = instance.get_single_node()
            if node is not None:
                check_node(node, path)
            data = instance.construct_document(node) if node is not None else None
        finally:
            instance.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BookError(f"malformed {what}: {problem}", file=path, line=mark.line + 1 if mark else None,
                        hint=hint) from None
    except RecursionError:
        raise BookError(f"{what} is nested too deeply to read", file=path,
                        hint=f"at most {MAX_DEPTH} levels of nesting") from None
    return data, node


def compose(text: str, path: Path, what: str, hint: str, loader=yaml.SafeLoader):
    """The document's root node, checked (None when empty)."""
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BookError(f"malformed {what}: {getattr(exc, 'problem', None) or exc}", file=path,
                        line=mark.line + 1 if mark else None, hint=hint) from None
    except RecursionError:
        raise BookError(f"{what} is nested too deeply to read", file=path,
                        hint=f"at most {MAX_DEPTH} levels of nesting") from None
    if node is not None:
        check_node(node, path)
    return node


def check_node(root: yaml.Node, path: Path) -> None:
    """Refuse a tree too deep, too large once its aliases are expanded, or cyclic. One pass,
    without recursion: a node reached by many aliases is counted once per alias, from a memo."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        line = node.start_mark.line + 1
        if done:
            on_path.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > MAX_NODES:
                raise BookError(f"YAML expands to more than {MAX_NODES:,} values (aliases '*' repeated "
                                "inside aliases)", file=path, line=line,
                                hint="write the values out, or use fewer nested aliases")
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise BookError("YAML value contains itself (an alias '*' inside its own anchor '&')",
                            file=path, line=line, hint="remove the alias")
        if depth > MAX_DEPTH:
            raise BookError(f"YAML is nested more than {MAX_DEPTH} levels deep", file=path, line=line,
                            hint="flatten the structure")
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) in on_path:
                raise BookError("YAML value contains itself (an alias '*' inside its own anchor '&')",
                                file=path, line=child.start_mark.line + 1, hint="remove the alias")
            if id(child) not in size:
                stack.append((child, depth + 1, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []
