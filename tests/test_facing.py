"""The bilingual PDF in facing pages (render/parallel/facing.py), built with real Pandoc and
WeasyPrint on the seed book and on a synthetic book of several chapters, and read back:
every verso holds source text only and every recto translation only (front matter aside),
each block pair starts on the same spread on both sides, each note is on its call's page and
numbered through the book in its own language, the page count is even, the structure tree
says each side's language and the bookmarks carry both titles."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, copy_book

WORD = re.compile(r"[^\W\d_]{4,}")


def _bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Facing:
    """A book's facing PDF and what the tests read from it."""

    def __init__(self, root: Path, out: Path, variant: str = "digital"):
        from ikidil.build import make_edition
        from ikidil.load import load_book
        from ikidil.render.parallel import render_pdf_parallel
        self.root = root
        self.book = load_book(root)
        self.edition = make_edition(self.book, "bilingual")
        self.path = out
        self.result = render_pdf_parallel(self.book, self.edition, out, variant, jobs=2)
        self.pdf = pikepdf.open(out)
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
        self.pages = text.split("\f")[:len(self.pdf.pages)]
        self.first_body = self.opening(self.book.chapters["tr"][0])

    def opening(self, chapter) -> int:
        """The 0-based page on which a chapter opens."""
        from ikidil.transform import chapter_id
        return self.destinations()[chapter_id(chapter)]

    def destinations(self) -> dict[str, int]:
        index = {page.objgen: n for n, page in enumerate(self.pdf.pages)}
        names = self.pdf.Root.Names.Dests.Names
        return {str(names[i]): index[names[i + 1][0].objgen] for i in range(0, len(names), 2)}


def _words(folder: Path) -> set[str]:
    return {w.lower() for path in folder.glob("*.md") for w in WORD.findall(path.read_text(encoding="utf-8"))}


def _page_words(text: str) -> list[str]:
    # Words broken at a line's end by hyphenation are joined again before they are read.
    joined = re.sub(r"[\u2010-](\n\s*)", "", text)
    return [w.lower() for w in WORD.findall(joined)]


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Facing:
    tmp = tmp_path_factory.mktemp("facing-seed")
    return Facing(copy_book(tmp / "book"), tmp / "seed.bilingual.pdf")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Facing:
    tmp = tmp_path_factory.mktemp("facing-long")
    return Facing(_bench().make_book(tmp / "book", 3), tmp / "synthetic.bilingual.pdf")


@pytest.fixture(params=["seed", "synthetic"])
def facing(request) -> Facing:
    return request.getfixturevalue(request.param)


def test_page_count_is_even_and_chapters_open_on_a_verso(facing):
    assert len(facing.pdf.pages) % 2 == 0
    assert facing.result.pages == len(facing.pdf.pages)
    for chapter in facing.book.chapters["tr"]:
        page = facing.opening(chapter)
        assert page % 2 == 1                     # 0-based odd: an even folio, the spread's verso


def test_versos_hold_the_source_and_rectos_the_translation(facing):
    """Words only the source manuscript has are never on a recto, words only the translation
    has never on a verso (the bibliography's titles and both languages' shared words aside)."""
    root = facing.root
    shared = _words(root / "manuscript") & _words(root / "translations" / "en")
    bib = {w.lower() for w in WORD.findall((root / "bibliography.yaml").read_text(encoding="utf-8"))}
    source_only = _words(root / "manuscript") - shared - bib
    translation_only = _words(root / "translations" / "en") - shared - bib
    checked = 0
    for number in range(facing.first_body, len(facing.pages)):
        words = _page_words(facing.pages[number])
        if not words:
            continue                              # a page left blank to keep the sides in step
        verso = number % 2 == 1
        wrong = [w for w in words if w in (translation_only if verso else source_only)]
        right = [w for w in words if w in (source_only if verso else translation_only)]
        assert not wrong, f"page {number + 1} ({'verso' if verso else 'recto'}): {wrong[:5]}"
        assert right or len([w for w in words if w not in bib]) < 30, f"page {number + 1} has none of its side's words"
        checked += 1
    assert checked >= 6


def test_each_pair_starts_on_the_same_spread(facing):
    from ikidil.render.parallel import split_parts
    from ikidil.render.parallel.facing import FacingSide, side_document
    from ikidil.render.pdf import edition_html
    parts, _ = split_parts(edition_html(facing.book, facing.edition, "facing"))
    dests = facing.destinations()
    langs = {"source": "tr", "translation": "en"}
    pairs = 0
    for part in parts[1:]:
        markers = {role: side_document(part.html, FacingSide(role, lang, 0), langs).markers
                   for role, lang in langs.items()}
        assert len(markers["source"]) == len(markers["translation"]) > 1
        for source, translation in zip(markers["source"], markers["translation"]):
            assert dests[source] % 2 == 1, f"{source} is not on a verso"
            assert dests[translation] == dests[source] + 1, f"{source}, {translation} on different spreads"
            pairs += 1
    assert pairs >= 10


def test_each_side_is_paginated_once_a_page_at_a_time(synthetic):
    """stepping.py: a chapter's two sides are made a page at a time side by side, a page
    made again only where the longer side ran shorter, and every pair starts on the same
    page of both sides; whole layouts and tails (facing.in_step) lay out far more pages."""
    from types import SimpleNamespace
    import weasyprint
    from ikidil.render import pdf, weasy_fixes
    from ikidil.render.fetch import ASSETS, ProjectFetcher
    from ikidil.render.parallel import split_parts
    from ikidil.render.parallel.facing import FacingSide, _pair_positions, in_step as whole, pages_of, side_document
    from ikidil.render.parallel.stepping import SideLayout, in_step
    weasy_fixes.prepare()
    book = SimpleNamespace(config=synthetic.book.config, root=synthetic.root)
    parts, _ = split_parts(pdf.edition_html(synthetic.book, synthetic.edition, "facing"))
    langs = {"source": "tr", "translation": "en"}
    sides = {role: side_document(parts[1].html, FacingSide(role, lang, 0), langs) for role, lang in langs.items()}

    def html(text: str):
        return weasyprint.HTML(string=text, base_url=str(ASSETS) + "/", url_fetcher=ProjectFetcher(synthetic.root))

    def start(role, text, css):
        return SideLayout(html(text), pdf.stylesheets(book, "digital", css), pdf.font_config(), sides[role].markers)
    laid, made = in_step(start, sides)
    starts = {role: [page for page, _ in _pair_positions(pages_of(laid[role]), sides[role].markers)] for role in langs}
    assert starts["source"] == starts["translation"]
    pages = laid["source"][0].count + laid["translation"][0].count
    pushed = [n for n in range(1, len(starts["source"])) if starts["source"][n] != starts["source"][n - 1]]
    assert pages <= made <= pages + len(pushed)         # a page is made again only for a push
    laid_out = []

    def render(role, text, css):
        document = html(text).render(stylesheets=pdf.stylesheets(book, "digital", css), font_config=pdf.font_config())
        laid_out.append(len(document.pages))
        return document, None
    old, _ = whole(render, sides)
    assert len(pages_of(old["source"])) * 2 == pages
    assert sum(laid_out) > 1.3 * made


def test_notes_sit_on_their_calls_page_numbered_through_the_book_per_side(facing):
    assert not [p for p in facing.result.problems if p.kind == "footnote-displaced"]
    numbers = {True: [], False: []}
    for number in range(facing.first_body, len(facing.pages)):
        lines = [line for line in facing.pages[number].splitlines() if line.strip()]
        if lines and lines[-1].strip().isdigit():
            lines = lines[:-1]                                            # the folio
        foot = [int(m.group(1)) for line in lines if (m := re.match(r"\s{0,3}(\d{1,3})\.\s", line))]
        body = "\n".join(line for line in lines if not re.match(r"\s{0,3}\d{1,3}\.\s", line))
        for note in foot:
            # the call: the note's number, a superscript (pdftotext may set it on a line of its own)
            assert re.search(rf"(?<!\d){note}(?!\d)", body), f"page {number + 1}: note {note} without its call"
        numbers[number % 2 == 1] += foot
    for side, found in numbers.items():
        assert found == list(range(1, len(found) + 1)), f"{'verso' if side else 'recto'} notes {found}"
    assert numbers[True] and numbers[False]


def test_each_side_is_tagged_with_its_language_and_bookmarks_carry_both_titles(facing):
    pages = {page.objgen: n for n, page in enumerate(facing.pdf.pages)}
    root = facing.pdf.Root.StructTreeRoot.K
    found: dict[int, set[str]] = {}

    def walk(element, lang):
        if not isinstance(element, pikepdf.Dictionary):
            return
        lang = str(element.get("/Lang", lang))
        page = element.get("/Pg")
        if page is not None and str(element.get("/S")) == "/P":
            found.setdefault(pages[page.objgen], set()).add(lang)
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            walk(kid, lang)
    walk(root[0] if isinstance(root, pikepdf.Array) else root, str(facing.pdf.Root.Lang))
    body = {n: langs for n, langs in found.items() if n >= facing.first_body}
    assert body and all(langs == ({"tr"} if n % 2 == 1 else {"en"}) for n, langs in body.items()), body
    with facing.pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert titles[-1] == "Kaynakça / Bibliography"
    assert all(" / " in title for title in titles)
    assert not any("\u2060" in title for title in titles)        # typeset's word joiners left out
    assert len(titles) == len(facing.book.chapters["tr"]) + 1


def test_running_heads_are_in_each_sides_language(seed):
    """The verso's head is the book's title in Turkish, the recto's the chapter's in English;
    the chapter's opening spread has none."""
    for number in (seed.first_body, seed.first_body + 1):
        first = next(line.strip() for line in seed.pages[number].splitlines() if line.strip())
        assert first.replace(" ", "").startswith("MustafaKemalPaşa" if number % 2 else "MustafaKemalPasha"), first
    checked = 0
    for number in range(seed.first_body + 2, len(seed.pages) - 4):
        first = next((line.strip() for line in seed.pages[number].splitlines() if line.strip()), "")
        if number % 2 == 1:
            assert first.replace(" ", "").startswith("MUSTAFAKEMALPAŞAVETÜRKİYE’DEKİ"), first
        else:
            assert first.replace(" ", "").startswith("MUSTAFAKEMALPASHAANDTHE"), first
        checked += 1
    assert checked >= 4


def test_columns_layout_tags_each_language_and_joins_the_bookmark_titles(tmp_path):
    """`bilingual_layout: columns` keeps the parallel columns; there too each block's
    structure element says its language and each chapter has one bookmark with both titles."""
    root = copy_book(tmp_path / "book")
    config = root / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "bilingual_layout: columns\n", encoding="utf-8")
    columns = Facing(root, tmp_path / "columns.pdf")
    assert "Relations between" in columns.pages[columns.first_body]       # both languages on one page
    assert "Mustafa Kemal Paşa ile" in columns.pages[columns.first_body]
    langs: dict[str, set[str]] = {}

    def walk(element, lang):
        if not isinstance(element, pikepdf.Dictionary):
            return
        lang = str(element.get("/Lang", lang))
        if str(element.get("/S")) == "/P":
            langs.setdefault(lang, set()).add(element.objgen)
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            walk(kid, lang)
    root_kids = columns.pdf.Root.StructTreeRoot.K
    walk(root_kids[0] if isinstance(root_kids, pikepdf.Array) else root_kids, str(columns.pdf.Root.Lang))
    assert len(langs.get("en", ())) > 20 and len(langs.get("tr", ())) > 20
    with columns.pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert titles == ["Mustafa Kemal Paşa ve Türkiye’deki Komünistler, 1919–1922 / "
                      "Mustafa Kemal Pasha and the Communists in Turkey, 1919–1922", "Kaynakça / Bibliography"]


def test_a_long_pair_runs_on_over_spreads_in_step_beside_empty_pages(tmp_path):
    """One English paragraph made three pages longer than its Turkish: the pair runs on over
    the next spreads, the Turkish side's pages there are left empty (no running head, no
    folio), and the next pair starts on the same spread on both sides again."""
    root = copy_book(tmp_path / "book")
    chapter = root / "translations" / "en" / "01-mustafa-kemal-ve-komunistler.md"
    blocks = chapter.read_text(encoding="utf-8").split("\n\n")
    blocks[4] += " " + "The delegation waited in Moscow for an answer that did not come. " * 160
    chapter.write_text("\n\n".join(blocks), encoding="utf-8")
    long = Facing(root, tmp_path / "long.pdf")
    assert len(long.pdf.pages) % 2 == 0
    empty = [n for n in range(long.first_body, len(long.pages) - 1) if not long.pages[n].strip()]   # not the last leaf
    versos = [n for n in empty if n % 2 == 1]
    assert len(versos) >= 2, empty                        # the Turkish side waits, page after page
    for n in versos:
        assert "Moscow for an answer" in long.pages[n + 1]
    test_each_pair_starts_on_the_same_spread(long)
