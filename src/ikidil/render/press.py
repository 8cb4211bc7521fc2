"""The print PDF made press-ready, after layout and merge: PDF/X-4, marks outside the bleed,
and a profile per print service (book.yaml `print_profile`, `marks`).

Layout already sets every colour in 100 % K (DeviceCMYK, render/pdf.PageSetup) and the
bleed with TrimBox and BleedBox. What a printer's preflight also wants is done here, once,
on the finished file, so the one-document and the part-by-part layouts get the same:

- **PDF/X-4** (ISO 15930-7): a CMYK output intent with its ICC profile embedded (Debian's
  libgs-common, Ghostscript's SWOP profile), XMP identification (`pdfxid:GTS_PDFXVersion`),
  `Trapped` False, dates and ids that agree between XMP and the document information
  (from SOURCE_DATE_EPOCH or the book's date: two builds give the same bytes), PDF 1.6;
  no annotation on the page (PDF/X forbids them inside the BleedBox, and a link in print is
  a dead rectangle);
- **marks** (`marks: crop`, the `press` profile's default): crop marks in 100 % K drawn
  *outside* the bleed, the MediaBox grown to hold them. WeasyPrint's own marks sit inside
  the bleed (its MediaBox is the BleedBox), where the guillotine's tolerance can print them;
- **kdp**: Amazon KDP's published interior rules: bleed on the top, bottom and outer edges
  only (a 6.125 × 9.25 in page for a 6 × 9 in trim: the inner bleed is cut away, recto and
  verso alike), no marks, no bookmarks, no annotations or links.
"""

from __future__ import annotations

import datetime as dt
import os
import zlib
from pathlib import Path

from ..errors import BookError

ICC_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")    # Debian: libgs-common
ICC_NAME = "Artifex CMYK SWOP Profile"
MARK_GAP = 3.0        # pt between the bleed's edge and a crop mark
MARK_LENGTH = 15.0    # pt
MARK_WIDTH = 0.25     # pt


def finish_print(book, edition, path: Path) -> None:
    """Rewrite the print PDF at `path` (a staged output) for the press."""
    import pikepdf
    cfg = book.config
    kdp = cfg.print_profile == "kdp"
    tmp = path.with_name(path.name + ".press")
    with pikepdf.open(path) as pdf:
        _output_intent(pdf)
        _identify(pdf, edition.title, _date(cfg.date))
        for index, page in enumerate(pdf.pages):
            if "/Annots" in page.obj:
                del page.obj["/Annots"]
            if kdp:
                _kdp_boxes(page, recto=index % 2 == 0)
            elif cfg.marks == "crop":
                _crop_marks(pdf, page)
        if kdp:
            for key in ("/Outlines", "/PageMode", "/Names"):
                if key in pdf.Root:
                    del pdf.Root[key]
        # compress_streams=False: the XMP stays readable to preflight tools (PDF/X-4 wants the
        # metadata stream unfiltered, as WeasyPrint writes it); the other streams come compressed.
        pdf.save(tmp, force_version="1.6", deterministic_id=True, compress_streams=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    os.replace(tmp, path)


def _output_intent(pdf) -> None:
    import pikepdf
    try:
        icc = ICC_PROFILE.read_bytes()
    except OSError:
        raise BookError(f"the print PDF needs the CMYK colour profile {ICC_PROFILE}, which is missing",
                        hint="install the Debian package libgs-common (scripts/setup-system.sh does)") from None
    profile = pdf.make_stream(zlib.compress(icc, 9), Filter=pikepdf.Name.FlateDecode, N=4,
                              Alternate=pikepdf.Name.DeviceCMYK)
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String("Custom"), OutputCondition=pikepdf.String(ICC_NAME),
        Info=pikepdf.String(ICC_NAME), DestOutputProfile=profile)])


def _date(book_date: dt.date) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime(book_date.year, book_date.month, book_date.day, tzinfo=dt.timezone.utc)


def _identify(pdf, title: str, when: dt.datetime) -> None:
    """PDF/X-4 identification in XMP and the document information, agreeing."""
    import pikepdf
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    pdf_date = when.strftime("D:%Y%m%d%H%M%SZ")
    # the edition's identifier (render/pdf.pdf_identifier, the /ID's first half): urn:uuid:…
    doc_id = bytes(pdf.trailer.ID[0]).decode("ascii", "replace") if "/ID" in pdf.trailer else ""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
        meta["dc:title"] = title
        meta["xmp:CreateDate"] = iso
        meta["xmp:ModifyDate"] = iso
        meta["xmp:MetadataDate"] = iso
        meta["pdf:Trapped"] = "False"
        meta["xmpMM:DocumentID"] = doc_id
        meta["xmpMM:InstanceID"] = doc_id
        meta["xmpMM:VersionID"] = "1"
        meta["xmpMM:RenditionClass"] = "default"
    info = pdf.docinfo
    info["/Title"] = pikepdf.String(title)
    info["/CreationDate"] = pikepdf.String(pdf_date)
    info["/ModDate"] = pikepdf.String(pdf_date)
    info["/Trapped"] = pikepdf.Name("/False")
    info["/GTS_PDFXVersion"] = pikepdf.String("PDF/X-4")


def _box(page, name: str) -> list[float]:
    return [float(v) for v in page.obj.get(name, page.obj.MediaBox)]


def _crop_marks(pdf, page) -> None:
    """Crop marks at the trim's corners, beyond the bleed, in 100 % K; the MediaBox grown
    around them (the BleedBox and TrimBox stay)."""
    import pikepdf
    tx0, ty0, tx1, ty1 = _box(page, "/TrimBox")
    bx0, by0, bx1, by1 = _box(page, "/BleedBox")
    reach = MARK_GAP + MARK_LENGTH
    lines = []
    for x, bx, out in ((tx0, bx0, -1), (tx1, bx1, 1)):
        for y, by, up in ((ty0, by0, -1), (ty1, by1, 1)):
            start_x, start_y = bx + out * MARK_GAP, by + up * MARK_GAP
            lines.append(f"{start_x:.2f} {y:.2f} m {start_x + out * MARK_LENGTH:.2f} {y:.2f} l S")
            lines.append(f"{x:.2f} {start_y:.2f} m {x:.2f} {start_y + up * MARK_LENGTH:.2f} l S")
    marks = f"Q q 0 0 0 1 K {MARK_WIDTH} w 0 J\n" + "\n".join(lines) + "\nQ\n"
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)     # the page's own state, closed before the marks
    page.contents_add(pdf.make_stream(zlib.compress(marks.encode()), Filter=pikepdf.Name.FlateDecode),
                      prepend=False)
    page.obj.MediaBox = pikepdf.Array([bx0 - reach, by0 - reach, bx1 + reach, by1 + reach])


def _kdp_boxes(page, recto: bool) -> None:
    """Bleed on the top, bottom and outer edge: the inner bleed (left of a recto, right of a
    verso) is cut away, so the page is the trim plus one bleed wide."""
    import pikepdf
    tx0, _, tx1, _ = _box(page, "/TrimBox")
    bx0, by0, bx1, by1 = _box(page, "/BleedBox")
    box = pikepdf.Array([tx0, by0, bx1, by1] if recto else [bx0, by0, tx1, by1])
    page.obj.MediaBox = box
    page.obj.BleedBox = box
    if "/CropBox" in page.obj:
        del page.obj["/CropBox"]
