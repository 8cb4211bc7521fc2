"""The transform stage's fast paths give exactly the documents of the straightforward ones.

- citeproc on a skeleton (ikidil.cite_skeleton) against the whole document through
  `pandoc --citeproc`, JSON-equal: on the seed book, a 3-chapter bench book, a chapter of
  hard cases under several styles (notes with ibid., superscript numbers, author-date), and
  random documents;
- chapter_blocks / notes_to_spans / separate_titles (ast.rewrite: shared subtrees, no deep
  copy) against the deep-copy + ast.transform versions they replaced;
- no pass changes the Book or its input document in place (they share nodes now).

Everything runs real Pandoc; the "straightforward" versions below are the code this
stage had before it was made fast."""

from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_book
from ikidil import interleave, pandoc, typeset
from ikidil.ast import attr, meta_string, rewrite, span, transform, walk
from ikidil.cite_skeleton import cite_by_skeleton
from ikidil.interleave import bilingual_edition
from ikidil.load import load_book
from ikidil.render.epub import separate_titles
from ikidil.cite_lang import tag_languages
from ikidil.transform import (STYLES_DIR, bibliography_section, chapter_blocks, chapter_id, cite_whole,
                              edition_document, note_to_span, notes_to_spans, resolve_csl,
                              translator_notes)

sys.path.insert(0, str(REPO / "scripts"))
import bench  # noqa: E402


# ---------------------------------------------------------------- the straightforward versions

def straight_chapter_blocks(chapter, heads=None, suffix="") -> list[dict]:
    from ikidil import links
    heads = heads if heads is not None else {chapter.slug: transform_first_h1_id(chapter)}
    blocks = copy.deepcopy([b.node for b in chapter.blocks])
    first_h1 = True
    for node in walk(blocks):
        if node["t"] == "Header":
            level, (ident, classes, kv), _ = node["c"]
            if level == 1 and first_h1:
                node["c"][1] = [chapter_id(chapter), classes, kv]
                first_h1 = False
            else:
                node["c"][1] = [f"{chapter.slug}-{ident}{suffix}", classes, kv]
        elif node["t"] in ("Div", "Span", "CodeBlock", "Code", "Link", "Image", "Table", "Figure"):
            if node["c"][0][0]:
                node["c"][0][0] = f"{chapter.slug}-{node['c'][0][0]}{suffix}"
            if node["t"] == "Link" and links.is_in_book(node["c"][2][0]):
                path, fragment = links.split(node["c"][2][0])
                stem = Path(path).stem if path else chapter.slug
                node["c"][2][0] = f"#ch-{stem}" if fragment and heads.get(stem) == fragment else \
                    links.resolve(node["c"][2][0], chapter.slug, suffix)
    return blocks


def transform_first_h1_id(chapter) -> str:
    return next((b.node["c"][1][0] for b in chapter.blocks if b.kind == "Header" and b.node["c"][0] == 1), "")


def straight_edition_document(book, lang, chapters=None, id_suffix="") -> dict:
    heads = {c.slug: transform_first_h1_id(c) for c in book.chapters[lang]}
    chapters = book.chapters[lang] if chapters is None else chapters
    blocks = [b for chapter in chapters for b in straight_chapter_blocks(chapter, heads, id_suffix)]
    blocks = translator_notes(blocks, lang)
    if book.bibliography.path is not None:
        blocks.append(bibliography_section(lang))
    doc = {"pandoc-api-version": chapters[0].doc["pandoc-api-version"] if chapters else [1, 23],
           "meta": {"lang": meta_string(lang)}, "blocks": blocks}
    return typeset.document(tag_languages(cite_whole(doc, book, lang), book.bibliography.entries, lang))


def straight_notes_to_spans(doc: dict) -> dict:
    # The same conversion through the plain bottom-up transform, which rebuilds everything.
    return transform(doc, note_to_span)


def straight_separate_titles(doc: dict) -> dict:
    def visit(node: dict):
        if node["t"] != "Header" or "bi-heading" not in node["c"][1][1]:
            return None
        inlines, out = node["c"][2], []
        for index, inline in enumerate(inlines):
            if index:
                out.append(span([{"t": "Space"}, {"t": "Str", "c": "/"}, {"t": "Space"}], ["bi-title-separator"]))
            out.append(inline)
        node["c"][2] = out
        return node
    return transform(doc, visit)


# ---------------------------------------------------------------- books and documents

@pytest.fixture(scope="module")
def seed_book(tmp_path_factory):
    return load_book(copy_book(tmp_path_factory.mktemp("seed") / "book"))


@pytest.fixture(scope="module")
def bench_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench") / "book"
    bench.make_book(root, 3)
    return load_book(root)


def unprocessed(book, lang: str, blocks: list[dict] | None = None) -> dict:
    """The document edition_document sends to citeproc."""
    if blocks is None:
        blocks = [b for chapter in book.chapters[lang] for b in chapter_blocks(chapter)]
    return {"pandoc-api-version": [1, 23, 1, 1], "meta": {"lang": meta_string(lang)},
            "blocks": [*blocks, bibliography_section(lang)]}


def citeproc(book, lang: str, style: str | None = None):
    """`pandoc --citeproc` JSON → JSON, with the book's style or a named one, counting calls."""
    csl = STYLES_DIR / f"{style}.csl" if style else resolve_csl(book)
    args = ["--citeproc", "--bibliography", str(book.bibliography.path), "--csl", str(csl), "-M", f"lang={lang}"]

    def run(doc: dict) -> dict:
        run.sent.append(doc)
        return json.loads(pandoc.write(doc, "json", args))
    run.sent = []
    return run


def inline_count(doc: dict) -> int:
    return sum(1 for node in walk(doc["blocks"]) if node["t"] in ("Str", "Space"))


def assert_skeleton_matches(doc: dict, run) -> dict:
    """cite_by_skeleton(doc) == the whole doc through citeproc, and Pandoc got a skeleton
    (one call, fewer words than the document), not the whole document."""
    before = json.dumps(doc, sort_keys=True)
    fast = cite_by_skeleton(doc, run)
    assert len(run.sent) == 1, "the skeleton was given up for the whole document"
    assert inline_count(run.sent[0]) < inline_count(doc)
    whole = run(doc)
    assert fast == whole
    assert json.dumps(doc, sort_keys=True) == before, "the input document was changed"
    return whole


# ---------------------------------------------------------------- citeproc on a skeleton

@pytest.mark.parametrize("lang", ["tr", "en"])
@pytest.mark.parametrize("which", ["seed", "bench"])
def test_skeleton_citeproc_equals_whole_document(which, lang, seed_book, bench_book):
    book = seed_book if which == "seed" else bench_book
    doc = unprocessed(book, lang)
    whole = assert_skeleton_matches(doc, citeproc(book, lang))
    assert any(n["t"] == "Note" for n in walk(whole["blocks"]))     # citeproc made its notes
    # and the edition as a whole, headings and all, is what the straightforward code makes
    assert edition_document(book, lang) == straight_edition_document(book, lang)


HARD_CASES = """\
# Zor durumlar

Birinci alıntı [@gokay2006, 9]. Hemen ardından aynı kaynak [@gokay2006, 10]. Ve yine [@gokay2006, 10]. \
Uzun bir ara cümle burada duruyor ve hiçbir kaynağa değinmiyor, yalnızca yer tutuyor.

Virgülden önce [@aslan2002, 5], noktalı virgülden önce [@perincek2005, 12]; iki nokta [@aslan2002]: \
ve soru [@gokay2006]? Ünlem [@perincek2005]! Araya giren sıradan bir cümle daha.

Tırnak içinde “bir söz” [@aslan2002, 3]. Ve “başka bir söz [@gokay2006, 4].” Düz tırnak "düz söz" \
[@perincek2005, 5], sonra 'tek tırnak' [@aslan2002, 6]. Kapanıştan önce "söz [@gokay2006, 8]".

İki kaynak bir arada [@aslan2002, 3; @gokay2006, 4]. Yazar bastırılmış [-@perincek2005, 7]. Metin \
içinde @aslan2002 [p. 3] diyor ki. Ayrıca @gokay2006 [9] önemli. Önek ve sonek [bkz. @perincek2005, 9, özellikle].

Bir dipnot^[[@gokay2006, 11] dipnotun başında.] ve bir başka^[Dipnotun ortasında [@aslan2002, 3] bir \
alıntı, ve sonunda @perincek2005 [5].] ve alıntısız bir dipnot^[Sadece açıklama.]. Bir \
de^[@gokay2006 [12] metin içi başta.] son.

Aynı kaynak ardışık dipnotlarda^[Bkz. [@perincek2005, 20].]^[Yine [@perincek2005, 20].] ve ibid'den \
sonra ibid^[[@perincek2005, 21].] kapanış [@perincek2005, 21]. Sonra [@perincek2005, 21]. Ve [@perincek2005].

Boşluksuz[@aslan2002]. Çift nokta [@gokay2006, 1]. . Parantez içinde (bakınız [@aslan2002, 4]). \
*Vurgu içinde [@gokay2006, 5].* Ardışık [@aslan2002] [@perincek2005]. Üç nokta [@aslan2002, 2]... \
devam. Tire [@gokay2006, 3] — devam. Kod [@aslan2002]`x` ve vurgu [@gokay2006]*y*. Not ardından \
[@aslan2002].^[bir not.] Sonra,[@perincek2005] virgül. Noktalama dizisi [@gokay2006, 2].,;: son. Nokta, not, virgül [@aslan2002, 7].^[araya giren not], devam. Vurgulu nokta [@gokay2006, 8]*.*, devam. Satır
sonu [@aslan2002]
, yeni satır.

- Liste içinde [@gokay2006, 6].
- İkinci madde^[Not [@aslan2002].].

> Alıntı bloğu [@perincek2005, 8], devam.

| Tablo | Hücre |
|---|---|
| alıntı [@aslan2002, 9]. | x |

Terim [@gokay2006]
:   Tanım [@perincek2005, 3].

| Bir satır [@aslan2002].
| İkinci satır.

::: {.kutu}
Div içinde [@gokay2006, 7].
:::

Son paragraf [@gokay2006]. [@aslan2002]
"""


@pytest.mark.parametrize("lang", ["tr", "en"])
@pytest.mark.parametrize("style", [None, "chicago-notes-bibliography-subsequent-ibid-classic-no-url",
                                   "nature", "apa"])
def test_skeleton_citeproc_hard_cases(style, lang, seed_book):
    blocks = pandoc.read_markdown(HARD_CASES, Path("hard.md"))["blocks"]
    whole = assert_skeleton_matches(unprocessed(seed_book, lang, blocks), citeproc(seed_book, lang, style))
    text = pandoc.write(whole, "plain", ["--wrap=none"])
    if style is None or "notes" in style:
        assert "Birinci alıntı.[" in text      # the note moved after the full stop
    if style and "ibid" in style and lang == "en":
        assert text.count("Ibid") >= 3        # ibid., and ibid. after ibid., are exercised


def random_markdown(seed: int) -> str:
    """Paragraphs of words, punctuation, quotes, citations of every form, notes with and
    without citations, emphasis, code and line breaks, glued with and without spaces."""
    rng = random.Random(seed)
    keys = ["aslan2002", "gokay2006", "perincek2005"]

    def citation() -> str:
        key, loc = rng.choice(keys), rng.choice(["", ", 3", ", p. 4", ", 9–10"])
        return rng.choice([f"[@{key}{loc}]", f"[-@{key}{loc}]", f"@{key}" + (f" [{loc[2:]}]" if loc else ""),
                           f"[@{key}{loc}; @{rng.choice(keys)}]", f"[bkz. @{key}{loc}]"])

    def token(in_note: bool) -> str:
        x = rng.random()
        if x < 0.35:
            return rng.choice(["söz", "kelime", "Ankara", "and", "the", "İzmir", "1921"])
        if x < 0.5:
            return rng.choice([".", ",", ";", ":", "!", "?", "...", ".,", ")", "(", "—", "–", "*.*"])
        if x < 0.7:
            return citation()
        if x < 0.76:
            return rng.choice(['"', "'", "“"]) + rng.choice(["söz", "söz."]) + rng.choice(['"', "'", "”"])
        if x < 0.8 and not in_note:
            return "^[" + paragraph(True) + "]"
        if x < 0.84:
            return "*" + rng.choice(["vurgu", "vurgu " + citation(), citation() + "."]) + "*"
        if x < 0.87:
            return "`kod`"
        return "\n" if x < 0.9 else rng.choice(["ve", "de"])

    def paragraph(in_note: bool = False) -> str:
        out = ""
        for _ in range(rng.randint(2, 6) if in_note else rng.randint(3, 40)):
            out += ("" if not out or rng.random() < 0.3 else " ") + token(in_note)
        return "x " + out.replace("\n ", "\n").strip()

    return "\n\n".join(paragraph() for _ in range(rng.randint(3, 10)))


@pytest.mark.parametrize("seed", range(12))
def test_skeleton_citeproc_random_documents(seed, seed_book):
    styles = [None, "chicago-notes-bibliography-subsequent-ibid-classic-no-url", "nature", "apa"]
    lang = ("tr", "en")[seed // len(styles) % 2]
    blocks = pandoc.read_markdown(random_markdown(seed), Path("random.md"))["blocks"]
    assert_skeleton_matches(unprocessed(seed_book, lang, blocks),
                            citeproc(seed_book, lang, styles[seed % len(styles)]))


@pytest.mark.parametrize("markdown", [
    "Bir [alıntı]{.csl-quoted} ve [@aslan2002].",              # a Span citeproc rewrites
    "Bir [not]{.csl-note} ve [@aslan2002].",
    "# Bölüm {.reset-citation-positions}\n\nMetin [@aslan2002].",
    "::: {#refs}\nKendi kaynakçası\n:::\n\nMetin [@aslan2002].",
])
def test_documents_the_skeleton_cannot_carry_go_whole(markdown, seed_book):
    doc = unprocessed(seed_book, "tr", pandoc.read_markdown(markdown, Path("odd.md"))["blocks"])
    run = citeproc(seed_book, "tr")
    result = cite_by_skeleton(doc, run)
    assert run.sent[-1] is doc                  # Pandoc got the whole document
    assert len(run.sent) == 1                   # and nothing else first
    assert result == run(doc)


# ---------------------------------------------------------------- the other passes

def test_bilingual_edition_equals_straightforward(seed_book, monkeypatch):
    fast = bilingual_edition(seed_book).doc
    monkeypatch.setattr(interleave, "edition_document", straight_edition_document)
    assert fast == bilingual_edition(seed_book).doc


@pytest.mark.parametrize("which", ["seed", "bench"])
def test_notes_to_spans_and_separate_titles_equal_transform(which, seed_book, bench_book):
    book = seed_book if which == "seed" else bench_book
    for doc in (edition_document(book, "tr"), bilingual_edition(book).doc):
        before = json.dumps(doc, sort_keys=True)
        spans = notes_to_spans(doc)
        assert spans == straight_notes_to_spans(doc)
        assert any(n["t"] == "Span" and "footnote" in n["c"][0][1] for n in walk(spans["blocks"]))
        titled = separate_titles(doc)
        assert titled == straight_separate_titles(copy.deepcopy(doc))
        assert json.dumps(doc, sort_keys=True) == before
    assert any(n["t"] == "Span" and "bi-title-separator" in n["c"][0][1] for n in walk(titled["blocks"]))


def test_chapter_blocks_equal_deep_copy_and_leave_the_book_alone(bench_book):
    book = bench_book
    snapshot = json.dumps({lang: [[b.node for b in c.blocks] for c in chapters]
                           for lang, chapters in book.chapters.items()}, sort_keys=True)
    for chapter in book.chapters["tr"]:
        assert chapter_blocks(chapter) == straight_chapter_blocks(chapter)
    edition = bilingual_edition(book)
    notes_to_spans(edition.doc)
    separate_titles(edition.doc)
    assert json.dumps({lang: [[b.node for b in c.blocks] for c in chapters]
                       for lang, chapters in book.chapters.items()}, sort_keys=True) == snapshot


def test_rewrite_equals_transform(seed_book):
    """ast.rewrite against ast.transform: replacements, lists spliced into their parent,
    elements left alone, top-down with pre=True; the input stays as it was."""
    doc = edition_document(seed_book, "en")
    before = json.dumps(doc, sort_keys=True)

    def fn(node):
        if node["t"] == "Emph":
            return node["c"]                                        # spliced
        if node["t"] == "Str" and node["c"].isdigit():
            return {"t": "Str", "c": node["c"] + "#"}
        if node["t"] == "Note":
            return {"t": "Span", "c": [attr("", ["n"]), [{"t": "Str", "c": str(len(node["c"]))}]]}
        return None
    types = {"Emph", "Str", "Note"}
    expected = transform(doc, lambda n: fn(n) if n["t"] in types else None)
    assert rewrite(doc, types, fn) == expected != doc
    assert json.dumps(doc, sort_keys=True) == before

    counter = iter(range(10**6))

    def number(node):
        return {**node, "c": [node["c"][0], [f"h{next(counter)}", *node["c"][1][1:]], node["c"][2]]}
    reference = copy.deepcopy(doc)
    check = iter(range(10**6))
    for node in walk(reference):
        if node["t"] == "Header":
            node["c"][1] = [f"h{next(check)}", *node["c"][1][1:]]
    assert rewrite(doc, {"Header"}, number, pre=True) == reference
    assert json.dumps(doc, sort_keys=True) == before


@pytest.mark.parametrize("suffix", ["", "-en"])
def test_chapter_blocks_rename_ids_and_lead_links_as_the_deep_copy_does(suffix):
    """The kitchen-sink book's explicit ids, spans, divs and in-book links."""
    book = load_book(REPO / "tests" / "data" / "kitchen-sink")
    heads = {c.slug: transform_first_h1_id(c) for c in book.chapters["en"]}
    for chapter in book.chapters["en"]:
        assert chapter_blocks(chapter, heads, suffix) == straight_chapter_blocks(chapter, heads, suffix)
    first = chapter_blocks(book.chapters["en"][0], heads, suffix)
    hrefs = [n["c"][2][0] for n in walk(first) if n["t"] == "Link"]
    assert "#02-son-son-soz" + suffix in hrefs and "#01-yapilar-tablolar" + suffix in hrefs and "#ch-02-son" in hrefs
