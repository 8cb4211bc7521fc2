"""Property tests: whatever Markdown an author (or a stranger) writes, the loader either
loads it or fails with an ikidil error — never a crash — and the aligner pairs every
block once, in order. The XLIFF text mapping is exactly invertible."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from ikidil.align import align_chapter
from ikidil.bibliography import Bibliography
from ikidil.errors import BookError
from ikidil.load import load_chapter
from ikidil.xliff import X, _Codes, _fill, _text_of, slice_chapter

BIBLIOGRAPHY = Bibliography(None, {"lewis1961": {"id": "lewis1961"}})

# Pieces that exercise Markdown's syntax: structure at line starts, inline markup,
# notes, citations, links, images, raw HTML, Turkish text, odd whitespace and controls.
LINE_STARTS = st.sampled_from(["", "", "", "# ", "## ", "> ", "- ", "1. ", "    ", "```", "::: ", "| ", "[^1]: ", "---"])
INLINE = st.one_of(
    st.text(alphabet="abcçdefgğhıijklmnoöprsştuüvyzİIŞĞÜÖÇ ", min_size=1, max_size=12),
    st.sampled_from(["*", "**", "_", "`", "^[", "]", "[", "](", ")", "[@lewis1961, 12]", "[@nokey]",
                     "[^1]", "[^2]", "![x](", "http://e.com", "<b>", "</b>", "<script>", "<!--", "-->",
                     "{.x}", "{onclick=1}", "\\", "$", "~", "|", "&amp;", "&#0;", "\t", "\u00a0", "\u200b",
                     "’", "“", "”", "\u0307", "\r", "@", "#", "<", ">", ":", "images/none.png"]),
)
LINE = st.builds(lambda start, parts: start + "".join(parts), LINE_STARTS, st.lists(INLINE, max_size=8))
MARKDOWN = st.lists(LINE, min_size=0, max_size=12).map("\n".join)


def load(text: str, folder: Path, name: str = "01-x.md"):
    (folder / "manuscript").mkdir(exist_ok=True)
    path = folder / "manuscript" / name
    path.write_text(text, encoding="utf-8")
    return load_chapter(path, "tr", BIBLIOGRAPHY, folder)


def load_or_error(text: str, folder: Path):
    try:
        return load(text, folder)
    except BookError as exc:
        assert exc.message and exc.file is not None
        assert exc.line is None or exc.line >= 1
        return None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN)
def test_loader_loads_or_raises_book_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        chapter = load_or_error(text, Path(tmp))
    if chapter is None:
        return
    lines = [b.line for b in chapter.blocks]
    assert lines == sorted(lines) and all(1 <= n <= text.count("\n") + 2 for n in lines)
    for block in chapter.blocks:
        block.text, block.citations, block.notes    # every view of a block works
    sliced = slice_chapter(chapter)
    assert sliced.join() == chapter.source and len(sliced.blocks) == len(chapter.blocks)
    for node in chapter.doc["blocks"]:
        assert "Raw" not in str(node.get("t"))        # no raw HTML reaches the book


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN, MARKDOWN)
def test_aligner_pairs_every_block_once_in_order(source_text, target_text):
    with tempfile.TemporaryDirectory() as tmp:
        source = load_or_error(source_text, Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        target = load_or_error(target_text, Path(tmp))
    if source is None or target is None:
        return
    alignment = align_chapter(source, target)
    assert [p.source.index for p in alignment.pairs if p.source] == list(range(len(source.blocks)))
    assert [p.target.index for p in alignment.pairs if p.target] == list(range(len(target.blocks)))
    assert all(p.source or p.target for p in alignment.pairs)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(INLINE, st.text(max_size=5), st.sampled_from(["\x0c", "\x01", "\ufffe", "\n"]))).map("".join))
def test_xliff_inline_mapping_is_exact(text):
    """Markdown → XLIFF inline content → Markdown gives the text back, through XML serialisation."""
    codes = _Codes()
    element = etree.Element(X + "target")
    _fill(element, text, codes, [0])
    reparsed = etree.fromstring(etree.tostring(element))
    data = {ref: value for value, ref in codes.ids.items()}
    assert _text_of(reparsed, data, "b1") == text
