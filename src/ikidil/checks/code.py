"""Code is not prose: a code block's translation must be the same code.

A translator may translate a code block's comments and the text of its string literals
(`print("Hello")` → `print("Merhaba")`), nothing else: a changed identifier, keyword,
number or operator is an error. Both blocks are reduced to their code tokens — comments
dropped, each string literal one placeholder, spacing ignored — and compared.

Comment syntax follows the block's language class (```python, ```rust…). A block with
no known class is accepted when it matches under any common comment syntax: wrongly
reading `#include` as a comment could only hide a difference, never invent one.
Blocks marked as text or output (```text, ```console output) are prose a translator
may translate, and are not compared."""

from __future__ import annotations

import re

from .base import Severity, block_rule

_HASH = (r"#[^\n]*",)
_SLASH = (r"//[^\n]*", r"/\*.*?\*/")
_DASH = (r"--[^\n]*",)
_MARKUP = (r"<!--.*?-->",)
_SEMI = (r";[^\n]*",)
_PERCENT = (r"%[^\n]*",)

# Language class → its comment syntaxes. Data: add a language by adding a line.
COMMENTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys("python py sh bash shell zsh console shell-session ruby rb perl r yaml yml toml "
                    "make makefile dockerfile ini conf nix elixir julia powershell ps1 cmake".split(), _HASH),
    **dict.fromkeys("c cpp c++ h hpp cs csharp java javascript js jsx typescript ts tsx go rust rs swift "
                    "kotlin kt scala dart css scss less json5 jsonc groovy php zig".split(), _SLASH),
    **dict.fromkeys("sql lua haskell hs elm ada".split(), _DASH),
    **dict.fromkeys("html xml svg xhtml markdown md vue".split(), _MARKUP),
    **dict.fromkeys("lisp scheme clojure clj asm nasm".split(), _SEMI),
    **dict.fromkeys("tex latex matlab erlang prolog".split(), _PERCENT),
    "json": (),
}
# Classes whose content is text for people: translated like prose.
TEXT_CLASSES = frozenset("text txt plain plaintext output none prose".split())

_STRING = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                     r"|`(?:[^`\\\n]|\\.)*`")
_TOKEN = re.compile(r'"…"|\w+|[^\w\s]')


def tokens(code: str, comments: tuple[str, ...]) -> list[str]:
    """The code's tokens without comments, string literals as one placeholder each.
    Comments and strings are read in one scan, left to right, so a `#` inside a string
    is no comment and a quote inside a comment opens no string."""
    pattern = re.compile("|".join((*comments, _STRING.pattern)), re.DOTALL) if comments else _STRING
    kept = pattern.sub(lambda m: ' "…" ' if m.group()[:1] in "\"'`" else " ", code)
    return _TOKEN.findall(kept)


def _syntaxes(classes: list[str]) -> list[tuple[str, ...]]:
    for cls in classes:
        name = cls.lower().removeprefix("language-")
        if name in COMMENTS:
            return [COMMENTS[name]]
    return [(), _HASH, _SLASH, _DASH, _MARKUP]


def difference(source: str, target: str, classes: list[str]) -> str | None:
    """None when the two blocks are the same code; otherwise where they first differ."""
    if source == target:
        return None
    best = None
    for comments in _syntaxes(classes):
        s, t = tokens(source, comments), tokens(target, comments)
        if s == t:
            return None
        if best is None:
            best = (s, t)
    s, t = best
    i = next((k for k, (a, b) in enumerate(zip(s, t)) if a != b), min(len(s), len(t)))
    def show(seq):
        return " ".join(seq[max(0, i - 3):i + 4]) or "(end)"
    return f"`{show(s)}` ↔ `{show(t)}`"


@block_rule("K001", Severity.ERROR, "code differs from the source's")
def code_block(pair, ctx):
    if pair.source.kind != "CodeBlock" or pair.target.kind != "CodeBlock":
        return
    (_, s_classes, _), s_code = pair.source.node["c"]
    (_, t_classes, _), t_code = pair.target.node["c"]
    classes = s_classes or t_classes
    if any(c.lower() in TEXT_CLASSES for c in classes):
        return
    where = difference(s_code, t_code, classes)
    if where:
        yield (f"the code block's code differs from the source's ({where}): keep the code as it is; "
               "translate only its comments and strings")
