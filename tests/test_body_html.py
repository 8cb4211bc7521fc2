"""render/pdf.body_html: chapter-by-chapter, cached HTML is Pandoc's HTML of the whole document."""

import sys

import pytest

from conftest import REPO
from ikidil import pandoc
from ikidil.build import make_edition
from ikidil.load import load_book
from ikidil.render import pdf
from ikidil.transform import notes_to_spans

sys.path.insert(0, str(REPO / "scripts"))
import bench  # noqa: E402


@pytest.mark.parametrize("which", ["seed", "bench"])
def test_chunked_html_is_the_whole_documents_html(book_copy, tmp_path, which):
    root = book_copy if which == "seed" else bench.make_book(tmp_path / "b", 3)
    book = load_book(root)
    for name in ("tr", "en", "bilingual"):
        doc = notes_to_spans(make_edition(book, name).doc)
        whole = pandoc.write(doc, "html5", pdf.HTML_ARGS)
        assert pdf.body_html(book.root, doc) == whole, name          # cold: one batched call
        assert pdf.body_html(book.root, doc) == whole, name          # warm: from the cache


def test_an_edit_converts_only_the_edited_chapter(tmp_path, monkeypatch):
    root = bench.make_book(tmp_path / "b", 3)
    book = load_book(root)
    doc = notes_to_spans(make_edition(book, "tr").doc)
    pdf.body_html(book.root, doc)
    chapters = pdf._chunks(doc["blocks"])
    assert len(chapters) == 4                      # three chapters and the bibliography
    edited = chapters[1][3]["c"]
    edited.insert(0, {"t": "Str", "c": "Eklendi"})
    edited.insert(1, {"t": "Space"})
    calls = []
    original = pandoc.write
    monkeypatch.setattr(pandoc, "write", lambda d, *a, **k: calls.append(len(d["blocks"])) or original(d, *a, **k))
    html = pdf.body_html(book.root, doc)
    monkeypatch.undo()
    assert calls == [1]                            # one chunk converted
    assert "Eklendi" in html and html == pandoc.write(doc, "html5", pdf.HTML_ARGS)
