"""The merge of the laid-out parts into one PDF: pages, named destinations, cross-part
links, outlines; the fonts (fonts.py) and the structure trees (structure.py) are joined too."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from ... import lifetime
from .fonts import _font_descriptors, _start_font_unions, _share_fonts
from .split import PART_SCHEME
from .structure import _StructMerge

class Merger:
    """The edition's PDF, merged as its parts come: render_parts offers each body part as
    soon as it is laid out (between layouts), so that when the last one is done only the
    front matter, the fonts and the writing are left.

    The first body part is the base: its catalog keeps the document's metadata, language,
    viewer preferences and PDF/UA marks (every part has the same ones: the same <head>).
    The next body parts are appended in order, the front matter goes before them at the end.
    For the pages of every part: named destinations (the body's win over the front matter's,
    later parts' over earlier ones'), cross-part links (ikidil-part:<id> → the named
    destination <id>), the outline (rebuilt from each part's bookmarks) and, when tagged,
    the structure tree. The merged document stays in memory until it is written: a PDF
    saved and opened again would have to be parsed whole before pages could be added."""

    def __init__(self, tagged: bool):
        self.tagged = tagged
        self.sources: list = []              # open while the merge is: their streams are read at the save
        self.subsets: dict[str, dict[bytes, bytes]] = {}    # face → its parts' distinct subsets
        self.waiting: dict[int, tuple[bytes, int]] = {}
        self.next = 1                        # the body part to append next
        self.out = None
        self.struct = None
        self.dropped: list = []              # the base's pages after its own
        self.outlines: list[tuple[list, int]] = []   # per part in page order: (outline items, page offset)
        self.dests: dict = {}

    def offer(self, index: int, data: bytes, own: int) -> None:
        """Body part `index` (1: the first), in any order: appended once those before it are."""
        self.waiting[index] = (data, own)
        while self.next in self.waiting:
            self._join(*self.waiting.pop(self.next))
            self.next += 1

    def _join(self, data: bytes, own: int, before: bool = False) -> None:
        """Add a part's first `own` pages after the merged ones, or `before` them."""
        import pikepdf
        pdf = pikepdf.open(io.BytesIO(data))
        self.sources.append(pdf)
        kept = list(pdf.pages)[:own]
        for descriptor in _font_descriptors(kept):          # while these pages are its own
            font = descriptor.FontFile3.read_bytes()
            self.subsets.setdefault(str(descriptor.FontName), {})[hashlib.sha256(font).digest()] = font
        part_struct = _StructMerge(pdf) if self.tagged and "/StructTreeRoot" in pdf.Root else None
        if part_struct:
            part_struct.forget_pages(pdf, list(pdf.pages)[own:])
        if self.out is None:
            self.out, self.struct, self.dropped = pdf, part_struct, list(pdf.pages)[own:]
            copied, offset = [page.obj for page in kept], 0
        elif before:
            for i, page in enumerate(kept):
                self.out.pages.insert(i, page)
            copied, offset = [self.out.pages[i].obj for i in range(own)], 0
            self.outlines = [(items, shifted + own) for items, shifted in self.outlines]
        else:
            offset = len(self.out.pages) - len(self.dropped)
            self.out.pages.extend(kept)
            copied = [self.out.pages[len(self.out.pages) - own + i].obj for i in range(own)]
        if self.struct and part_struct and pdf is not self.out:
            self.struct.append(part_struct, copied, before)
        with pdf.open_outline() as outline:
            self.outlines.insert(0 if before else len(self.outlines), (_outline_tree(pdf, outline.root, own), offset))
        dests = {}
        for name, dest in _name_tree_items(pdf.Root.get("/Names", {}).get("/Dests", {})):
            index = _page_index(pdf, dest[0])
            if index is not None and index < own:
                dests[name] = pikepdf.Array([copied[index], *list(dest)[1:]])
        self.dests = {**dests, **self.dests} if before else {**self.dests, **dests}

    def finish(self, front: bytes, front_own: int, target: Path, offload=None, blank_end: bool = False) -> None:
        """Put the front matter before the body, share the fonts, write `target` (with a
        blank last page if `blank_end`)."""
        import pikepdf
        from ...outputs import atomic_path
        if self.waiting:
            raise ValueError(f"body parts missing before part {min(self.waiting)}")
        self._join(front, front_own, before=True)
        out = self.out
        unions = _start_font_unions(self.subsets, offload)
        for page in self.dropped:            # the base's (its structure forgot them in _join)
            out.pages.remove(page)
        if blank_end:
            last = out.pages[-1]
            blank = out.add_blank_page(page_size=(100, 100))   # boxes from the last page
            for box in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
                if box in last.obj:
                    blank.obj[box] = last.obj[box]
        for page in out.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                if action is not None and str(action.get("/URI", "")).startswith(PART_SCHEME):
                    name = str(action.URI)[len(PART_SCHEME):]
                    del annot["/A"]
                    annot.Dest = pikepdf.String(name)
        names = pikepdf.Array()
        for name in sorted(self.dests, key=lambda n: n.encode("utf-8")):
            names.append(pikepdf.String(name))
            names.append(self.dests[name])
        out.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=names))
        if self.struct:
            self.struct.finish()
        with out.open_outline() as outline:
            outline.root.clear()
            for items, offset in self.outlines:
                outline.root.extend(_outline_items(out, items, offset))
        _share_fonts(out, unions)
        with atomic_path(target) as tmp:
            # deterministic_id: the /ID's second half from the content, not at random (qpdf's
            # default); the first half stays the edition's identifier. Saved to memory, then
            # written by Python: qpdf writing a file that fails (a full disk) aborts the whole
            # process from C++ (exit 134, workers and staging left behind); Python's write
            # raises an OSError, a clear error.
            saved = io.BytesIO()
            out.save(saved, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                     deterministic_id=True)
            tmp.write_bytes(saved.getbuffer())
        if not lifetime.done_with(self.sources):
            for pdf in self.sources:
                pdf.close()


def _name_tree_items(node):
    """(name, destination) of a PDF name tree, flat or with kids."""
    for i in range(0, len(node.get("/Names", [])), 2):
        yield str(node.Names[i]), node.Names[i + 1]
    for kid in node.get("/Kids", []):
        yield from _name_tree_items(kid)


def _page_index(pdf, page_obj) -> int | None:
    try:
        return pdf.pages.index(page_obj)
    except ValueError:
        return None


def _outline_tree(pdf, items, own: int) -> list:
    """[(title, page index in the part, top, children)] of a part's outline."""
    out = []
    for item in items:
        dest = item.destination
        index = _page_index(pdf, dest[0]) if dest is not None and len(dest) else None
        if index is None or index >= own:
            continue
        top = float(dest[3]) if len(dest) > 3 and dest[1] == "/XYZ" else None
        out.append((item.title, index, top, _outline_tree(pdf, item.children, own)))
    return out


# Invisible characters the typesetting puts in headings (typeset.py's word joiners holding a
# date range together, soft hyphens) mean nothing in a bookmark panel, where some viewers draw
# them as boxes and a screen reader may spell them.
_INVISIBLE = str.maketrans("", "", "\u2060\u00ad")


def _plain(title: str) -> str:
    return title.translate(_INVISIBLE)


def _outline_items(pdf, items, offset: int) -> list:
    import pikepdf
    result = []
    for title, index, top, children in items:
        dest = pikepdf.make_page_destination(pdf, index + offset, "XYZ", top=top) if top is not None \
            else pikepdf.make_page_destination(pdf, index + offset)
        item = pikepdf.OutlineItem(_plain(title), dest)
        item.children.extend(_outline_items(pdf, children, offset))
        result.append(item)
    return result
