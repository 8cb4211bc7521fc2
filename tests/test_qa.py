"""QA a translator can trust: code is not prose, numbers per language, names in their
inflected forms, silencing with a reason, and the measured corpus (scripts/qa_eval.py).

Rule tests run real books (Pandoc reads them); the CLI tests run `ikidil` as a user would."""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import pytest

from conftest import REPO, copy_book, run_ikidil
from ikidil.checks import run_checks
from ikidil.checks.code import difference
from ikidil.checks.language import reads_as
from ikidil.checks.length import book_band
from ikidil.checks.numbers import compare
from ikidil.load import load_book

sys.path.insert(0, str(REPO / "scripts"))
import qa_eval  # noqa: E402

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"


def book_of(tmp_path, source, target, cases, extra_yaml=""):
    """A real book (en→tr or tr→en) with one chapter per (source, target) text."""
    root = tmp_path / "book"
    qa_eval.write_book(root, source, target, [{"id": f"c{i}", "source": s, "target": t}
                                               for i, (s, t) in enumerate(cases)], extra_yaml)
    return root


def codes(root, **kw):
    return sorted({f.code for f in run_checks(load_book(root), **kw).findings if f.code not in ("S002",)})


# ---- 1. code is not prose ------------------------------------------------------------------

CODE_EN = """Run it:

```python
# print a greeting
print("Hello", 1.0)
```

Versions `1.0.0` and `3.14` work; see https://example.org/v2.1/notes."""
CODE_TR = """Çalıştırın:

```python
# bir selam yazdır
print("Merhaba", 1.0)
```

`1.0.0` ve `3.14` sürümleri çalışır; bkz. https://example.org/v2.1/notes."""


def test_code_blocks_spans_and_urls_are_not_read_as_prose(tmp_path):
    assert codes(book_of(tmp_path, "en", "tr", [(CODE_EN, CODE_TR)])) == []


def test_a_changed_identifier_in_a_code_block_is_an_error(tmp_path):
    root = book_of(tmp_path, "en", "tr", [(CODE_EN, CODE_TR.replace('print("Merhaba"', 'yazdir("Merhaba"'))])
    [finding] = [f for f in run_checks(load_book(root)).findings if f.code == "K001"]
    assert finding.severity.value == "error" and "(`print ( \"…\"" in finding.message and "↔ `yazdir ( \"…\"" in finding.message


def test_code_is_compared_apart_from_comments_and_strings():
    assert difference('x = 1  # one\ns = "a # b"', 'x = 1  # bir\ns = "c"', ["python"]) is None
    assert difference("int x = 1; // one", "int x = 2; // bir", ["c"]) is not None
    assert difference("a = 1 -- one", "a = 1 -- bir", []) is None          # unknown class: any syntax
    assert difference("a = 1", "a = 1 + 1", []) is not None


# ---- 2. numbers per language ----------------------------------------------------------------

@pytest.mark.parametrize("source, s_lang, target, t_lang", [
    ("12,500 readers, 3.5 per cent", "en", "12.500 okur, yüzde 3,5", "tr"),
    ("12.500 okur, yüzde 3,5", "tr", "12,500 readers, 3.5 per cent", "en"),
    ("up to 4,294,967,295", "en", "4,294,967,295'e kadar", "tr"),        # left as written
    ("Python 3.11.2, version 1.0", "en", "Python 3.11.2, 1.0 sürümü", "tr"),
    ("ISBN 978-0-13-110362-7, 2024-03-15", "en", "ISBN 978-0-13-110362-7, 2024-03-15", "tr"),
    ("1.234,5 Euro", "de", "1,234.5 euros", "en"),
])
def test_numbers_equal_in_each_notation(source, s_lang, target, t_lang):
    assert compare(source, s_lang, target, t_lang) == ({}, {})


def test_numbers_that_differ_are_named():
    lost, added = compare("3.5 per cent", "en", "yüzde 5,3", "tr")
    assert set(lost) == {"3.5"} and set(added) == {"5,3"}          # as each text writes it
    lost, added = compare("1.5 kilobytes", "en", "15 kilobayt", "tr")
    assert set(lost) == {"1.5"} and set(added) == {"15"}
    lost, added = compare("Python 3.11.2", "en", "Python 3.11.3", "tr")
    assert set(lost) == {"3.11.2"} and set(added) == {"3.11.3"}


# ---- 3. names -------------------------------------------------------------------------------

def test_names_match_inflected_forms_without_apostrophe_and_headings_are_not_names(tmp_path):
    source = ("## Working With Unicode Strings\n\nText in Unicode is stored as code points.\n\n"
              "Every string is a sequence of code points, and Unicode defines many of them.")
    target = ("## Ünikod Dizgeleriyle Çalışmak\n\nÜnikod'da metin kod noktaları olarak saklanır.\n\n"
              "Her dizge bir kod noktaları dizisidir ve Ünikodu oluşturanlar pek çoğunu tanımlar.")
    root = book_of(tmp_path, "en", "tr", [(source, target)], "transliterations: {Unicode: Ünikod}\n")
    assert codes(root) == []
    # The name left out of the last block is still missed.
    (root / "translations/tr/001-c0.md").write_text(
        "# Örnek 1\n\n" + target.replace("ve Ünikodu oluşturanlar", "ve onlar") + "\n", encoding="utf-8")
    assert "F003" in codes(root)


# ---- 4. length ------------------------------------------------------------------------------

def test_the_length_band_follows_the_books_own_median():
    consistent = [1.55 + 0.01 * (i % 5) for i in range(30)]      # a translator always 1.55–1.59×
    low, high = book_band(consistent, 0.75, 1.7)
    assert low < 1.55 and high > 1.59 and high < 2.4
    assert book_band(consistent[:10], 0.75, 1.7) == (0.75, 1.7)  # too few blocks: the pair's band


# ---- 5. untranslated ------------------------------------------------------------------------

def test_untranslated_reads_as_the_source_language_for_any_pair():
    assert reads_as("The checks run on a thread beside the rendering and stop the build.", "en", "tr")
    assert not reads_as("Denetimler, çıktının yanında bir iş parçacığında çalışır ve derlemeyi durdurur.",
                        "en", "tr")
    assert reads_as("Die Prüfung läuft neben dem Satz und hält den Bau an, wenn sie einen Fehler findet.", "de", "en")


# ---- 6. silencing ---------------------------------------------------------------------------

@pytest.fixture
def slipped(tmp_path):
    """The seed book with a name dropped (F003, warning) and a year changed (F001, error)."""
    root = copy_book(tmp_path / "book")
    path = root / "translations/en" / CHAPTER
    text = path.read_text(encoding="utf-8")
    assert "after Frunze’s meetings with" in text and "on 19 July 1920" in text
    path.write_text(text.replace("after Frunze’s meetings with", "after the meetings with")
                    .replace("on 19 July 1920", "on 19 July 1921"), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    return SimpleNamespace(root=root, lines={
        "F003": next(i for i, line in enumerate(lines, 1) if "after the meetings with" in line),
        "F001": next(i for i, line in enumerate(lines, 1) if "on 19 July 1921" in line)})


def test_ignore_on_the_command_line(slipped):
    assert run_ikidil(["check"], cwd=slipped.root).returncode == 1
    proc = run_ikidil(["check", "--ignore", "F001"], cwd=slipped.root)
    assert proc.returncode == 0 and "F001" not in proc.stdout and "warning F003" in proc.stdout
    proc = run_ikidil(["check", "--ignore", "Z999"], cwd=slipped.root)
    assert proc.returncode == 2 and "unknown rule 'Z999'" in proc.stderr and "Traceback" not in proc.stderr


def test_book_yaml_switches_rules_off_and_regrades_them(slipped):
    config = slipped.root / "book.yaml"
    base = config.read_text(encoding="utf-8")
    config.write_text(base + "checks: {F003: off, F001: warning}\n", encoding="utf-8")
    proc = run_ikidil(["check", "--format", "json"], cwd=slipped.root)
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and [(f["code"], f["severity"]) for f in data["findings"]] == [("F001", "warning")]
    config.write_text(base + "checks: {F003: error}\n", encoding="utf-8")
    data = json.loads(run_ikidil(["check", "--format", "json"], cwd=slipped.root).stdout)
    assert {(f["code"], f["severity"]) for f in data["findings"]} == {("F001", "error"), ("F003", "error")}
    config.write_text(base + "checks: {F999: off}\n", encoding="utf-8")
    proc = run_ikidil(["check"], cwd=slipped.root)
    assert proc.returncode == 2 and "book.yaml:" in proc.stderr and "unknown rule 'F999'" in proc.stderr
    config.write_text(base + "checks: {F003: maybe}\n", encoding="utf-8")
    proc = run_ikidil(["check"], cwd=slipped.root)
    assert proc.returncode == 2 and "must be one of: off, warning, error" in proc.stderr


def test_accept_one_finding_with_a_reason_then_it_goes_stale(slipped):
    where = f"translations/en/{CHAPTER}:{slipped.lines['F001']}"
    proc = run_ikidil(["accept", where, "F001", "--reason", "the source has a typo; the author confirmed 1921"],
                      cwd=slipped.root)
    assert proc.returncode == 0, proc.stderr
    accepted = slipped.root / "translations/en/ikidil-accepted.yaml"
    entry = accepted.read_text(encoding="utf-8")
    assert f"chapter: {CHAPTER}" in entry and "code: F001" in entry and "author confirmed 1921" in entry
    proc = run_ikidil(["check", "--format", "json"], cwd=slipped.root)
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["errors"] == 0 and data["accepted"] == 1
    [f001] = [f for f in data["findings"] if f["code"] == "F001"]
    assert f001["accepted"] == "the source has a typo; the author confirmed 1921"
    text = run_ikidil(["check"], cwd=slipped.root)
    assert "F001" not in text.stdout and "1 accepted" in text.stderr
    # The build takes the acceptance too: the error no longer stops it.
    built = run_ikidil(["build", "-e", "en", "-f", "epub"], cwd=slipped.root)
    assert built.returncode == 0, built.stderr
    # Fixing the slip leaves the acceptance matching nothing: a warning says so.
    path = slipped.root / "translations/en" / CHAPTER
    path.write_text(path.read_text(encoding="utf-8").replace("on 19 July 1921", "on 19 July 1920"), encoding="utf-8")
    data = json.loads(run_ikidil(["check", "--format", "json"], cwd=slipped.root).stdout)
    [stale] = [f for f in data["findings"] if f["code"] == "X001"]
    assert stale["severity"] == "warning" and stale["file"].endswith("ikidil-accepted.yaml") and stale["line"]


def test_accept_refuses_what_it_cannot_find(slipped):
    proc = run_ikidil(["accept", f"translations/en/{CHAPTER}:1", "F001", "-r", "why not"], cwd=slipped.root)
    assert proc.returncode == 2 and "no F001 finding at" in proc.stderr
    proc = run_ikidil(["accept", f"translations/en/{CHAPTER}:{slipped.lines['F001']}", "F001", "-r", " "],
                      cwd=slipped.root)
    assert proc.returncode == 2 and "needs a reason" in proc.stderr


def test_a_build_stopped_by_check_errors_exits_1(slipped):
    proc = run_ikidil(["build", "-f", "epub"], cwd=slipped.root)
    assert proc.returncode == 1 and "F001" in proc.stderr and "Traceback" not in proc.stderr
    assert not (slipped.root / "build" / "manifest.json").exists()


# ---- 7. the measured corpus -----------------------------------------------------------------

def test_the_qa_corpus_meets_its_targets(tmp_path):
    out = tmp_path / "scores.json"
    assert qa_eval.main(["--json", str(out)]) == 0
    scores = json.loads(out.read_text(encoding="utf-8"))
    overall = scores["overall"]
    assert overall["precision"] >= 0.95 and overall["recall"] >= 0.95, overall
    assert overall["cases"] >= 80 and overall["slips_claimed"] >= 30 and overall["faithful"] >= 40
    for code, rule in scores["rules"].items():
        assert rule["recall"] is None or rule["recall"] >= 0.95, (code, rule)
    # Both directions are measured.
    assert {path.stem for path in (REPO / "tests/qa_corpus").glob("*.yaml")} >= {"en-tr", "tr-en"}


# ---- 8. meaning: opt-in rules, measured ------------------------------------------------------

def test_negation_and_quantifier_rules_are_opt_in(tmp_path):
    cases = [("Do not commit the build folder: it is not part of the book.",
              "Derleme klasörünü kaydedin: kitabın bir parçasıdır."),
             ("Some readers skip the notes.", "Tüm okurlar notları atlar.")]
    root = book_of(tmp_path, "en", "tr", cases)
    assert codes(root) == []                                   # not run by default
    config = root / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "checks: {M001: warning, M002: error}\n",
                      encoding="utf-8")
    found = {(f.code, f.severity.value, f.chapter) for f in run_checks(load_book(root)).findings if f.code != "S002"}
    assert found == {("M001", "warning", "001-c0.md"), ("M002", "error", "002-c1.md")}


def test_negation_forms_in_turkish():
    from ikidil.checks.meaning import negations, quantifiers
    assert negations("Mustafa Kemal bu öneriyi kabul etmedi.", "tr") == 1
    assert negations("henüz desteklenmiyor; düzenlemeyin; gerekmez; yapamadı; erişilemeyen", "tr") == 5
    assert negations("Derleme üç aşamada çalışır: yükleme ve görüşmeden sonra alınmasını", "tr") == 0
    assert negations("uygun olup olmadığı", "tr") == 0
    assert quantifiers("a whole class of runtime errors", "en") == {"some"}
    assert quantifiers("tüm çalışma zamanı hatalarını; çoğundan", "tr") == {"all", "some"}


def test_length_outliers_are_judged_against_the_books_own_median(tmp_path):
    """A translator consistently 1.6× long (above en→tr's band) is not flagged; a block
    half as long as the others is, and the findings are the same from the cache."""
    long = ("Bu çeviri, kaynağından belirgin biçimde daha uzun tutulmuştur; çevirmen her terimi "
            "ayrıca açıklamış ve kısa bir not eklemiştir (parantez içinde, kısaca).")
    source = "The translation is kept clearly longer than its source; the translator explains terms."
    assert 1.7 < len(long) / len(source) < 1.9              # above en→tr's own band (0.75–1.7)
    few = book_of(tmp_path / "few", "en", "tr", [(source, long)] * 5)
    assert codes(few) == ["L001"]                             # under 20 blocks: the pair's band
    cases = [(source, long)] * 24 + [(source + " " + source, long[:80])]
    root = book_of(tmp_path, "en", "tr", cases)
    first = [(f.chapter, f.code) for f in run_checks(load_book(root)).findings if f.code == "L001"]
    assert first == [("025-c24.md", "L001")]
    again = [(f.chapter, f.code) for f in run_checks(load_book(root)).findings if f.code == "L001"]
    assert again == first


def test_glossary_renderings_match_softened_turkish_forms(tmp_path):
    root = book_of(tmp_path, "en", "tr", [("Read the book before the tree falls.",
                                           "Ağaç düşmeden önce kitabı okuyun.")])
    (root / "glossary.yaml").write_text("book: kitap\ntree: ağaç\n", encoding="utf-8")
    assert codes(root) == []
    (root / "translations/tr/001-c0.md").write_text("# Örnek 1\n\nAğaç düşmeden önce eseri okuyun.\n",
                                                    encoding="utf-8")
    assert codes(root) == ["G001"]


def test_the_readmes_silencing_examples_are_valid(tmp_path):
    from ikidil.checks.accept import load_acceptances
    from ikidil.config import load_config
    readme = (REPO / "README.md").read_text(encoding="utf-8").split("**Silencing a finding, for a reason.**")[1]
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "ikidil-accepted.yaml"
    path.write_text("\n".join(line[2:] for line in example.splitlines()) + "\n", encoding="utf-8")
    [entry] = load_acceptances(path)
    assert entry.code == "F001" and entry.reason and len(entry.block) == 16
    checks = readme.split("book.yaml `", 1)[1].split("`", 1)[0]
    root = copy_book(tmp_path / "book")
    (root / "book.yaml").write_text((root / "book.yaml").read_text(encoding="utf-8") + checks + "\n", encoding="utf-8")
    assert load_config(root).checks == {"F003": "off", "L001": "warning", "A005": "error"}
