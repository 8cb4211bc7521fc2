"""Tagged (PDF/UA) structure trees: a part's joined under the merged document's."""

from __future__ import annotations

class _StructMerge:
    """The tagged structure of one part, and how it joins the merged document's.

    WeasyPrint writes StructTreeRoot /K [Document element], a flat /ParentTree /Nums of
    keys 0…n (each page's /StructParents and each annotation's /StructParent). A part's
    top-level elements move under the base's Document element; its keys are shifted past
    the base's; elements only on dropped pages are removed."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        import pikepdf
        kids = self.root.K
        self.document = kids[0] if isinstance(kids, pikepdf.Array) else kids
        nums = self.root.ParentTree.get("/Nums", [])
        self.nums = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        self.next_key = 1 + max(self.nums, default=-1)
        self.joined_before = 0               # top-level elements of parts joined before it

    def forget_pages(self, pdf, pages) -> None:
        gone = {page.obj.objgen for page in pages}
        for page in pages:
            key = page.obj.get("/StructParents")
            if key is not None:
                self.nums.pop(int(key), None)
            for annot in page.obj.get("/Annots", []):
                if annot.get("/StructParent") is not None:
                    self.nums.pop(int(annot.StructParent), None)
        _prune(self.document, gone)

    def append(self, part: "_StructMerge", copied_pages: list, before: bool = False) -> None:
        """Join a part's structure: after what is there, or `before` it (after the parts
        joined before it so far)."""
        import pikepdf
        shift = self.next_key
        for page in copied_pages:
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + shift
            for annot in page.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + shift
        # One copy_foreign for all of the part's parent tree and top-level elements: qpdf
        # walks the objects in C++ (item by item from Python, it cost ~0.15 s a book).
        keys, part_kids = list(part.nums), _as_list(part.document.get("/K"))
        bundle = part.pdf.make_indirect(pikepdf.Array([*part.nums.values(), *part_kids]))
        copied = list(self.pdf.copy_foreign(bundle))
        for key, value in zip(keys, copied):
            self.nums[key + shift] = value
        self.next_key = shift + part.next_key
        kids = self.document.get("/K")
        if kids is None:
            kids = self.document.K = pikepdf.Array()
        elif not isinstance(kids, pikepdf.Array):
            kids = self.document.K = pikepdf.Array([kids])
        for kid in copied[len(keys):]:
            if isinstance(kid, pikepdf.Dictionary) and "/P" in kid:
                kid.P = self.document
            if before:
                kids.insert(self.joined_before, kid)
                self.joined_before += 1
            else:
                kids.append(kid)

    def finish(self) -> None:
        import pikepdf
        nums = pikepdf.Array()
        for key in sorted(self.nums):
            nums.append(key)
            nums.append(self.nums[key])
        self.root.ParentTree = self.pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = self.next_key


def _as_list(value) -> list:
    import pikepdf
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _prune(element, gone: set) -> bool:
    """Remove from `element` the kids that lie only on dropped pages; True when nothing is left.

    The dropped pages are a part's last ones, and the structure tree is in reading order:
    only a tail of each element's kids can lie on them, so the walk goes from the last kid
    back and stops at the first one that stays (walking whole trees cost ~0.3 s a book)."""
    import pikepdf
    if not isinstance(element, pikepdf.Dictionary):
        return False                                        # a bare MCID: on the element's /Pg
    page = element.get("/Pg")
    kids = _as_list(element.get("/K"))
    if not kids:
        return page is not None and page.objgen in gone
    keep = len(kids)
    while keep:
        kid = kids[keep - 1]
        if isinstance(kid, pikepdf.Dictionary):
            if not _prune(kid, gone):
                break
        elif page is None or page.objgen not in gone:       # an MCID on a kept page
            break
        keep -= 1
    if keep != len(kids):
        element.K = pikepdf.Array(kids[:keep])
    return keep == 0
