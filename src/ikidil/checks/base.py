"""The rule registry and the findings it produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable

from ..align import BlockPair, ChapterAlignment, align_chapter
from ..errors import display_path
from ..load import Book
from .reading import read_view


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    file: Path | None = None
    line: int | None = None
    other_file: Path | None = None     # the other language's file, when there is one
    other_line: int | None = None
    chapter: str | None = None
    block: int | None = None           # index of the source block
    accepted: str | None = None        # the reason, when the translator accepted it (accept.py)

    def location(self) -> str:
        if self.file is None:
            return "-"
        where = display_path(self.file) + (f":{self.line}" if self.line else "")
        if self.other_file is not None:
            where += " ↔ " + display_path(self.other_file) + (f":{self.other_line}" if self.other_line else "")
        return where

    def as_record(self) -> dict:
        """Everything, paths absolute: for the build cache (as_dict is for people)."""
        record = {name: getattr(self, name) for name in self.__dataclass_fields__}
        record["severity"] = self.severity.value
        for name in ("file", "other_file"):
            record[name] = str(record[name]) if record[name] is not None else None
        return record

    @classmethod
    def from_record(cls, record: dict) -> "Finding":
        fields = {**record, "severity": Severity(record["severity"])}
        for name in ("file", "other_file"):
            fields[name] = Path(fields[name]) if fields[name] else None
        return cls(**fields)

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity.value, "message": self.message,
                "file": display_path(self.file) if self.file else None, "line": self.line,
                "other_file": display_path(self.other_file) if self.other_file else None,
                "other_line": self.other_line, "chapter": self.chapter, "block": self.block,
                **({"accepted": self.accepted} if self.accepted is not None else {})}


@dataclass
class Context:
    """What rules may consult besides the pair itself."""
    book: Book
    lang: str                          # the translation's language
    alignment: ChapterAlignment
    shared: dict[str, Any] = field(default_factory=dict)   # per-run cache, shared by every chapter

    @property
    def source_lang(self) -> str:
        return self.book.config.language

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute once per check run what several rules or chapters need (glossary, lockfile)."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    def policy_severity(self, gap: str) -> Severity:
        """Severity of a translation gap ("stale" or "missing") under the book.yaml policy:
        only `error` stops a build; `warn` and `mark` build anyway."""
        return Severity.ERROR if self.book.config.policy[gap] == "error" else Severity.WARNING


@dataclass(frozen=True)
class BlockView:
    """What rules read of a block, computed once per run (a book may have tens of
    thousands of blocks and a dozen rules reading each)."""
    text: str
    notes: tuple[str, ...]             # the text of each note, in order
    citations: tuple                   # load.Citation, in order
    prose: str                         # the text without code, math, raw markup and URLs
    note_prose: tuple[str, ...]
    verbatim: tuple[str, ...]          # the text of its code, math and raw elements


def view(block, ctx: Context) -> BlockView:
    views = ctx.shared.setdefault("views", {})
    found = views.get(id(block))
    if found is None or found[0] is not block:
        found = views[id(block)] = (block, BlockView(*read_view(block.node)))
    return found[1]


def units(pair: BlockPair, ctx: Context) -> list[tuple[str, str, str]]:
    """(where, source prose, translation prose) for a pair: the block's own prose, then
    each note paired by order (when both sides have the same number of notes). Prose:
    code, math, raw markup and URLs are not read for numbers, names or terms."""
    s, t = view(pair.source, ctx), view(pair.target, ctx)
    out = [("block", s.prose, t.prose)]
    if len(s.note_prose) == len(t.note_prose):
        out.extend((f"note {i}", sn, tn) for i, (sn, tn) in enumerate(zip(s.note_prose, t.note_prose), 1))
    return out


BlockCheck = Callable[[BlockPair, Context], Iterable[str]]
ChapterCheck = Callable[[Context], Iterable[Finding]]


# A book rule measures each pair (fn(pair, ctx) → numbers, or None) and judges all of a
# translation's measures at once (fn(measures) → a message or None for each): the length
# rule compares a pair with the book's own median. Measures are cached with each chapter's
# findings, so an edit still re-reads only the chapter it touches.
Measure = Callable[[BlockPair, Context], "tuple[float, ...] | None"]
Judge = Callable[[list, Context], "list[str | None]"]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    block_check: BlockCheck | None = None
    chapter_check: ChapterCheck | None = None
    measure: Measure | None = None
    judge: Judge | None = None
    default: bool = True               # False: opt-in, run only when book.yaml `checks:` grades it


RULES: dict[str, Rule] = {}


def block_rule(code: str, severity: Severity, title: str, default: bool = True):
    """Register fn(pair, ctx) → messages, run on every aligned pair of blocks (an opt-in
    rule, `default=False`, only when book.yaml's `checks:` gives it a severity)."""
    def register(fn: BlockCheck) -> BlockCheck:
        RULES[code] = Rule(code, severity, title, block_check=fn, default=default)
        return fn
    return register


def chapter_rule(code: str, severity: Severity, title: str):
    """Register fn(ctx) → findings, run once per chapter alignment."""
    def register(fn: ChapterCheck) -> ChapterCheck:
        RULES[code] = Rule(code, severity, title, chapter_check=fn)
        return fn
    return register


def book_rule(code: str, severity: Severity, title: str, measure: Measure):
    """Register `measure` and fn(measures, ctx) → a message (or None) per measure."""
    def register(fn: Judge) -> Judge:
        RULES[code] = Rule(code, severity, title, measure=measure, judge=fn)
        return fn
    return register


def pair_finding(rule: Rule, message: str, pair: BlockPair, ctx: Context) -> Finding:
    """A finding located at the translation block, pointing back to its source block."""
    src, tgt = pair.source, pair.target
    target_file = ctx.alignment.target.path if ctx.alignment.target else None
    return Finding(rule.code, rule.severity, message,
                   file=target_file if tgt else ctx.alignment.source.path,
                   line=tgt.line if tgt else (src.line if src else None),
                   other_file=ctx.alignment.source.path if tgt else None,
                   other_line=src.line if (tgt and src) else None,
                   chapter=ctx.alignment.name, block=src.index if src else None)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR and f.accepted is None]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING and f.accepted is None]

    @property
    def accepted(self) -> list[Finding]:
        return [f for f in self.findings if f.accepted is not None]


def run_checks(book: Book, only: Iterable[str] | None = None, ignore: Iterable[str] = (),
               acceptances: bool = True) -> Report:
    """Run the rule table over every chapter of every translation. A chapter's findings
    are cached by what they depend on (both chapter texts, the configuration, lockfile,
    glossary and ikidil's code), so an edit re-checks only the chapter it touches.

    Rules switched `off` in book.yaml's `checks:` or named in `ignore` do not run; the
    others' severities follow `checks:`; findings the translator accepted
    (translations/<lang>/ikidil-accepted.yaml) are marked accepted (see accept.py)."""
    from ..cache import Cache
    from .silence import apply_settings, enabled_codes
    codes = enabled_codes(book.config, ignore)
    rules = [r for code, r in sorted(RULES.items()) if (only is None or code in only) and code in codes]
    cache = Cache(book.root)
    report = Report()
    for lang in book.config.translations:
        shared: dict[str, Any] = {}
        context_key = _context_key(book, lang, [r.code for r in rules])
        chapters: list[list[Finding]] = []
        measures: dict[str, list] = {r.code: [] for r in rules if r.measure}
        for source in book.chapters[book.config.language]:
            target = book.chapter(lang, source.name)
            key = _chapter_key(context_key, source, target)
            cached = cache.get_json("checks", key)
            if cached is None:
                cached = _check_chapter(rules, Context(book, lang, align_chapter(source, target), shared))
                cache.put_json("checks", key, cached)
            found = [Finding.from_record(r) for r in cached["findings"]]
            for code, items in cached["measures"].items():
                measures[code].extend((values, record, found) for values, record in items)
            chapters.append(found)
        for rule in rules:
            if rule.judge and measures[rule.code]:
                items = measures[rule.code]
                messages = rule.judge([values for values, _, _ in items], Context(book, lang, None, shared))
                for (_, record, found), message in zip(items, messages):
                    if message:
                        found.append(Finding.from_record({**record, "message": message}))
        for found in chapters:
            # Within a chapter, findings read in the order of the text (each rule's own
            # findings in the order it made them: the sort is stable).
            found.sort(key=lambda f: (f.line or 0, f.code))
            report.findings.extend(apply_settings(found, book.config))
        if acceptances:
            from .accept import apply_acceptances
            report.findings = apply_acceptances(report.findings, book, lang, report_stale="X001" in codes)
    return report


def _check_chapter(rules: list[Rule], ctx: Context) -> dict:
    """A chapter's findings and measures, as cache records."""
    found: list[Finding] = []
    measures: dict[str, list] = {r.code: [] for r in rules if r.measure}
    for rule in rules:
        if rule.chapter_check:
            found.extend(rule.chapter_check(ctx))
    block_rules = [rule for rule in rules if rule.block_check]
    measured = [rule for rule in rules if rule.measure]
    if ctx.alignment.target is not None:
        # Pair by pair, every rule in turn: the rules read the same words of the
        # same two blocks, which the text caches (facts.py) then still hold.
        for pair in ctx.alignment.aligned:
            for rule in block_rules:
                for message in rule.block_check(pair, ctx):
                    found.append(pair_finding(rule, message, pair, ctx))
            for rule in measured:
                values = rule.measure(pair, ctx)
                if values is not None:
                    measures[rule.code].append((list(values), pair_finding(rule, "", pair, ctx).as_record()))
    return {"findings": [f.as_record() for f in found], "measures": measures}


def _context_key(book: Book, lang: str, codes: list[str]) -> str:
    """What every chapter's findings depend on besides the two chapter texts."""
    from ..cache import digest, tool_versions
    from ..lock import lock_path
    cfg = book.config
    files = [lock_path(cfg.manuscript_dir(lang)), cfg.glossary or cfg.root / "glossary.yaml"]
    contents = [path.read_bytes() if path.is_file() else b"-" for path in files]
    return digest(tool_versions(), repr(cfg), lang, ",".join(codes), *contents)


def _chapter_key(context_key: str, source, target) -> str:
    from ..cache import digest
    return digest(context_key, str(source.path), source.source,
                  str(target.path) if target else "-", target.source if target else "-")
