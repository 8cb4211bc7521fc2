"""Proof sheets: every PDF page as a PNG, and one contact sheet per PDF, in build/proof/,
so an author can look at the pages without a PDF viewer. Pages come from pdftoppm
(poppler-utils); the contact sheet is drawn with Pillow (WeasyPrint's own dependency)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

from .errors import BookError

GAP = 12          # px between pages on the contact sheet
COLUMNS = 6       # pages per row: three spreads


def proof_pdf(pdf: Path, out_dir: Path, dpi: int = 50) -> tuple[list[Path], Path]:
    """Write <stem>/page-NN.png for each page and <stem>.contact.png; return both."""
    if shutil.which("pdftoppm") is None:
        raise BookError("pdftoppm is not installed", hint="install poppler-utils (scripts/setup-system.sh)")
    pages_dir = out_dir / pdf.stem
    if pages_dir.exists():
        shutil.rmtree(pages_dir)
    pages_dir.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(pages_dir / "page")],
                   check=True, capture_output=True)
    pages = sorted(pages_dir.glob("page-*.png"))
    sheet = out_dir / f"{pdf.stem}.contact.png"
    contact_sheet(pages, sheet)
    return pages, sheet


def contact_sheet(pages: list[Path], target: Path) -> None:
    """Pages laid out as spreads: page 1 alone on the right, then verso|recto pairs."""
    images = [Image.open(p).convert("RGB") for p in pages]
    width = max(i.width for i in images)
    height = max(i.height for i in images)
    slots = [None] + images            # an empty verso before page 1, a recto
    rows = (len(slots) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * width + (COLUMNS // 2 + 1) * GAP, rows * (height + GAP) + GAP), "#888")
    draw = ImageDraw.Draw(sheet)
    for slot, image in enumerate(slots):
        row, col = divmod(slot, COLUMNS)
        x = GAP + col * width + (col // 2) * GAP          # the two pages of a spread touch
        y = GAP + row * (height + GAP)
        if image is not None:
            sheet.paste(image, (x, y))
            draw.text((x + 4, y + height - 14), str(slot), fill="#c00")
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(target, optimize=True)


def proof_build(build_dir: Path, dpi: int = 50) -> list[Path]:
    pdfs = sorted(build_dir.glob("*.pdf"))
    if not pdfs:
        raise BookError(f"no PDF in {build_dir}", file=build_dir, hint="run ikidil build -f pdf first")
    return [proof_pdf(pdf, build_dir / "proof", dpi)[1] for pdf in pdfs]
