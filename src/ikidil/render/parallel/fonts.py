"""Font unions: the parts' subsets of each face joined into one embedded font."""

from __future__ import annotations

import io
import logging

log = logging.getLogger("ikidil")

def _start_font_unions(subsets: dict[str, dict[bytes, bytes]], offload=None) -> dict:
    """Face name → a Future of the union of its distinct subsets (see _share_fonts),
    computed by `offload` (a pool's submit: another process, while the merge goes on) or
    here, when asked for."""
    from concurrent.futures import Future
    unions = {}
    for face, distinct in subsets.items():
        if len(distinct) < 2:
            continue
        if offload is not None:
            unions[face] = offload(_union_of_subsets, list(distinct.values()))
        else:
            unions[face] = Future()
            unions[face].set_result(_union_of_subsets(list(distinct.values())))
    return unions


def _font_descriptors(pages):
    """The descriptors of the embedded CFF (FontFile3) Type 0 fonts the pages use, once each."""
    seen = set()
    for page in pages:
        for _, font in page.obj.get("/Resources", {}).get("/Font", {}).items():
            if font.objgen in seen or font.get("/Subtype") != "/Type0":
                continue
            seen.add(font.objgen)
            descriptor = font.DescendantFonts[0].get("/FontDescriptor")
            if descriptor is not None and "/FontFile3" in descriptor:
                yield descriptor


def _share_fonts(pdf, unions: dict) -> None:
    """One embedded font per face instead of one subset per part.

    WeasyPrint subsets each part's fonts keeping the original glyph ids (retain_gids,
    CIDToGIDMap /Identity) and without subroutines (desubroutinize), so the subsets of a
    face differ only in which glyphs are filled in: their union is the subset with the
    most glyph slots, its empty slots filled from the others. Every part's font dictionary
    then points at that one stream. A face whose subsets cannot be joined keeps them."""
    import pikepdf
    faces: dict[str, list] = {}
    for descriptor in _font_descriptors(pdf.pages):
        faces.setdefault(str(descriptor.FontName), []).append(descriptor)
    for face, descriptors in faces.items():
        data = unions[face].result() if face in unions else None
        if data is None:
            continue
        shared = pdf.make_stream(data, Subtype=pikepdf.Name.OpenType)
        for descriptor in descriptors:
            descriptor.FontFile3 = shared


def _union_of_subsets(subsets: list[bytes]) -> bytes | None:
    from fontTools.ttLib import TTFont
    try:
        # recalcTimestamp=False: fontTools would stamp the union's `head` with the time of
        # the merge, and the same parts would give a different book every second.
        # recalcBBoxes=False: the subsets carry the whole font's bounding boxes (HarfBuzz
        # keeps them), as the single document's subset does; recomputing them from the
        # union's glyphs would draw every glyph (half the union's time) to make them differ.
        fonts = [TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False) for data in subsets]
        if any("CFF " not in font for font in fonts):
            return None
        fonts.sort(key=lambda font: -len(font.getGlyphOrder()))
        base = fonts[0]
        order = base.getGlyphOrder()
        target = base["CFF "].cff.topDictIndex[0].CharStrings
        lengths = _charstring_lengths(target)
        for other in fonts[1:]:
            other_order = other.getGlyphOrder()
            if other_order != order[:len(other_order)]:
                return None                       # not subsets of the same font
            source = other["CFF "].cff.topDictIndex[0].CharStrings
            # Decompiling thousands of glyphs per part costs seconds: the charstrings'
            # lengths (from the CFF index) tell which slots only the other subset fills,
            # and only those are read and copied (desubroutinized charstrings stand alone).
            for gid, theirs in enumerate(_charstring_lengths(source)):
                if theirs <= BLANK_MAX or lengths[gid] > BLANK_MAX:
                    continue
                name = other_order[gid]
                glyph, candidate = target[name], _bytecode(source[name])
                if _blank(_bytecode(glyph)) and not _blank(candidate):
                    glyph.bytecode, glyph.program = candidate, None
                    lengths[gid] = len(candidate)
        out = io.BytesIO()
        base.save(out)
        return out.getvalue()
    except Exception:                              # a font fontTools cannot rewrite: keep the subsets
        log.debug("fonts of the parts kept apart", exc_info=True)
        return None


def _charstring_lengths(charstrings) -> list[int]:
    offsets = charstrings.charStringsIndex.offsets
    return [end - start for start, end in zip(offsets, offsets[1:])]


def _bytecode(charstring) -> bytes:
    if getattr(charstring, "bytecode", None) is None:
        charstring.compile()
    return charstring.bytecode


def _blank(bytecode: bytes) -> bool:
    """A glyph slot the subsetter emptied: `endchar`, perhaps after a width (one number,
    at most 5 bytes in Type 2 encoding)."""
    return len(bytecode) <= BLANK_MAX and bytecode.endswith(b"\x0e")


BLANK_MAX = 6
