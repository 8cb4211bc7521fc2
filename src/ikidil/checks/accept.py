"""Findings a translator accepted, one by one, each for a reason.

`translations/<lang>/ikidil-accepted.yaml`, committed with the book and written by
`ikidil accept`, lists accepted findings:

    - chapter: 01-giris.md
      block: 3f2a9c0d1e4b5a67     # hash of the source block and its translation
      code: F003
      reason: the product name stays in English

An entry matches a finding of its code on the block pair whose hash it holds. The hash
covers both blocks (as the lockfile reads them: re-wrapping changes nothing), so when
either is edited the acceptance no longer matches: the finding is shown again, and the
stale entry is reported (X001) so that it can be removed. Chapter-wide findings (a
missing chapter, a missing heading) have `block: chapter`."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import yaml

from ..errors import BookError, display_path
from ..load import Book, Chapter
from ..lock import block_hash
from ..outputs import write_bytes_atomic
from ..textio import read_text
from .base import Finding, Severity, chapter_rule

ACCEPTED_NAME = "ikidil-accepted.yaml"
CHAPTER_WIDE = "chapter"


def accepted_path(book: Book, lang: str) -> Path:
    return book.config.manuscript_dir(lang) / ACCEPTED_NAME


@dataclasses.dataclass(frozen=True)
class Acceptance:
    chapter: str
    block: str
    code: str
    reason: str
    line: int            # of the entry in the file


def load_acceptances(path: Path) -> list[Acceptance]:
    if not path.is_file():
        return []
    try:
        node = yaml.compose(read_text(path), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BookError(f"malformed YAML: {getattr(exc, 'problem', None) or exc}", file=path,
                        line=mark.line + 1 if mark else None, hint="write it with: ikidil accept") from None
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise BookError("must be a list of accepted findings", file=path, line=node.start_mark.line + 1,
                        hint="each `- {chapter: …, block: …, code: …, reason: …}`; write it with: ikidil accept")
    out = []
    for item in node.value:
        line = item.start_mark.line + 1
        fields = {k.value: v.value for k, v in item.value if isinstance(v, yaml.ScalarNode)} \
            if isinstance(item, yaml.MappingNode) else {}
        missing = [k for k in ("chapter", "block", "code", "reason") if not str(fields.get(k, "")).strip()]
        if missing:
            raise BookError(f"accepted finding without {', '.join(missing)}", file=path, line=line,
                            hint="each entry needs chapter, block, code and a reason")
        out.append(Acceptance(fields["chapter"], fields["block"], fields["code"], fields["reason"], line))
    return out


def finding_key(finding: Finding, book: Book, lang: str) -> tuple[str, str, str] | None:
    """(chapter, block hash, code) of a finding; None for one that names no chapter."""
    if finding.chapter is None:
        return None
    source = book.chapter(book.config.language, finding.chapter)
    target = book.chapter(lang, finding.chapter)
    if finding.block is None or source is None or finding.block >= len(source.blocks):
        return finding.chapter, CHAPTER_WIDE, finding.code
    src = source.blocks[finding.block]
    tgt = _block_at(target, finding.line) if target is not None and finding.file == target.path else None
    pair = block_hash(src) + "\0" + (block_hash(tgt) if tgt is not None else "-")
    return finding.chapter, hashlib.sha256(pair.encode()).hexdigest()[:16], finding.code


def _block_at(chapter: Chapter, line: int | None) -> object | None:
    return next((b for b in chapter.blocks if b.line == line), None)


def apply_acceptances(findings: list[Finding], book: Book, lang: str, report_stale: bool = True) -> list[Finding]:
    """Findings of `lang` that an entry matches are marked accepted (with its reason);
    an entry that matches none is reported (X001), so stale acceptances do not pile up."""
    path = accepted_path(book, lang)
    entries = load_acceptances(path)
    if not entries:
        return findings
    by_key = {(e.chapter, e.block, e.code): e for e in entries}
    used: set[tuple] = set()
    out = []
    translation = book.config.manuscript_dir(lang)
    for f in findings:
        key = finding_key(f, book, lang) if f.file is not None and f.file.is_relative_to(translation) else None
        entry = by_key.get(key) if key else None
        if entry is not None:
            used.add(key)
            f = dataclasses.replace(f, accepted=entry.reason)
        out.append(f)
    if report_stale:
        for key, entry in by_key.items():
            if key not in used:
                out.append(Finding("X001", Severity.WARNING,
                                   f"accepted {entry.code} on {entry.chapter} (block {entry.block}) matches no "
                                   "finding any more: the text changed or the slip was fixed; remove the entry",
                                   file=path, line=entry.line, chapter=entry.chapter))
    return out


# Registered so that it has a code, a title and a place in the README's table; its
# findings are made by apply_acceptances, after the rules have run.
@chapter_rule("X001", Severity.WARNING, "accepted finding matches nothing")
def _stale_acceptance(ctx):
    return ()


def accept(book: Book, findings: list[Finding], location: str, code: str, reason: str) -> tuple[Path, int]:
    """Record the finding `code` at `location` (file:line, either side, as `ikidil check`
    prints it) as accepted for `reason`. Returns the file written and how many findings
    the entry covers."""
    if not reason.strip():
        raise BookError("an acceptance needs a reason", hint='ikidil accept FILE:LINE CODE --reason "why"')
    file, _, line = location.rpartition(":")
    if not file or not line.isdigit():
        raise BookError(f"'{location}' is not FILE:LINE", hint="copy the location from ikidil check's output")
    where, line_no = Path(file).resolve(), int(line)

    def at(f: Finding) -> bool:
        return f.code == code and ((f.file is not None and f.file.resolve() == where and f.line == line_no)
                                   or (f.other_file is not None and f.other_file.resolve() == where
                                       and f.other_line == line_no))
    for lang in book.config.translations:
        matches = [f for f in findings if at(f) and f.file is not None
                   and f.file.is_relative_to(book.config.manuscript_dir(lang))]
        if not matches:
            continue
        keys = {finding_key(f, book, lang) for f in matches} - {None}
        path = accepted_path(book, lang)
        entries = load_acceptances(path)
        have = {(e.chapter, e.block, e.code) for e in entries}
        new = [k for k in sorted(keys) if k not in have]
        if new:
            text = read_text(path) if path.is_file() else _HEADER
            if text and not text.endswith("\n"):
                text += "\n"
            text += yaml.safe_dump([{"chapter": c, "block": b, "code": k, "reason": reason.strip()}
                                    for c, b, k in new], allow_unicode=True, sort_keys=False, width=100)
            write_bytes_atomic(path, text.encode("utf-8"))
        return path, len(matches)
    shown = display_path(where) + f":{line_no}"
    raise BookError(f"no {code} finding at {shown}", hint="run ikidil check and copy a finding's location and code")


_HEADER = ("# Findings accepted by the translator, each for a reason (written by `ikidil accept`).\n"
           "# An entry no longer matching anything is reported as X001: then remove it.\n")
