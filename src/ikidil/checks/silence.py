"""Rules switched off or re-graded, for a reason the book keeps.

Three ways, from the broadest: `ikidil check --ignore CODE` (this run only), book.yaml
`checks: {F003: off, L001: warning}` (committed with the book: the whole book), and a
finding accepted one by one with `ikidil accept` (accept.py). A rule switched off does
not run at all; a re-graded one runs and its findings take the new severity, so a
`warning` never stops a build and an `error` always does."""

from __future__ import annotations

import dataclasses
from typing import Iterable

from ..config import CONFIG_NAME, BookConfig
from ..errors import BookError
from .base import RULES, Finding, Severity


def known_code(code: str, where: str, config: BookConfig | None = None) -> str:
    """`code` if the rule table has it; otherwise a BookError naming where it was written."""
    if code in RULES:
        return code
    known = ", ".join(sorted(RULES))
    if config is not None:
        raise BookError(f"'checks' names an unknown rule '{code}'", file=config.root / CONFIG_NAME,
                        line=config.line_of("checks"), hint=f"known codes: {known}")
    raise BookError(f"{where}: unknown rule '{code}'", hint=f"known codes: {known}")


def enabled_codes(config: BookConfig, ignore: Iterable[str] = ()) -> set[str]:
    """The rules that run: those on by default, and opt-in ones (M001…) that `checks:`
    grades, less those switched off or ignored."""
    ignored = {known_code(code.strip().upper(), "--ignore") for code in ignore}
    graded = {known_code(code, "checks", config): setting for code, setting in config.checks.items()}
    on = {code for code, rule in RULES.items() if rule.default or graded.get(code) in ("warning", "error")}
    return on - ignored - {code for code, setting in graded.items() if setting == "off"}


def apply_settings(findings: list[Finding], config: BookConfig) -> list[Finding]:
    """Findings with the severities book.yaml gives their rules."""
    if not config.checks:
        return findings
    return [dataclasses.replace(f, severity=Severity(config.checks[f.code]))
            if config.checks.get(f.code) in ("warning", "error") else f for f in findings]
