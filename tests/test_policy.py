"""book.yaml `policy` for stale and missing translation, through real builds:
error stops the build, warn builds as is, mark builds the source block flagged."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import html

from conftest import copy_book, pdftotext, run_ikidil

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"
EDITED = "Önce Sovyet Rusya’nın Türkiye’den umutlarına"          # was: beklentilerine
DROPPED = "Soviet Russian control of the Straits"                 # its source: Boğazlar’ın Sovyet Rusya’nın…


def slipped_book(root, stale: str, missing: str):
    """The seed with one source paragraph edited (stale) and one translated paragraph deleted (missing)."""
    copy_book(root)
    source = root / "manuscript" / CHAPTER
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Önce Sovyet Rusya’nın Türkiye’den beklentilerine", EDITED), encoding="utf-8")
    target = root / "translations" / "en" / CHAPTER
    target.write_text("\n\n".join(p for p in target.read_text(encoding="utf-8").split("\n\n")
                                  if not p.startswith(DROPPED)), encoding="utf-8")
    config = root / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("stale: error", f"stale: {stale}")
                      .replace("missing: error", f"missing: {missing}"), encoding="utf-8")
    return root


def epub_body(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in sorted(z.namelist()) if n.endswith(".xhtml"))


def built(root, name):
    return next((root / "build").glob(f"*.{name}"))


def test_error_policy_stops_the_build(tmp_path):
    root = slipped_book(tmp_path / "book", "error", "error")
    proc = run_ikidil(["build", "-e", "en", "-f", "epub"], cwd=root)
    assert proc.returncode == 1        # stopped by check errors (README: exit codes)
    assert f"translations/en/{CHAPTER}:" in proc.stderr and "S001" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list((root / "build").glob("*.epub")) if (root / "build").exists() else True


def test_warn_policy_builds_what_there_is(tmp_path):
    root = slipped_book(tmp_path / "book", "warn", "warn")
    proc = run_ikidil(["build", "-e", "en", "-f", "epub"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "warning S001" in proc.stderr and "warning A002" in proc.stderr
    body = epub_body(built(root, "en.epub"))
    assert "It is worth looking first at" in body             # the stale translation, as it stands
    assert DROPPED not in body and "ikidil-flag" not in body


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    root = slipped_book(tmp_path_factory.mktemp("mark") / "book", "mark", "mark")
    proc = run_ikidil(["build", "-e", "en", "-e", "bilingual", "-f", "epub", "-f", "pdf",
                       "--pdf-variant", "digital"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root, proc


def flags(xhtml: str) -> list:
    doc = html.fromstring(xhtml.encode("utf-8"))
    return doc.xpath('//*[contains(concat(" ", @class, " "), " ikidil-flag ")]')


def test_mark_policy_substitutes_flagged_source_blocks_in_the_epub(marked):
    root, proc = marked
    assert "warning S001" in proc.stderr and "built in the source language, flagged" in proc.stderr
    found = {f.get("class"): f for f in flags(epub_body(built(root, "en.epub")))}
    assert set(found) == {"ikidil-flag ikidil-stale", "ikidil-flag ikidil-missing"}
    stale, missing = found["ikidil-flag ikidil-stale"], found["ikidil-flag ikidil-missing"]
    for div, label in ((stale, "Translation out of date"), (missing, "Not translated")):
        assert div.get("lang") == "tr"
        [span] = div.xpath('.//span[@class="ikidil-flag-label"]')
        assert span.text_content() == label and span.get("lang") == "en"
    assert EDITED in stale.text_content()
    assert missing.text_content().split(label)[-1].strip().startswith("Boğazlar’ın Sovyet Rusya’nın")


def test_mark_policy_shows_in_the_pdf(marked):
    root, _ = marked
    text = re.sub(r"\s+", " ", pdftotext(built(root, "en.pdf")).replace("‐\n", ""))
    assert "Translation out of date" in text and "Not translated" in text
    assert "Boğazlar’ın Sovyet Rusya’nın denetiminde" in text


def test_mark_policy_in_the_bilingual_edition(marked):
    root, _ = marked
    body = epub_body(built(root, "bilingual.epub"))
    assert len(flags(body)) == 2 and "Translation out of date" in body


def test_mark_policy_fills_a_missing_chapter(tmp_path):
    root = copy_book(tmp_path / "book")
    (root / "translations" / "en" / CHAPTER).unlink()
    config = root / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("missing: error", "missing: mark"), encoding="utf-8")
    proc = run_ikidil(["build", "-e", "en", "-f", "epub"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "warning A001" in proc.stderr
    body = html.fromstring(epub_body(built(root, "en.epub")).encode("utf-8"))
    assert len(flags(epub_body(built(root, "en.epub")))) == 25           # every block but the heading
    [heading] = body.xpath('//h1[contains(@class, "ikidil-flag-heading")]')
    assert heading.xpath('./span[@lang="tr"]')[0].text_content().startswith("Mustafa Kemal Paşa ve")
    assert heading.xpath('./span[@class="ikidil-flag-label"]')[0].text_content() == "Not translated"
    # The chapter's <section> carries neither the flag nor the source language.
    section = heading.getparent()
    assert "ikidil-flag" not in (section.get("class") or "").split() and section.get("lang") is None
