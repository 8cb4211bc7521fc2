"""Stage 2, check: alignment and translation QA.

Every rule is one small unit — a code, a severity, a one-line message — registered
in one table (RULES); `ikidil check` just runs the table. Block rules look at one
aligned pair of blocks; chapter rules at a whole chapter alignment."""

from __future__ import annotations

from .base import RULES, Finding, Rule, Severity, run_checks  # noqa: F401
from . import accept, alignment, code, content, glossary, length, meaning, staleness, translation  # noqa: F401  (importing registers the rules)
