"""EPUB finish a reader notices: titles, contents page, back links, notes in Apple Books,
the bilingual translation's look, hyphenation rules (render/epub.py, assets/epub.css)."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def files(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def css_rule(css: str, selector: str) -> str:
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, selector
    return match.group(1)


@pytest.mark.parametrize("edition, contents", [("tr", "İçindekiler"), ("en", "Contents"), ("bilingual", "İçindekiler")])
def test_titles_of_chapters_and_contents(epub_book, edition, contents):
    book = files(epub_book[1][edition])
    for name, data in book.items():
        if not name.startswith("EPUB/text/ch"):
            continue
        root = etree.fromstring(data)
        title = root.find("x:head/x:title", NS).text
        heading = " ".join("".join(root.find(".//x:h1", NS).itertext()).split())
        assert not title.endswith(".xhtml")
        assert title == heading.replace("\u2060", "")
    nav = etree.fromstring(book["EPUB/nav.xhtml"])
    assert nav.find(".//x:nav[@epub:type='toc']/x:h1", NS).text == contents
    assert nav.find("x:head/x:title", NS).text == contents


def test_back_links_ask_for_the_text_glyph(epub_book):
    chapter = files(epub_book[1]["en"])["EPUB/text/ch001.xhtml"].decode("utf-8")
    backs = re.findall(r'role="doc-backlink"[^>]*>([^<]*)<', chapter)
    assert backs and set(backs) == {"\u21a9\ufe0e"}


def test_notes_are_not_asides_so_apple_books_shows_them(epub_book):
    for path in epub_book[1].values():
        for name, data in files(path).items():
            if name.endswith(".xhtml"):
                assert b"<aside" not in data, name


def test_stylesheet_rules(epub_book):
    css = files(epub_book[1]["bilingual"])["EPUB/styles/stylesheet1.css"].decode("utf-8")
    body = css_rule(css, "body")
    assert "-webkit-hyphens: auto" in body and re.search(r"(?<!-)hyphens: auto", body)
    translation = css_rule(css, ".bi-pair > .bi-translation")
    assert "italic" not in translation and not re.search(r"(?<!-)color:", translation)
    assert "border-left" in translation and "margin" in translation and "font-size" in translation
    assert "@media (prefers-color-scheme: dark)" in css
    assert "list-style: none" in css_rule(css, "nav#toc ol")
    toc_link = css_rule(css, "nav#toc a")
    assert "text-decoration: none" in toc_link and "color: inherit" in toc_link


def test_every_document_says_its_language_for_hyphenation(epub_book):
    for edition, path in epub_book[1].items():
        for name, data in files(path).items():
            if name.endswith(".xhtml"):
                root = etree.fromstring(data)
                assert root.get("lang") and root.get("{http://www.w3.org/XML/1998/namespace}lang")


def test_nothing_vanishes_in_night_mode(epub_book):
    """A reading system's night mode sets light text: every rule that paints a background keeps
    the text on it dark itself (the code box's plain code vanished), and links take the text's
    colour instead of a browser blue that cannot be read on black."""
    import tinycss2
    css = files(epub_book[1]["bilingual"])["EPUB/styles/stylesheet1.css"].decode("utf-8")
    rules = [r for r in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
             if r.type == "qualified-rule"]
    declared: dict[str, dict[str, str]] = {}
    for rule in rules:
        for selector in tinycss2.serialize(rule.prelude).split(","):
            declared.setdefault(" ".join(selector.split()), {}).update(
                {d.lower_name: tinycss2.serialize(d.value).strip()
                 for d in tinycss2.parse_blocks_contents(rule.content) if d.type == "declaration"})
    painted = [s for s, d in declared.items()
               if d.get("background", d.get("background-color", "none")) not in ("none", "transparent")]
    assert "pre" in painted
    assert [s for s in painted if "color" not in declared[s]] == []
    assert declared["a"]["color"] == "inherit"


def test_no_heading_is_smaller_than_the_text(epub_book):
    """A browser's default h5 (0.83em) and h6 (0.67em) read as footnotes: every level is at
    least the text's size, told apart by its style."""
    css = files(epub_book[1]["en"])["EPUB/styles/stylesheet1.css"].decode("utf-8")
    styles = set()
    for level in range(1, 7):
        rule = css_rule(css, f"\nh{level}")
        size = re.search(r"font-size:\s*([\d.]+)em", rule)
        assert size and float(size.group(1)) >= 1, level
        margin = re.search(r"margin:([^;]*);", rule)
        indent = margin.group(1).split()[3:] if margin else []           # a left margin indents
        styles.add((re.sub(r"\s*(margin|font-size|line-height|letter-spacing)[^;]*;", "", rule).strip(),
                    tuple(indent)))
    assert len(styles) == 6                      # no two levels look alike, size aside
