"""What keeps a book-sized build's memory down: the loaded ASTs share their empty elements
(ast.compact), and no more Pandoc processes run at once than there are cores, the
rendering's ahead of the checks' (pandoc._Slots)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ikidil import pandoc
from ikidil.ast import compact, walk
from ikidil.cache import read_markdown_cached

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import bench  # noqa: E402


def test_compact_ast_is_the_same_document_with_shared_leaves(tmp_path):
    root = bench.make_book(tmp_path / "b", 1)
    chapter = root / "manuscript" / "01-chapter.md"
    text = chapter.read_text(encoding="utf-8") + "\nSatır  \nsonu ve\nyumuşak kırılım.\n"
    reference = json.dumps(pandoc.read_markdown(text, chapter), ensure_ascii=False)
    for _ in range(2):                  # parsed, then from the cache
        doc, _ = read_markdown_cached(text, chapter, root)
        assert json.dumps(doc, ensure_ascii=False) == reference
        for kind in ("Space", "SoftBreak", "LineBreak"):
            leaves = [node for node in walk(doc) if node["t"] == kind]
            assert leaves and all(leaf is leaves[0] for leaf in leaves), kind
    kinds = [node["t"] for node in walk(doc) if node["t"] == "Str"]
    assert len(kinds) > 100 and all(kind is kinds[0] for kind in kinds)
    assert compact([{"t": "Space", "c": []}])[0]["c"] == []        # not a leaf: kept as it is


def test_no_more_pandoc_processes_than_cores(tmp_path):
    text = "\n\n".join(f"Paragraf {n} *vurgulu* ve **kalın** bir metin." for n in range(20000))
    seen, stop = [0], threading.Event()

    def count():
        me = str(os.getpid())
        while not stop.is_set():
            running = 0
            for entry in os.listdir("/proc"):
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    with open(f"/proc/{entry}/comm") as fh:
                        running += fields[1] == me and fh.read().strip() == "pandoc"
                except (OSError, IndexError):
                    pass
            seen[0] = max(seen[0], running)
            time.sleep(0.01)

    watcher = threading.Thread(target=count)
    watcher.start()
    threads = [threading.Thread(target=pandoc.convert, args=(text, "markdown", "html")) for _ in range(3 * (os.cpu_count() or 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    assert 1 <= seen[0] <= (os.cpu_count() or 1)


def test_a_lower_priority_thread_waits_behind_the_others():
    slots, order = pandoc._Slots(1), []
    holder_in, release = threading.Event(), threading.Event()

    def hold():
        with slots.taken():
            holder_in.set()
            release.wait()

    def take(name, niceness):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
        with slots.taken():
            order.append(name)

    holder = threading.Thread(target=hold)
    holder.start()
    holder_in.wait()
    background = threading.Thread(target=take, args=("checks", 10))
    background.start()
    time.sleep(0.1)                        # the checks' thread asked first
    foreground = threading.Thread(target=take, args=("render", 0))
    foreground.start()
    time.sleep(0.1)
    release.set()
    for thread in (holder, background, foreground):
        thread.join()
    assert order == ["render", "checks"]


def test_pandoc_runs_with_a_small_starting_heap():
    """The pinned Pandoc takes RTS options, so ikidil's runs start with a 16 MiB heap, not the
    64 MiB the binary is linked with; the output is the same."""
    assert pandoc.rts_options() == pandoc.RTS_OPTIONS
    text = "Bir *deneme* paragrafı.^[Not.]\n"
    plain = subprocess.run([pandoc.executable(), "-f", "markdown", "-t", "json"], input=text,
                           capture_output=True, text=True, check=True).stdout
    assert json.loads(plain) == pandoc.read_markdown(text, Path("x.md"))


def test_joined_words_give_pandoc_the_same_html(tmp_path):
    """join_words: a run of Str and Space is one Str; Pandoc's HTML of it is the document's
    HTML but for line breaks (it wraps at a Space), in far fewer elements; the loaded tree
    is left as it was."""
    import copy
    import re
    from ikidil.ast import join_words
    from ikidil.build import make_edition
    from ikidil.load import load_book
    from ikidil.transform import notes_to_spans
    from conftest import copy_book
    book = load_book(copy_book(tmp_path / "book"))
    doc = notes_to_spans(make_edition(book, "bilingual").doc)
    before = copy.deepcopy(doc)
    joined = join_words(doc)
    assert doc == before
    count = lambda d: sum(1 for _ in walk(d))
    assert count(joined) < count(doc) / 3
    assert not any(node["t"] == "Space" for node in walk(joined))
    html = lambda d: re.sub(r"\s+", " ", pandoc.write(d, "html5", ["--section-divs"]))
    assert html(joined) == html(doc)
    assert join_words([{"t": "Space"}, {"t": "Emph", "c": [{"t": "Str", "c": "a"}, {"t": "Space"}]},
                       {"t": "Space"}, {"t": "Str", "c": "b"}, {"t": "SoftBreak"}, {"t": "Str", "c": "c"}]) == [
        {"t": "Str", "c": " "}, {"t": "Emph", "c": [{"t": "Str", "c": "a "}]}, {"t": "Str", "c": " b"},
        {"t": "SoftBreak"}, {"t": "Str", "c": "c"}]
