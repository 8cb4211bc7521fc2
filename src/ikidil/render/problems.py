"""What the PDF guards (pdf_guards.py) find, and the error of a WeasyPrint patch that no longer fits, in a
module that imports no WeasyPrint.

Layout workers send their findings back pickled, and the parent unpickles them on the
process pool's result thread: a class defined beside WeasyPrint's imports would make that
thread import WeasyPrint while the main thread imports it too, and two threads importing
one package's modules at once can see them half-initialised (a build failed so with
"cannot import name 'VARIANTS' from partially initialized module 'weasyprint.pdf'")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayoutProblem:
    kind: str          # "footnote-clipped" | "overfull-line" | "footnote-displaced" | "outside-text-block"
    page: int          # 1-based page number
    block: str | None  # "<section id>:<n>" or None outside any block
    detail: str

    def message(self, chapters: dict[str, str]) -> str:
        where = "outside the chapters"
        if self.block:
            section, number = self.block.rsplit(":", 1)
            where = f"{chapters.get(section, section)}, block {number}"
        return f"{where}: page {self.page}: {self.detail}"


class FixNotApplied(RuntimeError):
    """WeasyPrint's code is not the one a patch of weasy_fixes.py or hyphen_breaks.py was
    written for: a different version fails loudly instead of laying out differently."""
