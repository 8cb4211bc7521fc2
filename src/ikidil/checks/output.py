"""How findings look on a terminal: `file:line ↔ file:line: severity CODE: message`,
coloured by rich when the output is a terminal (plain text otherwise, or with NO_COLOR)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from .base import Finding, Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}


def finding_text(f: Finding) -> Text:
    text = Text()
    text.append(f.location(), style="cyan")
    text.append(": ")
    text.append(f"{f.severity.value} {f.code}", style=_STYLE[f.severity])
    text.append(f": {f.message}")
    return text


def print_findings(findings: list[Finding], console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    for f in findings:
        console.print(finding_text(f))
