"""The book's bibliography: CSL YAML/JSON read directly, BibLaTeX/BibTeX through Pandoc.
Loaded once so that unknown citation keys are caught at load time, with their line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import pandoc, yamlsafe
from .errors import BookError
from .textio import read_text


@dataclass(frozen=True)
class Bibliography:
    path: Path | None
    entries: dict[str, dict]

    def __contains__(self, key: str) -> bool:
        return key in self.entries


def load_bibliography(path: Path | None) -> Bibliography:
    if path is None:
        return Bibliography(None, {})
    if not path.is_file():
        raise BookError("bibliography file not found", file=path,
                        hint="fix 'bibliography' in book.yaml or create the file")
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        entries = _from_yaml(text, path)
    elif suffix == ".json":
        entries = _from_json(text, path)
    elif suffix in (".bib", ".bibtex"):
        fmt = "bibtex" if suffix == ".bibtex" else "biblatex"
        entries = _from_json(pandoc.convert(text, fmt, "csljson", path), path)
    else:
        raise BookError(f"unknown bibliography format '{suffix}'", file=path,
                        hint="use CSL YAML (.yaml), CSL JSON (.json) or BibLaTeX (.bib)")
    return Bibliography(path, entries)


def _from_yaml(text: str, path: Path) -> dict[str, dict]:
    # (within limits: Pandoc's citeproc expands every alias of this file again)
    data = yamlsafe.load(text, path, "bibliography YAML", "check indentation and quoting")
    refs = data.get("references") if isinstance(data, dict) else data
    return _index(refs, path)


def _from_json(text: str, path: Path) -> dict[str, dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BookError(f"malformed bibliography JSON: {exc.msg}", file=path, line=exc.lineno) from None
    return _index(data, path)


def _index(refs, path: Path) -> dict[str, dict]:
    if not isinstance(refs, list):
        raise BookError("bibliography must be a list of entries under 'references:'", file=path, line=1)
    entries: dict[str, dict] = {}
    for number, ref in enumerate(refs, 1):
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            raise BookError(f"entry {number} has no 'id'", file=path,
                            hint="every entry needs an id, the key used in [@id]")
        if ref["id"] in entries:
            raise BookError(f"duplicate entry id '{ref['id']}'", file=path)
        entries[ref["id"]] = ref
    return entries
