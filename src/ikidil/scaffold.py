"""`ikidil new DIR`: a small, complete book that builds at once — the shortest path from
nothing to an EPUB and a PDF, and a working example of every convention ikidil expects
(a heading per chapter, a footnote, a citation, the translation block for block)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from .errors import BookError

BOOK_YAML = """\
# ikidil book configuration. Every key is documented in ikidil's README ("book.yaml").
title:
  tr: {title_tr}
  en: {title_en}
language: tr
translations: [en]
identifier: urn:uuid:{uuid}
date: {date}
bibliography: bibliography.yaml
csl: chicago-notes-bibliography
"""

BIBLIOGRAPHY = """\
# Sources cited with [@key], in CSL YAML.
references:
  - id: lewis1961
    type: book
    title: The Emergence of Modern Turkey
    author:
      - family: Lewis
        given: Bernard
    publisher: Oxford University Press
    publisher-place: London
    issued:
      date-parts: [[1961]]
    language: en
"""

SOURCE_CHAPTER = """\
# Giriş

Bu kitabın ilk paragrafı. Her paragraf boş bir satırla ayrılır.^[Dipnotlar böyle yazılır.]

Kaynak gösterimi köşeli parantezle yapılır [@lewis1961, 12].
"""

TRANSLATED_CHAPTER = """\
# Introduction

The first paragraph of this book. Paragraphs are separated by a blank line.^[Footnotes are written like this.]

Sources are cited in square brackets [@lewis1961, 12].
"""

CHAPTER_NAME = "01-giris.md"


def new_book(folder: Path, title: str | None = None, today: dt.date | None = None) -> list[Path]:
    """Write a skeleton book into `folder` (which must be missing or empty); return the files."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BookError("folder is not empty: ikidil new will not overwrite anything", file=folder,
                        hint="choose a new folder name, e.g. ikidil new my-book")
    title = title or "Yeni Kitap"
    files = {
        "book.yaml": BOOK_YAML.format(title_tr=_yaml_text(title), title_en=_yaml_text(title),
                                      uuid=uuid.uuid4(), date=(today or dt.date.today()).isoformat()),
        "bibliography.yaml": BIBLIOGRAPHY,
        f"manuscript/{CHAPTER_NAME}": SOURCE_CHAPTER,
        f"translations/en/{CHAPTER_NAME}": TRANSLATED_CHAPTER,
        ".gitignore": "build/\n",
    }
    written = []
    try:
        for name, text in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise BookError(f"cannot create the book: {exc.strerror}", file=exc.filename or folder,
                        hint="check that you may write there") from None
    # The translation is current: record that in the lockfile, so that from the first
    # edit on ikidil can tell which translated blocks went stale.
    from .load import load_book
    from .lock import lock_path
    from .status import accept_translation
    book = load_book(folder)
    accept_translation(book)
    written.append(folder / "translations" / "en" / lock_path(Path()).name)
    return written


def _yaml_text(text: str) -> str:
    """A title as a YAML double-quoted scalar, so ':' or '#' in it cannot break book.yaml."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
