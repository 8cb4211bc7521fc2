"""QA rules: each catches a real slip and passes the real seed book.

Rule tests run the rule on a small chapter pair (a failing and a passing input);
slip tests edit a copy of the seed chapter the way a translator slips; the command
line tests run `ikidil check` as a user would."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, copy_book, run_ikidil
from ikidil.checks import RULES, run_checks
from ikidil.checks.base import Severity
from ikidil.load import load_book

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"


def findings(root, code):
    return [f for f in run_checks(load_book(root), only={code}).findings if f.code == code]


@pytest.fixture
def pair_book(tmp_path):
    """write(tr, en, code) → the findings of rule `code` on a one-chapter book of that text."""
    root = copy_book(tmp_path / "book")

    def write(tr: str, en: str, code: str):
        (root / "manuscript" / CHAPTER).write_text(tr, encoding="utf-8")
        (root / "translations" / "en" / CHAPTER).write_text(en, encoding="utf-8")
        return findings(root, code)
    write.root = root
    return write


def test_every_rule_has_code_severity_and_title():
    assert len(RULES) >= 15
    for code, rule in RULES.items():
        assert rule.code == code and code[0].isalpha() and code[1:].isdigit()
        assert isinstance(rule.severity, Severity) and rule.title


def test_the_seed_book_is_clean():
    report = run_checks(load_book(REPO))
    assert [f.as_dict() for f in report.findings] == []


# ---- each rule: a failing and a passing input --------------------------------------------

H = "# Başlık\n\n", "# Title\n\n"


def case(tr_body, en_body):
    return H[0] + tr_body + "\n", H[1] + en_body + "\n"


RULE_CASES = {
    "F001": (case("Antlaşma 16 Mart 1921 tarihinde imzalandı ve 1.000,5 kişi vardı.",
                  "The treaty was signed on 16 March 1922 and there were 1,000.5 people."),
             case("Antlaşma 16 Mart 1921 tarihinde imzalandı ve 1.000,5 kişi vardı.",
                  "The treaty was signed on 16 March 1921 and there were 1,000.5 people.")),
    "F002": (case("Heyet 19 Temmuz 1920 günü Moskova’ya geldi.", "The delegation arrived in Moscow on 19 June 1920."),
             case("Heyet 19 Temmuz 1920 günü Moskova’ya geldi.", "The delegation arrived in Moscow on 19 July 1920.")),
    "F003": (case("Bu proje Frunze ile konuşuldu.\n\nSonra Frunze’nin Ankara’ya gelmesi bekledi.",
                  "This project was discussed with Frunze.\n\nThen the arrival in Ankara was awaited."),
             case("Bu proje Frunze ile konuşuldu.\n\nSonra Frunze’nin Ankara’ya gelmesi bekledi.",
                  "This project was discussed with Frunze.\n\nThen Frunze’s arrival in Ankara was awaited.")),
    "N001": (case("Bir cümle.^[Bir not.]", "A sentence."), case("Bir cümle.^[Bir not.]", "A sentence.^[A note.]")),
    "C001": (case("Bir cümle [@gokay2006, 9].", "A sentence [@aslan2002, 9]."),
             case("Bir cümle [@gokay2006, 9].", "A sentence [@gokay2006, 9].")),
    "C002": (case("Bir cümle [@gokay2006, 9].", "A sentence [@gokay2006, 19]."),
             case("Bir cümle [@gokay2006, s. 9].", "A sentence [@gokay2006, p. 9].")),
    "Q001": (case("Stalin “bu talep bizim talebimiz olamaz” dedi.",
                  "Stalin said “this demand cannot be our demand."),
             case("Stalin “bu talep bizim talebimiz olamaz” dedi.",
                  "Stalin said “this demand cannot be our demand”.")),
    "L001": (case("Sovyet Rusya, 1917’den sonra birkaç yıl Avrupa’da bir devrim umudunu taşıdı. Türkiye’de "
                  "komünistlerin iktidarda etkili olması bu mücadeleye katkıda bulunacaktı.",
                  "For several years after 1917, Soviet Russia hoped for revolution."),
             case("Sovyet Rusya, 1917’den sonra birkaç yıl Avrupa’da bir devrim umudunu taşıdı. Türkiye’de "
                  "komünistlerin iktidarda etkili olması bu mücadeleye katkıda bulunacaktı.",
                  "For several years after 1917, Soviet Russia cherished the hope of a revolution in Europe. "
                  "Communists becoming influential in government in Turkey would contribute to this struggle.")),
    "U001": (case("Sovyet Rusya, 1917’den sonra birkaç yıl Avrupa’da bir devrim umudunu taşıdı.",
                  "Sovyet Rusya, 1917’den sonra birkaç yıl Avrupa’da bir devrim umudunu taşıdı."),
             case("Sovyet Rusya, 1917’den sonra birkaç yıl Avrupa’da bir devrim umudunu taşıdı.",
                  "For several years after 1917, Soviet Russia cherished the hope of a revolution in Europe.")),
    "E001": (case("Bir paragraf.\n\n## Alt başlık", "A paragraph.\n\n##"),
             case("Bir paragraf.\n\n## Alt başlık", "A paragraph.\n\n## Subheading")),
    "G001": (case("Kurtuluş Savaşımız döneminde bir şey oldu.", "During our Liberation War something happened."),
             case("Kurtuluş Savaşımız döneminde bir şey oldu.", "During our War of Independence something happened.")),
    "K001": (case("```python\n# sayfa sayısı\npages = 214\n```", "```python\n# page count\npages = 241\n```"),
             case("```python\n# sayfa sayısı\npages = 214\n```", "```python\n# page count\npages = 214\n```")),
    "A005": (case("## Alt başlık\n\nBir paragraf.", "A subheading.\n\nA paragraph."),
             case("## Alt başlık\n\nBir paragraf.", "## A subheading\n\nA paragraph.")),
}


@pytest.mark.parametrize("code", sorted(RULE_CASES))
def test_rule_fails_on_the_slip_and_passes_the_fix(pair_book, code):
    failing, passing = RULE_CASES[code]
    caught = pair_book(*failing, code)
    assert caught, f"{code} missed: {failing[1]!r}"
    assert all(f.file and f.line and f.message for f in caught)
    assert pair_book(*passing, code) == []


def test_untranslated_block_that_reads_as_turkish(pair_book):
    tr, _ = case("Sovyet Rusya, 1917’den sonra birkaç yıl Avrupa’da bir devrim umudunu taşıdı.", "")
    en = H[1] + "Soviet Russia, 1917’den sonra birkaç yıl Avrupa’da bir devrim umudunu taşıdı ve bu.\n"
    assert [f.message for f in pair_book(tr, en, "U001")] == [
        "translation reads as Turkish, the source's language: translate it"]


def test_numbers_in_a_note_are_compared_note_by_note(pair_book):
    tr, en = case("Bir cümle.^[Tarih 1921.]", "A sentence.^[Date 1912.]")
    caught = pair_book(tr, en, "F001")
    assert len(caught) == 1 and caught[0].message.startswith("note 1:")


def test_a_small_number_may_be_a_word(pair_book):
    assert pair_book(*case("Frunze ile 2 görüşme yapıldı.", "Two meetings were held with Frunze."), "F001") == []


def test_length_ratio_band_comes_from_book_yaml(pair_book):
    tr, en = RULE_CASES["L001"][1]
    assert pair_book(tr, en, "L001") == []
    yaml_path = pair_book.root / "book.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") + "length_ratio: [1.5, 2.0]\n", encoding="utf-8")
    assert pair_book(tr, en, "L001")


def test_glossary_term_matches_inflected_forms_and_accepts_alternatives(pair_book):
    (pair_book.root / "glossary.yaml").write_text("Sakarya Savaşı: [Battle of Sakarya, Sakarya battle]\n",
                                                  encoding="utf-8")
    tr = "Sakarya Savaşı’ndan sonra bir şey oldu."
    assert pair_book(*case(tr, "After the Sakarya battle something happened."), "G001") == []
    assert pair_book(*case(tr, "After the Battle of Sakarya something happened."), "G001") == []
    caught = pair_book(*case(tr, "After the fight at Sakarya something happened."), "G001")
    assert caught and "glossary.yaml:1" in caught[0].message


def test_transliterations_map_names(pair_book):
    tr = H[0] + "Heyet Çiçerin ile görüştü.\n\nSonra Çiçerin’in itirazı geldi.\n"
    good = H[1] + "The delegation met Chicherin.\n\nThen came Chicherin’s objection.\n"
    bad = H[1] + "The delegation met Chicherin.\n\nThen came the objection.\n"
    assert pair_book(tr, good, "F003") == []
    assert pair_book(tr, bad, "F003")


# ---- slips on a copy of the seed chapter ---------------------------------------------------

def edit(root, lang_dir, old, new, count=1):
    path = root / lang_dir / CHAPTER
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new.split("\n")[0] in line)


@pytest.fixture
def seed_copy(tmp_path):
    return copy_book(tmp_path / "book")


def codes(root):
    return sorted({f.code for f in run_checks(load_book(root)).findings})


def test_slip_changed_date(seed_copy):
    line = edit(seed_copy, "translations/en", "on 25 December 1921", "on 25 November 1921")
    report = run_checks(load_book(seed_copy))
    assert {f.code for f in report.findings} == {"F002"}
    assert report.findings[0].line == line and "December" in report.findings[0].message


def test_slip_wrong_year(seed_copy):
    edit(seed_copy, "translations/en", "founded in Baku on 10 September 1920", "founded in Baku on 10 September 1921")
    assert codes(seed_copy) == ["F001"]


def test_slip_deleted_paragraph_names_both_files_and_lines(seed_copy):
    path = seed_copy / "translations/en" / CHAPTER
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    dropped = blocks.pop(10)
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    source = (seed_copy / "manuscript" / CHAPTER).read_text(encoding="utf-8").splitlines()
    report = run_checks(load_book(seed_copy))
    assert [f.code for f in report.errors] == ["A002"]
    f = report.errors[0]
    assert f.other_file.name == CHAPTER and "manuscript" in str(f.other_file)
    assert source[f.other_line - 1].startswith("Boğazlar’ın Sovyet Rusya’nın denetiminde")
    assert "translations/en" in str(f.file) and f.line > 1
    assert dropped.startswith("Soviet Russian control of the Straits")


def test_slip_removed_note(seed_copy):
    edit(seed_copy, "manuscript", "büyük bedel ödediler.", "büyük bedel ödediler.^[Bkz. 1922 tarihli belgeler.]")
    edit(seed_copy, "translations/en", "they paid a heavy price.", "they paid a heavy price.^[See the 1922 papers.]")
    assert codes(seed_copy) == ["S001"]        # the source changed: only staleness is reported
    edit(seed_copy, "translations/en", "^[See the 1922 papers.]", "")
    assert codes(seed_copy) == ["N001", "S001"]


def test_slip_removed_citation(seed_copy):
    edit(seed_copy, "translations/en", " [@gokay2006, 9]", "")
    assert codes(seed_copy) == ["C001"]


def test_slip_swapped_locator(seed_copy):
    line = edit(seed_copy, "translations/en", "[@perincek2005, 97]", "[@perincek2005, 79]")
    [f] = run_checks(load_book(seed_copy)).findings
    assert (f.code, f.line) == ("C002", line) and "97" in f.message and "79" in f.message


def test_slip_dropped_name(seed_copy):
    edit(seed_copy, "translations/en", "after Frunze’s meetings with", "after the meetings with")
    assert codes(seed_copy) == ["F003"]


def test_slip_edited_source_paragraph_is_stale(seed_copy):
    line = edit(seed_copy, "manuscript", "Türkiye’nin öncelikli önemi", "Türkiye’nin en öncelikli önemi")
    [f] = run_checks(load_book(seed_copy)).findings
    assert (f.code, f.severity, f.other_line) == ("S001", Severity.ERROR, line)


# ---- the command line ------------------------------------------------------------------------

def test_check_cli_clean_seed_exits_0(seed_copy):
    proc = run_ikidil(["check"], cwd=seed_copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "" and "0 error(s), 0 warning(s)" in proc.stderr


def test_check_cli_reports_file_line_code_and_exits_1(seed_copy):
    line = edit(seed_copy, "translations/en", "[@gokay2006, 9]", "[@gokay2006, 10]")
    proc = run_ikidil(["check"], cwd=seed_copy)
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"translations/en/{CHAPTER}:{line} ↔ manuscript/{CHAPTER}:")
    assert "error C002: citation 1 (@gokay2006)" in proc.stdout
    assert "\x1b[" not in proc.stdout          # no colour codes when not a terminal


def test_check_cli_json(seed_copy):
    edit(seed_copy, "translations/en", "on 19 July 1920", "on 19 July 1921")
    proc = run_ikidil(["check", "--format", "json"], cwd=seed_copy)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["errors"] == 1 and data["warnings"] == 0
    [f] = data["findings"]
    assert f["code"] == "F001" and f["file"] == f"translations/en/{CHAPTER}" and f["other_line"]


def test_check_cli_warnings_alone_exit_0(seed_copy):
    edit(seed_copy, "translations/en", "after Frunze’s meetings with", "after the meetings with")
    proc = run_ikidil(["check"], cwd=seed_copy)
    assert proc.returncode == 0 and "warning F003" in proc.stdout


def test_check_cli_bad_glossary_exits_2_naming_file_and_line(seed_copy):
    (seed_copy / "glossary.yaml").write_text("Kurtuluş Savaşı: War of Independence\nBüyük Taarruz:\n",
                                             encoding="utf-8")
    proc = run_ikidil(["check"], cwd=seed_copy)
    assert proc.returncode == 2
    assert "glossary.yaml:2:" in proc.stderr and "Traceback" not in proc.stderr


def test_check_cli_bad_usage_exits_2(seed_copy):
    proc = run_ikidil(["check", "--format", "xml"], cwd=seed_copy)
    assert proc.returncode == 2


def readme_block(after: str) -> list[str]:
    """The lines of the README code block that follows the line `after`."""
    text = (REPO / "README.md").read_text(encoding="utf-8").split("## Checking a translation", 1)[1]
    block = text.split(after, 1)[1].split("```", 1)[0]
    return [line for line in block.strip().splitlines()]


def test_readme_check_example_is_real_output(seed_copy):
    path = seed_copy / "translations/en" / CHAPTER
    paragraphs = path.read_text(encoding="utf-8").split("\n\n")
    path.write_text("\n\n".join(p for p in paragraphs if not p.startswith("Soviet Russian control")),
                    encoding="utf-8")
    edit(seed_copy, "translations/en", "[@gokay2006, 9]", "[@gokay2006, 19]")
    proc = run_ikidil(["check"], cwd=seed_copy)
    expected = readme_block("$ ikidil check\n")
    assert proc.stdout.splitlines() + proc.stderr.splitlines() == expected


def test_check_cli_colours_on_a_terminal(seed_copy):
    """rich colours the severity on a terminal (FORCE_COLOR stands in for one here)."""
    edit(seed_copy, "translations/en", "[@gokay2006, 9]", "[@gokay2006, 10]")
    proc = run_ikidil(["check"], cwd=seed_copy, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert proc.returncode == 1
    assert "\x1b[" in proc.stdout and "error C002" in proc.stdout
