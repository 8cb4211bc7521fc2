"""Measure the QA rules on the labelled corpus in tests/qa_corpus/: precision and recall per rule.

Each corpus file (`<source>-<translation>.yaml`) lists cases: a source text and its
translation (Markdown, one or more blocks), labelled

    label: faithful            # a correct translation: any finding on it is a false alarm
    label: slip                # a real translation error…
    catch: F001                # …that this rule claims to catch (or `none`: no rule claims it)
    also: [L001]               # other rules that may rightly report it (optional)

Each case becomes one chapter of a real book per language pair (a heading is added:
`# Case N` in each language), loaded with Pandoc and checked with every rule, as
`ikidil check` would. A finding on a faithful case, or of a rule the slip does not
list, is a false positive; a slip whose `catch` rule reports it is caught.

    python scripts/qa_eval.py [--json FILE] [--rules F001,L001] [--verbose]

prints a table per rule and the overall precision and recall; `--json FILE` writes
{"overall": {"precision": p, "recall": r}, "rules": {"F001": {"precision": …, "recall": …}, …}}.
Staleness (S001, S002) and stale acceptances (X001) are about a book's history, not its
text, and are left out."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "qa_corpus"
NOT_MEASURED = {"S001", "S002", "X001"}
HEADING = {"en": "Case", "tr": "Örnek", "de": "Fall", "fr": "Cas"}

BOOK_YAML = """\
title: {{{source}: QA corpus, {target}: QA corpus}}
language: {source}
translations: [{target}]
identifier: urn:uuid:00000000-0000-4000-8000-000000000017
date: 2026-12-07
bibliography: bibliography.yaml
"""
# The works the corpus cites, by key ([@gruber2004]).
BIBLIOGRAPHY = "references:\n" + "".join(
    f"  - {{id: {key}, type: book, title: {title}, issued: {{date-parts: [[{year}]]}}}}\n"
    for key, title, year in (("gruber2004", "Markdown", 2004), ("swartz2004", "Markdown Notes", 2004),
                             ("lewis1961", "The Emergence of Modern Turkey", 1961),
                             ("zurcher2004", "Turkey. A Modern History", 2004)))


def load_corpus(folder: Path = CORPUS) -> dict[tuple[str, str], list[dict]]:
    corpus = {}
    for path in sorted(folder.glob("*-*.yaml")):
        source, target = path.stem.split("-", 1)
        cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for case in cases:
            case.setdefault("also", [])
            case["file"] = path.name
            if case["label"] not in ("faithful", "slip"):
                raise SystemExit(f"{path.name}: case {case['id']}: label must be faithful or slip")
        corpus[(source, target)] = cases
    return corpus


def write_book(root: Path, source: str, target: str, cases: list[dict], extra_yaml: str = "") -> dict[str, dict]:
    """A book with one chapter per case; returns chapter file name → case."""
    (root / "manuscript").mkdir(parents=True)
    (root / "translations" / target).mkdir(parents=True)
    (root / "book.yaml").write_text(BOOK_YAML.format(source=source, target=target) + extra_yaml, encoding="utf-8")
    (root / "bibliography.yaml").write_text(BIBLIOGRAPHY, encoding="utf-8")
    chapters = {}
    for n, case in enumerate(cases, 1):
        name = f"{n:03d}-{case['id']}.md"
        for lang, text, folder in ((source, case["source"], "manuscript"), (target, case["target"],
                                                                             f"translations/{target}")):
            heading = f"# {HEADING.get(lang, 'Case')} {n}\n\n"
            (root / folder / name).write_text(heading + text.strip() + "\n", encoding="utf-8")
        chapters[name] = case
    return chapters


def findings_per_case(corpus) -> list[tuple[dict, set[str]]]:
    sys.path.append(str(REPO / "src"))          # PYTHONPATH first: another ikidil may be measured
    from ikidil.checks import RULES, run_checks
    from ikidil.load import load_book
    out = []
    for (source, target), cases in corpus.items():
        with tempfile.TemporaryDirectory(prefix="ikidil-qa-") as tmp:
            root = Path(tmp) / "book"
            # Opt-in rules (M001…) are measured too: that is how they earn a default.
            opt_in = sorted(code for code, rule in RULES.items() if not getattr(rule, "default", True))
            extra = "checks: {" + ", ".join(f"{code}: warning" for code in opt_in) + "}\n" if opt_in else ""
            chapters = write_book(root, source, target, cases, extra)
            report = run_checks(load_book(root))
            codes: dict[str, set[str]] = defaultdict(set)
            messages: dict[str, list[str]] = defaultdict(list)
            for f in report.findings:
                if f.code not in NOT_MEASURED and f.chapter:
                    codes[f.chapter].add(f.code)
                    messages[f.chapter].append(f"{f.code} {f.message}")
            for name, case in chapters.items():
                case["messages"] = messages[name]
                out.append((case, codes[name]))
    return out


def score(results, opt_in: set[str] = frozenset()) -> dict:
    """Per rule, and overall for the rules on by default (`opt_in` rules are scored on
    their own: they run only when a book turns them on)."""
    tp, fp = defaultdict(int), defaultdict(int)
    caught, claimed = defaultdict(int), defaultdict(int)
    for case, all_codes in results:
        codes = all_codes - set(opt_in)
        allowed = ({case["catch"], *case["also"]} - {"none"}) if case["label"] == "slip" else set()
        for code in codes:
            if code in allowed:
                tp[code] += 1
            else:
                fp[code] += 1
        if case["label"] == "slip" and case["catch"] != "none":
            claimed[case["catch"]] += 1
            caught[case["catch"]] += case["catch"] in codes and case["catch"] not in opt_in
    for case, all_codes in results:       # the opt-in rules, each on its own
        allowed = ({case["catch"], *case["also"]} - {"none"}) if case["label"] == "slip" else set()
        for code in all_codes & set(opt_in):
            if code in allowed:
                tp[code] += 1
            else:
                fp[code] += 1
        if case["label"] == "slip" and case["catch"] in opt_in:
            caught[case["catch"]] += case["catch"] in all_codes
    rules = {}
    for code in sorted(set(tp) | set(fp) | set(claimed) | set(opt_in)):
        found = tp[code] + fp[code]
        rules[code] = {"precision": round(tp[code] / found, 3) if found else 1.0,
                       "recall": round(caught[code] / claimed[code], 3) if claimed[code] else None,
                       "true_positives": tp[code], "false_positives": fp[code],
                       "slips": claimed[code], "caught": caught[code], "default": code not in opt_in}
    tp = {k: v for k, v in tp.items() if k not in opt_in}
    fp = {k: v for k, v in fp.items() if k not in opt_in}
    caught = {k: v for k, v in caught.items() if k not in opt_in}
    claimed = {k: v for k, v in claimed.items() if k not in opt_in}
    found = sum(tp.values()) + sum(fp.values())
    faithful = [codes for case, codes in results if case["label"] == "faithful"]
    slips = [case for case, _ in results if case["label"] == "slip"]
    overall = {"precision": round(sum(tp.values()) / found, 3) if found else 1.0,
               "recall": round(sum(caught.values()) / sum(claimed.values()), 3) if claimed else 1.0,
               "cases": len(results), "faithful": len(faithful),
               "faithful_with_findings": sum(1 for codes in faithful if codes),
               "slips": len(slips), "slips_claimed": sum(claimed.values()),
               "slips_unclaimed": sum(1 for c in slips if c["catch"] == "none" or c["catch"] in opt_in)}
    return {"overall": overall, "rules": rules}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the scores as JSON to this file")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every false alarm and missed slip")
    args = parser.parse_args(argv)
    results = findings_per_case(load_corpus())
    sys.path.append(str(REPO / "src"))
    from ikidil.checks import RULES
    scores = score(results, {code for code, rule in RULES.items() if not getattr(rule, "default", True)})
    print(f"{'rule':<6}{'precision':>10}{'recall':>8}{'TP':>5}{'FP':>5}{'slips':>7}")
    for code, r in scores["rules"].items():
        recall = f"{r['recall']:.2f}" if r["recall"] is not None else "–"
        print(f"{code:<6}{r['precision']:>10.2f}{recall:>8}{r['true_positives']:>5}{r['false_positives']:>5}"
              f"{r['slips']:>7}{'' if r['default'] else '  (opt-in: not in overall)'}")
    o = scores["overall"]
    print(f"overall precision {o['precision']:.3f}, recall {o['recall']:.3f}: {o['cases']} cases, "
          f"{o['faithful']} faithful ({o['faithful_with_findings']} with a finding), {o['slips']} slips "
          f"({o['slips_claimed']} claimed by a rule, {o['slips_unclaimed']} by none)")
    if args.verbose:
        for case, codes in results:
            allowed = {case.get("catch"), *case["also"]} if case["label"] == "slip" else set()
            wrong = codes - allowed
            missed = case["label"] == "slip" and case["catch"] != "none" and case["catch"] not in codes
            if wrong or missed:
                print(f"\n{case['file']} {case['id']} ({case['label']}"
                      f"{', missed ' + case['catch'] if missed else ''}):")
                for message in case["messages"]:
                    print("   ", message)
    if args.json:
        args.json.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
