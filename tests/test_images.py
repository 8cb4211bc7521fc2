"""An image in a chapter reaches every edition: packed into the EPUB (Pandoc's sandbox
only points at it) and drawn in the PDF."""

from __future__ import annotations

import subprocess
import zipfile

from PIL import Image

from conftest import run_ikidil
from ikidil.validate import run_epubcheck

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"


def test_image_is_in_the_epub_and_the_pdf(book_copy):
    (book_copy / "images").mkdir()
    Image.new("RGB", (240, 120), "darkred").save(book_copy / "images" / "harita.png")
    for folder, alt in (("manuscript", "Harita"), ("translations/en", "Map")):
        path = book_copy / folder / CHAPTER
        path.write_text(path.read_text(encoding="utf-8") + f"\n![{alt}](images/harita.png)\n", encoding="utf-8")
    assert run_ikidil(["status", "--accept"], cwd=book_copy).returncode == 0
    proc = run_ikidil(["build", "-e", "tr", "--pdf-variant", "digital"], cwd=book_copy)
    assert proc.returncode == 0, proc.stderr
    epub = next((book_copy / "build").glob("*.tr.epub"))
    with zipfile.ZipFile(epub) as zf:
        packed = [n for n in zf.namelist() if n.startswith("EPUB/media/image-")]
        assert len(packed) == 1
        assert zf.read(packed[0]) == (book_copy / "images" / "harita.png").read_bytes()
        chapter = next(zf.read(n).decode() for n in zf.namelist() if n.endswith("ch001.xhtml"))
        assert 'src="../media/image-1.png"' in chapter and 'alt="Harita"' in chapter
    verdict = run_epubcheck(epub)
    assert verdict.errors == [] and verdict.warnings == []
    pdf = next((book_copy / "build").glob("*.tr.pdf"))
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert len(rows) == 1
    page, _, kind, width, height = rows[0].split()[:5]
    assert kind == "image" and (width, height) == ("240", "120")
