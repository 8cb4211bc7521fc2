"""The press-ready print PDF (render/press.py): PDF/X-4 with a CMYK output intent, 100 % K,
crop marks outside the bleed, and the KDP profile's boxes and bare interior."""

from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest

from conftest import copy_book, run_ikidil

TRIM = (432.0, 648.0)          # 6 × 9 in
BLEED = 9.0                    # 0.125 in


def _build(root, extra_yaml: str = ""):
    if extra_yaml:
        yaml = root / "book.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8") + extra_yaml, encoding="utf-8")
    proc = run_ikidil(["build", "-e", "tr", "-f", "pdf", "--pdf-variant", "print"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    [path] = (root / "build").glob("*.tr.print.pdf")
    return path


@pytest.fixture(scope="module")
def press_pdf(tmp_path_factory):
    return _build(copy_book(tmp_path_factory.mktemp("press") / "book"))


@pytest.fixture(scope="module")
def kdp_pdf(tmp_path_factory):
    return _build(copy_book(tmp_path_factory.mktemp("kdp") / "book"), "print_profile: kdp\n")


def box(page, name):
    return [float(v) for v in page.obj[name]]


def contents(page) -> bytes:
    streams = page.obj.Contents
    return b"".join(s.read_bytes() for s in (streams if isinstance(streams, pikepdf.Array) else [streams]))


def test_print_pdf_is_pdf_x4_with_a_cmyk_output_intent(press_pdf):
    with pikepdf.open(press_pdf) as pdf:
        assert pdf.pdf_version == "1.6"
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier)
        profile = intent.DestOutputProfile
        icc = profile.read_bytes()
        assert int(profile.N) == 4 and icc[12:16] == b"prtr" and icc[16:20] == b"CMYK"
        with pdf.open_metadata() as meta:
            assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
            assert meta["pdf:Trapped"] == "False"
            assert meta["xmpMM:DocumentID"].startswith("urn:uuid:")
            assert meta["xmp:CreateDate"].startswith("2026-11-24")
        assert pdf.docinfo["/Trapped"] == "/False"
        assert str(pdf.docinfo["/Title"]) == "Mustafa Kemal Paşa ve Türkiye’deki Komünistler"


def test_every_page_has_trim_and_bleed_and_marks_room(press_pdf):
    with pikepdf.open(press_pdf) as pdf:
        for page in pdf.pages:
            trim, bleed, media = box(page, "/TrimBox"), box(page, "/BleedBox"), box(page, "/MediaBox")
            assert trim == pytest.approx([0, 0, *TRIM], abs=0.05)
            assert bleed == pytest.approx([-BLEED, -BLEED, TRIM[0] + BLEED, TRIM[1] + BLEED], abs=0.05)
            assert media[0] < bleed[0] - 15 and media[2] > bleed[2] + 15      # room for the marks outside
            assert "/Annots" not in page.obj


def test_text_and_marks_are_100_percent_k(press_pdf):
    with pikepdf.open(press_pdf) as pdf:
        for page in pdf.pages:
            data = contents(page)
            assert not re.search(rb"\b(rg|RG)\b|DeviceRGB", data)
            assert b"0 0 0 1 scn" in data or b"0 0 0 1 K" in data


def test_crop_marks_lie_outside_the_bleed(press_pdf, tmp_path):
    """Rendered: the bleed's band around the trim is blank, and each corner has marks beyond it."""
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-f", "1", "-l", "1", str(press_pdf), str(tmp_path / "p")],
                   check=True)
    [pgm] = tmp_path.glob("p*.pgm")
    from PIL import Image
    img = Image.open(pgm)
    width, height = img.size                          # 1 px = 1 pt; media origin at -27 pt
    assert (width, height) == (round(TRIM[0] + 2 * 27), round(TRIM[1] + 2 * 27))
    px = img.load()
    off = 27

    def dark(x0, y0, x1, y1):
        return sum(1 for x in range(x0, x1) for y in range(y0, y1) if px[x, y] < 128)

    # the bleed band at the top-left corner (between bleed edge and trim): nothing drawn
    assert dark(off - 8, off - 8, off - 1, off - 1) == 0
    # beyond the bleed, on the trim's lines: the marks
    assert dark(0, off - 1, off - 10, off + 2) > 5       # horizontal mark left of the top-left corner
    assert dark(off - 1, 0, off + 2, off - 10) > 5       # vertical mark above it
    assert dark(width - off + 10, height - off - 2, width, height - off + 1) > 5


def test_marks_none_keeps_the_page_the_bleed(tmp_path):
    path = _build(copy_book(tmp_path / "book"), "marks: none\n")
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        assert box(page, "/MediaBox") == pytest.approx(box(page, "/BleedBox"), abs=0.05)
        assert len(pdf.Root.OutputIntents) == 1


def test_kdp_bleeds_top_bottom_and_outer_edge_only(kdp_pdf):
    with pikepdf.open(kdp_pdf) as pdf:
        assert "/Outlines" not in pdf.Root
        for index, page in enumerate(pdf.pages):
            media, trim = box(page, "/MediaBox"), box(page, "/TrimBox")
            assert media[2] - media[0] == pytest.approx(441, abs=0.05)       # 6.125 in
            assert media[3] - media[1] == pytest.approx(666, abs=0.05)       # 9.25 in
            if index % 2 == 0:                                                # recto: spine on the left
                assert media[0] == pytest.approx(trim[0]) and media[2] == pytest.approx(trim[2] + BLEED)
            else:
                assert media[2] == pytest.approx(trim[2]) and media[0] == pytest.approx(trim[0] - BLEED)
            assert box(page, "/BleedBox") == media
            assert "/Annots" not in page.obj
            assert b"0 0 0 1 K 0.25 w" not in contents(page)                      # no marks


def test_metadata_stream_is_unfiltered_for_preflight(press_pdf):
    with pikepdf.open(press_pdf) as pdf:
        assert "/Filter" not in pdf.Root.Metadata
        assert b"pdfxid:GTS_PDFXVersion" in pdf.Root.Metadata.read_raw_bytes()
