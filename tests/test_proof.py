"""ikidil proof: page images and a contact sheet per PDF, from the real command line."""

from __future__ import annotations

from PIL import Image
from pypdf import PdfReader

from conftest import run_ikidil


def test_proof_writes_every_page_and_a_contact_sheet(book_copy):
    build = run_ikidil(["build", "-e", "tr", "-f", "pdf", "--pdf-variant", "digital"], cwd=book_copy)
    assert build.returncode == 0, build.stderr
    proc = run_ikidil(["proof"], cwd=book_copy)
    assert proc.returncode == 0, proc.stderr
    pdf = next((book_copy / "build").glob("*.tr.pdf"))
    pages = sorted((book_copy / "build" / "proof" / pdf.stem).glob("page-*.png"))
    assert len(pages) == len(PdfReader(pdf).pages)
    sheet = Image.open(book_copy / "build" / "proof" / f"{pdf.stem}.contact.png")
    page = Image.open(pages[0])
    assert sheet.width > 5 * page.width and sheet.height > 2 * page.height
    # A text page is not blank: some pixels are dark.
    body = Image.open(pages[8]).convert("L")
    assert body.getextrema()[0] < 100


def test_proof_without_pdfs_is_a_clear_error(book_copy):
    proc = run_ikidil(["proof"], cwd=book_copy)
    assert proc.returncode == 2
    assert "no PDF" in proc.stderr and "ikidil build" in proc.stderr and "Traceback" not in proc.stderr
