"""Loading parses the chapters the cache lacks in batches, one Pandoc process for many
chapters (pandoc.read_markdown_many). That fast path must give exactly what the
straightforward one gives, one Pandoc process per chapter (load_chapter): the same ASTs,
block lines, warnings (file and line) and errors (the first faulty chapter in reading order)."""

from __future__ import annotations

import json
import logging
import shutil
import sys
import threading
from pathlib import Path

import pytest

from conftest import REPO, copy_book
from ikidil import pandoc
from ikidil.bibliography import load_bibliography
from ikidil.cache import CACHE_DIR, Cache, _ast_key, _batches
from ikidil.config import load_config
from ikidil.errors import BookError
from ikidil.ast import stringify, walk
from ikidil.load import _WORD, chapter_order, elements_of, first_word, load_book, load_chapter

sys.path.insert(0, str(REPO / "scripts"))
import bench  # noqa: E402


def one_by_one(root: Path) -> dict:
    """The straightforward load: each chapter read, parsed alone and vetted, in reading order."""
    config = load_config(root.resolve())
    bibliography = load_bibliography(config.bibliography)
    chapters = {}
    for lang in config.languages:
        paths = [config.manuscript_dir(lang) / name for name in chapter_order(config)]
        chapters[lang] = [load_chapter(path, lang, bibliography, config.root) for path in paths if path.is_file()]
    return chapters


def snapshot(chapters: dict) -> dict:
    return {lang: [(c.name, c.source, c.doc, [(b.index, b.line, b.node, b.citations, b.text) for b in c.blocks])
                   for c in chapter_list] for lang, chapter_list in chapters.items()}


def ast_entries(root: Path) -> dict:
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (root / CACHE_DIR / "ast").rglob("*.json")}


def warnings_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def bench_book(root: Path) -> Path:
    """A 3-chapter bench book; chapter 2 (tr) and 3 (en) make Pandoc warn (not fatally)."""
    bench.make_book(root, 3)
    with (root / "manuscript" / "02-chapter.md").open("a", encoding="utf-8") as fh:
        fh.write("\nBakınız [kaynak][r].\n\n[r]: https://a.example\n\n[r]: https://b.example\n")
    with (root / "translations" / "en" / "03-chapter.md").open("a", encoding="utf-8") as fh:
        fh.write("\nSee [the source][s].\n\n[s]: https://a.example\n\n[s]: https://c.example\n")
    return root


def assert_same_load(root: Path, caplog, jobs: int | None = None) -> None:
    reference = root.parent / (root.name + "-one-by-one")
    shutil.copytree(root, reference)
    caplog.clear()
    expected = snapshot(one_by_one(reference))
    expected_warnings = warnings_logged(caplog)

    caplog.clear()
    batched = load_book(root, jobs=jobs)                              # cold: every chapter in a batch
    assert snapshot(batched.chapters) == expected
    assert [w.replace(reference.name, root.name) for w in expected_warnings] == warnings_logged(caplog)

    entries = ast_entries(root)
    assert len(entries) == sum(len(chapters) for chapters in batched.chapters.values())
    caplog.clear()
    warm = load_book(root, jobs=jobs)                                 # warm: every chapter from the cache
    assert snapshot(warm.chapters) == expected
    assert warnings_logged(caplog) == [w.replace(reference.name, root.name) for w in expected_warnings]
    assert ast_entries(root) == entries                               # nothing parsed, nothing rewritten


def test_seed_book_loads_the_same_batched(book_copy, caplog):
    assert_same_load(book_copy, caplog)


@pytest.mark.parametrize("jobs", [1, 2])
def test_bench_book_with_warnings_loads_the_same_batched(tmp_path, caplog, jobs):
    root = bench_book(tmp_path / "b")
    assert_same_load(root, caplog, jobs)
    # The warnings name the file and the line of the second definition.
    lines = (root / "manuscript" / "02-chapter.md").read_text(encoding="utf-8").split("\n")
    assert any(w.endswith(f"02-chapter.md:{lines.index('[r]: https://b.example') + 1}: warning: "
                          "Duplicate link reference '[r]' at line "
                          f"{lines.index('[r]: https://b.example') + 1} column 1")
               for w in warnings_logged(caplog)), warnings_logged(caplog)
    assert sum("03-chapter.md" in w and "'[s]'" in w for w in warnings_logged(caplog)) == 1


def test_warm_load_reads_the_cache(tmp_path):
    root = bench.make_book(tmp_path / "b", 3)
    load_book(root)
    # Change the cached AST of one chapter: a warm load must show the change (it did not parse).
    source = (root / "translations" / "en" / "02-chapter.md").read_text(encoding="utf-8")
    # (through the cache itself: an entry edited by hand fails its hash and is a miss)
    cached = Cache(root).get_json("ast", _ast_key(source))
    cached["doc"]["blocks"][0]["c"][2][-1]["c"] = "İki"
    Cache(root).put_json("ast", _ast_key(source), cached)
    book = load_book(root)
    assert book.chapter("en", "02-chapter.md").title == "Chapter İki"
    assert book.chapter("en", "02-chapter.md").source == source
    assert book.chapter("tr", "02-chapter.md").title == "Bölüm 2"


def _first_error(load) -> tuple:
    with pytest.raises(BookError) as caught:
        load()
    error = caught.value
    return error.message, Path(error.file).name, Path(error.file).parent.name, error.line, error.hint


def test_first_faulty_chapter_in_reading_order_is_reported(tmp_path):
    root = bench.make_book(tmp_path / "b", 3)
    # Reading order: tr 01-03, then en 01-03. tr 03 has a note definition never used (a
    # Pandoc warning that is an error), en 01 is empty: tr 03 is reported, at its line.
    with (root / "manuscript" / "03-chapter.md").open("a", encoding="utf-8") as fh:
        fh.write("\nSon paragraf.\n\n[^yok]: Kullanılmayan not.\n")
    (root / "translations" / "en" / "01-chapter.md").write_text("\n\n", encoding="utf-8")
    reference = shutil.copytree(root, tmp_path / "reference")
    expected = _first_error(lambda: one_by_one(reference))
    assert expected[1:3] == ("03-chapter.md", "manuscript")
    lines = (root / "manuscript" / "03-chapter.md").read_text(encoding="utf-8").split("\n")
    assert expected[3] == lines.index("[^yok]: Kullanılmayan not.") + 1
    for jobs in (1, 2):
        threads = threading.enumerate()
        assert _first_error(lambda: load_book(root, jobs=jobs)) == expected
        # No batch still parses (and writes into the cache) once the error is out.
        assert threading.enumerate() == threads
        shutil.rmtree(root / CACHE_DIR)

    # Now tr 03 is fine and en 01 (empty) is the first faulty chapter.
    bench.make_book(tmp_path / "fresh", 3)
    shutil.copy(tmp_path / "fresh" / "manuscript" / "03-chapter.md", root / "manuscript" / "03-chapter.md")
    assert _first_error(lambda: load_book(root)) == ("chapter is empty", "01-chapter.md", "en", 1,
                                                     "write the chapter, or remove the file")


def test_a_chapter_pandoc_refuses_fails_its_batch_not_the_book(tmp_path):
    """Bad YAML metadata makes Pandoc fail: the batch holding it falls back to one-by-one
    parses, the chapter gets the same error, and the others still come from batches."""
    root = bench.make_book(tmp_path / "b", 3)
    chapter = root / "translations" / "en" / "02-chapter.md"
    chapter.write_text("---\na: b: c\n---\n\n" + chapter.read_text(encoding="utf-8"), encoding="utf-8")
    reference = shutil.copytree(root, tmp_path / "reference")
    expected = _first_error(lambda: one_by_one(reference))
    assert expected[0].startswith("pandoc: ") and expected[1:3] == ("02-chapter.md", "en")
    assert _first_error(lambda: load_book(root, jobs=1)) == expected
    # Every other chapter was parsed (and cached) all the same.
    assert len(list((root / CACHE_DIR / "ast").rglob("*.json"))) == 5


RICH_MARKDOWN = [
    """---
title: Başlık *italik*
empty_list: []
empty_map: {}
flag: true
nested:
  a: [1, "iki", {b: c}]
---

# Giriş {#giris .unnumbered lang=tr}

İstanbul'da "tırnak" ve 'tek' -- tire --- uzun... ^[Satır içi not.] ve [^n1] ve [@source0, 12; @source1 s. 4].

[^n1]: Not tanımı

    ikinci paragraf.

## Giriş

## Giriş

Tab\tiçeren satır, emoji 🎉, U+2028 [\u2028], NBSP [\u00a0] ve İı.

| a | b |
|--:|:--|
| 1 | *2* |

: Tablo başlığı

Term
:   Definition

(@) Örnek bir
(@ex) Örnek iki, bkz. (@ex)

1. bir
2. iki
   - [ ] görev

> Alıntı
>
> > iç içe

```python
print("kod")
```

| satır bloğu
|    girintili

$x^2$ ve H~2~O ve 2^10^ ve ~~silik~~ ve [küçük]{.smallcaps} ve `kod`{.py}

::: {.uyari lang=en}
Çit div
:::

![Resim başlığı](images/x.png){width=50%}

<b>kalın</b> <!-- yorum --> [ref][r] ve <https://example.com>

[r]: https://example.org "Başlık"

* * *

Son paragraf\\
satır sonu.
""",
    "# A\n\nNo trailing newline [^1]",
    "# T\n\n[^dup]: one\n\n[^dup]: two\n\nText[^dup].\n\n```\nunclosed",
    "# Zed\n\nSee [Zed](#zed) and [other](b.md#zed).\n",
    "# Zed\n\nSame heading, same identifier as alone.\n",
    # Blocks whose first word is not simply their first Str:
    "Ata*türk* dedi.\n\n\"Tırnak\" ile.\n\n`kod`parça.\n\n$x$y matematik.\n\n^[Not ile] başlar.\n\n"
    "![Resim](a.png)\n\n```\nkod bloğu\n```\n\n- - iç liste\n\n> > derin *alıntı*\n\n...!!! ---\n\n"
    "**Kalın**_alt\n\n[@source0] ile.\n\nH~2~O suyu.\n\n<span>x</span>yz\n\n“”\n",
]


def test_each_text_of_a_batch_is_parsed_as_alone():
    parsed, warnings = pandoc.read_markdown_many(RICH_MARKDOWN)
    assert warnings                                                  # the notes of text 3
    for text, one in zip(RICH_MARKDOWN, parsed):
        doc, alone_warnings = pandoc.read_markdown_with_warnings(text, Path("x.md"))
        assert json.loads(one.json) == doc
        assert one.logged == bool(alone_warnings)
    assert [one.logged for one in parsed] == [False, False, True, False, False, False]


def test_fast_searches_find_what_the_plain_ones_find():
    """block_lines anchors a block by first_word, Block.citations/notes use elements_of:
    each must equal its straightforward definition (stringify, ast.walk) on every block."""
    texts = RICH_MARKDOWN + [p.read_text(encoding="utf-8") for p in sorted((REPO / "manuscript").glob("*.md"))]
    blocks = [block for text in texts for block in pandoc.read_markdown(text, Path("x.md"))["blocks"]]
    assert len(blocks) > 60
    for block in blocks:
        words = _WORD.findall(stringify(block, skip=()))
        assert first_word(block) == (words[0] if words else None)
        for kind in ("Cite", "Note", "Emph", "Quoted", "Str"):
            assert [id(e) for e in elements_of(block, kind)] == [id(e) for e in walk(block) if e["t"] == kind]


def test_batches_keep_reading_order_and_balance_size():
    items = list(range(10))
    sizes = [5, 5, 5, 5, 100, 5, 5, 5, 5, 5]
    batches = _batches(items, sizes, jobs=2)
    assert [i for batch in batches for i in batch] == items
    assert 2 <= len(batches) <= 4
    assert _batches([], [], jobs=2) == [] and _batches([7], [1], jobs=8) == [[7]]


def test_block_lines_are_where_the_blocks_start():
    """Each block at its own line: a paragraph of a no-break space (text to Pandoc, not a
    blank line), a first word that is the start of an earlier block's word, one in emphasis."""
    from ikidil.load import block_lines
    source = "\n".join([
        "# Anlatı",                  # 1
        "",
        "Ankara'da başladı.",        # 3
        "",
        "\u00a0",                    # 5: a paragraph of a no-break space
        "",
        "",
        "An dediğimiz an geldi.",    # 8: "An" is the start of "Anlatı" and "Ankara"
        "",
        "_Ana_ metin burada.",       # 10
        "",
        "   ",                       # blank: spaces only
        "Son.",                      # 13
    ]) + "\n"
    doc = pandoc.read_markdown(source, Path("x.md"))
    assert [b["t"] for b in doc["blocks"]] == ["Header", "Para", "Para", "Para", "Para", "Para"]
    assert block_lines(source, doc["blocks"]) == [1, 3, 5, 8, 10, 13]
