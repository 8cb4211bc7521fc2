#!/usr/bin/env python3
"""ikidil benchmark: a deterministic synthetic bilingual book, measured side by side.

Measures, each as the median time of --runs runs, with the peak memory of the whole process
tree from one more run (PSS, which counts a page shared by several processes once; summed RSS
is shown beside it; memory is never sampled in a timed run, as sampling costs CPU):
  (a) one plain WeasyPrint call on the HTML + CSS ikidil renders        (PDF baseline)
  (b) ikidil's full PDF build, from an empty build cache
  (c) a rebuild with no change
  (d) a rebuild after editing one paragraph of one chapter
  (e) ikidil's EPUB build against one raw `pandoc` call on the same chapters (EPUB baseline)
  (f) the bilingual PDF in facing pages (render/parallel/facing.py) against the two
      single-language PDFs (tr and en) built by one build, both from an empty cache
and prints each as a ratio to its baseline, then writes them as JSON. Each also has its CPU
time (the process tree's user + system time) and so a floor: the ratio it would reach if that
CPU time were spread perfectly over the machine's cores.

Timings are never asserted in tests; `--chapters 3 --runs 1` is the suite's smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
IKIDIL = [sys.executable, "-m", "ikidil"]

# ---------------------------------------------------------------- synthetic book

TR_SYLLABLES = ["ka", "ya", "lar", "ler", "dı", "di", "mı", "şe", "ğa", "çı", "öz", "ün", "ıl", "sa",
                "ta", "ne", "de", "ri", "me", "si", "yo", "ku", "tür", "gö", "rü", "şü", "an", "ba"]
# About as long, syllable for syllable, as the Turkish ones (2.4 letters against 2.1): with
# the same shape (see _paragraph) a translated paragraph is about 1.1× its source's length, as
# real Turkish-English pairs are, so the length check (L001) has nothing to say about them.
EN_SYLLABLES = ["the", "con", "ter", "men", "ver", "pro", "al", "in", "er", "sta", "ble", "ri",
                "ou", "ly", "fo", "mo", "na", "pe", "tri", "ac", "co", "ex", "an", "is"]
TR_MONTHS = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
             "Ekim", "Kasım", "Aralık"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
NAMES = ["Frunze", "Lenin", "Stalin", "Enver", "Suphi", "Abilov", "Perinçek", "Gökay"]


def _sentence(rng: random.Random, syllables: list[str], shape: list[int]) -> str:
    """A sentence of len(shape) words, shape[i] syllables each, drawn from `syllables`."""
    body = " ".join("".join(rng.choice(syllables) for _ in range(count)) for count in shape)
    return body[0].upper() + body[1:] + "."


def _shape(anchors: random.Random, words: int) -> list[int]:
    return [anchors.randint(1, 4) for _ in range(words)]


def _paragraph(seed: int, lang: str, with_note: bool, with_cite: bool) -> str:
    """One paragraph; the same seed gives aligned TR and EN paragraphs: the same numbers,
    names, notes and shape (sentences, words, syllables), in each language's syllables."""
    anchors = random.Random(seed)
    day, month, year = anchors.randint(1, 28), anchors.randrange(12), anchors.randint(1900, 1950)
    name = anchors.choice(NAMES)
    page = anchors.randint(1, 400)
    shapes = [_shape(anchors, anchors.randint(8, 18)) for _ in range(anchors.randint(5, 8))]
    inserted, note_shape = _shape(anchors, 6), _shape(anchors, 12)
    rng = random.Random(f"{seed}-{lang}")
    syllables = TR_SYLLABLES if lang == "tr" else EN_SYLLABLES
    months = TR_MONTHS if lang == "tr" else EN_MONTHS
    sentences = [_sentence(rng, syllables, shape) for shape in shapes]
    date = f"{day} {months[month]} {year}"
    sentences.insert(1, f"{name} {date} {_sentence(rng, syllables, inserted).lower()}")
    text = " ".join(sentences)
    if with_note:
        note = _sentence(rng, syllables, note_shape)
        text = text[:-1] + f"^[{note}]."
    if with_cite:
        text = text[:-1] + f" [@source{seed % 4}, {page}]."
    return text


def make_book(root: Path, chapters: int, paragraphs: int = 52) -> Path:
    """A deterministic bilingual book: about 14 pages per chapter and language."""
    if root.exists():
        shutil.rmtree(root)
    (root / "manuscript").mkdir(parents=True)
    (root / "translations" / "en").mkdir(parents=True)
    (root / "book.yaml").write_text(
        "title: {tr: Sentetik Kitap, en: Synthetic Book}\n"
        "identifier: urn:uuid:0b1c5a3e-7d2f-4c1b-9e8a-1234567890ab\n"
        "date: 2026-01-01\nbibliography: bibliography.yaml\n"
        "csl: chicago-notes-bibliography-classic-no-url\n", encoding="utf-8")
    refs = "\n".join(
        f"  - id: source{i}\n    type: book\n    author: [{{family: Yazar{i}, given: Ad}}]\n"
        f"    title: \"Kaynak Kitap {i}\"\n    publisher: Yayınevi\n    publisher-place: İstanbul\n"
        f"    issued: {{date-parts: [[{1990 + i}]]}}\n    language: tr-TR" for i in range(4))
    (root / "bibliography.yaml").write_text("references:\n" + refs + "\n", encoding="utf-8")
    for number in range(1, chapters + 1):
        for lang, folder in (("tr", root / "manuscript"), ("en", root / "translations" / "en")):
            title = ("Bölüm" if lang == "tr" else "Chapter") + f" {number}"
            blocks = [f"# {title}"]
            for p in range(paragraphs):
                seed = number * 1000 + p
                if p and p % 17 == 0:
                    blocks.append("## " + ("Kısım" if lang == "tr" else "Part") + f" {p // 17}")
                if p % 11 == 5:
                    blocks.append("> " + _paragraph(seed, lang, False, True))
                else:
                    blocks.append(_paragraph(seed, lang, p % 4 == 1, p % 6 == 2))
            (folder / f"{number:02d}-chapter.md").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return root


def edit_one_paragraph(root: Path, chapter: int = 2) -> None:
    """Change a few words of one paragraph in the source and in its translation."""
    for folder in (root / "manuscript", root / "translations" / "en"):
        path = sorted(folder.glob("*.md"))[min(chapter, len(list(folder.glob('*.md')))) - 1]
        text = path.read_text(encoding="utf-8")
        blocks = text.split("\n\n")
        blocks[3] = blocks[3].replace(".", " ekledik.", 1) if folder.name == "manuscript" \
            else blocks[3].replace(".", " added.", 1)
        path.write_text("\n\n".join(blocks), encoding="utf-8")


# ---------------------------------------------------------------- measurement


def _tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of a process and all its descendants, from /proc.

    Summed RSS counts every page shared between processes once per process: the Pandoc
    binary's ~170 MB of code in each of two Pandoc processes, Python's libraries in each
    layout worker, and a parent's whole memory again in a child between fork and exec.
    PSS (proportional set size) divides each shared page among its sharers: its sum is
    the memory the tree really holds, and the verdict is on it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            pass
        stack.extend(children.get(current, []))
    return rss, pss


class Measured(NamedTuple):
    seconds: float       # wall time
    pss: int             # peak PSS of the process tree, bytes (0: not sampled)
    rss: int             # peak summed RSS, bytes (0: not sampled)
    cpu: float           # user + system time of the process and every descendant it waited for


def measure(cmd: list[str], cwd: Path, env: dict | None = None, sample: bool = False) -> Measured:
    """Wall and CPU time and, with `sample`, the memory peaks of the process tree, read
    every 20 ms. Sampling costs CPU (each sample walks /proc and the page tables of every
    process of the tree: ~4 s over a 25 s parallel PDF build on this 2-core machine, which
    a single-process baseline, leaving a core idle, does not pay), so timed runs are never
    sampled; see `run`. The CPU time comes from wait4's resource usage, which includes the
    Pandoc processes and layout workers ikidil waited for."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_rss = 0
    stop = threading.Event()

    def sampling():
        nonlocal peak, peak_rss
        while not stop.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak, peak_rss = max(peak, pss), max(peak_rss, rss)
            stop.wait(0.02)

    sampler = threading.Thread(target=sampling, daemon=True)
    if sample:
        sampler.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    stop.set()
    if sample:
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(map(str, cmd))}\n{err.decode()[-2000:]}")
    return Measured(elapsed, peak, peak_rss, usage.ru_utime + usage.ru_stime)


BASELINE_PDF = """
import sys
from pathlib import Path
from ikidil.load import load_book
from ikidil.transform import monolingual_edition
from ikidil.render.pdf import edition_html
book = load_book(Path(sys.argv[1]))
html = edition_html(book, monolingual_edition(book, "tr"))
Path(sys.argv[2]).write_text(html, encoding="utf-8")
"""

SINGLE_CALL = """
import sys
from pathlib import Path
from types import SimpleNamespace
import weasyprint
from ikidil.config import load_config
from ikidil.render.pdf import stylesheets
from ikidil.render.fetch import ASSETS
from ikidil.render import weasy_fixes
weasy_fixes.prepare()      # the WeasyPrint ikidil lays out with: Turkish hyphenation, note policy
# The stylesheet needs only book.yaml: the book is not loaded (that is not the baseline's work).
book = SimpleNamespace(config=load_config(Path(sys.argv[1]).resolve()))
html = Path(sys.argv[2]).read_text(encoding="utf-8")
weasyprint.HTML(string=html, base_url=str(ASSETS) + "/").write_pdf(
    sys.argv[3], stylesheets=stylesheets(book, "digital"), pdf_variant="pdf/ua-1")
"""


def run(chapters: int, runs: int, workdir: Path) -> dict:
    book = make_book(workdir / "book", chapters)
    html = workdir / "edition.html"
    subprocess.run([sys.executable, "-c", BASELINE_PDF, str(book), str(html)], check=True)

    def median(cmd, prepare=None, env=None):
        """The median time of `runs` unsampled runs, and the memory peaks of one more,
        sampled, run (the same steps: `prepare` before each)."""
        timed = []
        for _ in range(runs):
            if prepare:
                prepare()
            timed.append(measure(cmd, book, env))
        if prepare:
            prepare()
        sampled = measure(cmd, book, env, sample=True)
        return Measured(statistics.median(m.seconds for m in timed), sampled.pss, sampled.rss,
                        statistics.median(m.cpu for m in timed))

    def clean():
        shutil.rmtree(book / "build", ignore_errors=True)
        shutil.rmtree(book / ".ikidil-cache", ignore_errors=True)

    pdf_args = [*IKIDIL, "--quiet", "build", "-e", "tr", "-f", "pdf", "--pdf-variant", "digital"]
    results: dict[str, dict] = {}
    single = median([sys.executable, "-c", SINGLE_CALL, str(book), str(html), str(workdir / "single.pdf")])
    full = median(pdf_args, prepare=clean)
    built_copy = workdir / "built.pdf"
    shutil.copyfile(next((book / "build").glob("*.tr.pdf")), built_copy)
    same = same_pages(workdir / "single.pdf", built_copy)
    unchanged = median(pdf_args)

    def edit():
        edit_one_paragraph(book)
    edited = median(pdf_args, prepare=edit)

    sources = sorted((book / "manuscript").glob("*.md"))
    raw_pandoc = [_pandoc(), *map(str, sources), "--citeproc", "--bibliography", "bibliography.yaml",
                  "-M", "lang=tr", "-M", "title=Sentetik Kitap", "-o", str(workdir / "raw.epub")]
    pandoc_epub = median(raw_pandoc)
    epub = median([*IKIDIL, "--quiet", "build", "-e", "tr", "-f", "epub"], prepare=clean)

    singles = median([*IKIDIL, "--quiet", "build", "-e", "tr", "-e", "en", "-f", "pdf", "--pdf-variant", "digital"],
                     prepare=clean)
    facing = median([*IKIDIL, "--quiet", "build", "-e", "bilingual", "-f", "pdf", "--pdf-variant", "digital"],
                    prepare=clean)
    facing_pages = _pages(next((book / "build").glob("*.bilingual.pdf")))

    pages = _pages(workdir / "single.pdf")
    built = built_copy
    results = {
        "single_weasyprint_call": {**_base(single), "pages": pages},
        "full_pdf_build": {**_ratio(full, single, 0.6, 1.2), "pages": _pages(built),
                           "bytes_ratio": built.stat().st_size / (workdir / "single.pdf").stat().st_size,
                           "same_pages_as_single_call": same},
        "no_change_rebuild": _ratio(unchanged, single, 0.05),
        "one_paragraph_edit": _ratio(edited, single, 0.15),
        "raw_pandoc_epub": _base(pandoc_epub),
        "epub_build": _ratio(epub, pandoc_epub, 1.3),
        "two_language_pdfs": _base(singles),
        "bilingual_facing_pdf": {**_ratio(facing, singles, 1.3), "pages": facing_pages},
    }
    return {"date": time.strftime("%Y-%m-%d"), "machine": _machine(), "chapters": chapters,
            "runs": runs, "results": results}


def _base(measured: Measured) -> dict:
    return {"seconds": measured.seconds, "cpu_seconds": measured.cpu,
            "peak_pss_mib": measured.pss / 2**20, "peak_rss_sum_mib": measured.rss / 2**20}


def _ratio(measured: Measured, baseline: Measured, time_target, rss_target=None) -> dict:
    """`floor_ratio`: the time ratio if the build's CPU time were spread perfectly over every
    core, never waiting: no scheduling of this work on this machine can go below it."""
    entry = {**_base(measured),
             "time_ratio": measured.seconds / baseline.seconds, "time_target": time_target,
             "floor_ratio": measured.cpu / (os.cpu_count() or 1) / baseline.seconds,
             "pss_ratio": measured.pss / baseline.pss, "rss_sum_ratio": measured.rss / baseline.rss}
    if rss_target is not None:
        entry["pss_target"] = rss_target
    return entry


def same_pages(single: Path, built: Path) -> dict:
    """Is ikidil's (part by part, merged) PDF the single call's book? Page count, the text of
    every page (pdftotext), the outline and the number of links."""
    import pikepdf

    def texts(pdf: Path) -> list[str]:
        out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                             text=True, check=True).stdout
        return out.split("\f")[:-1]

    def outline_and_links(pdf: Path) -> tuple[int, int]:
        with pikepdf.open(pdf) as doc, doc.open_outline() as outline:
            count = lambda items: sum(1 + count(i.children) for i in items)
            links = sum(1 for page in doc.pages for a in page.get("/Annots", [])
                        if a.get("/Subtype") == "/Link")
            return count(outline.root), links

    a, b = texts(single), texts(built)
    differing = [n for n, (x, y) in enumerate(zip(a, b), start=1) if x != y]
    (outline_a, links_a), (outline_b, links_b) = outline_and_links(single), outline_and_links(built)
    return {"pages": [len(a), len(b)], "pages_with_other_text": differing[:20],
            "outline_entries": [outline_a, outline_b], "links": [links_a, links_b],
            "equal": len(a) == len(b) and not differing and outline_a == outline_b and links_a == links_b}


def _pandoc() -> str:
    import pypandoc
    return pypandoc.get_pandoc_path()


def _pages(pdf: Path) -> int:
    import pikepdf
    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


def _machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def report(data: dict) -> str:
    lines = [f"ikidil bench, {data['chapters']} chapters, median of {data['runs']}, {data['date']}, {data['machine']}",
             f"{'measurement':<24}{'seconds':>9}{'CPU s':>8}{'PSS MiB':>9}{'RSS MiB':>9}{'ratio':>8}{'target':>8}"
             f"{'floor':>7}{'PSS ratio':>11}  verdict"]
    for name, entry in data["results"].items():
        ratio = entry.get("time_ratio")
        target = entry.get("time_target")
        rss = f"{entry['pss_ratio']:.2f}" if "pss_ratio" in entry else ""
        floor = f"{entry['floor_ratio']:.3f}" if "floor_ratio" in entry else ""
        ok = ratio is None or (ratio <= target and entry.get("pss_ratio", 0) <= entry.get("pss_target", 99))
        lines.append(f"{name:<24}{entry['seconds']:>9.2f}{entry['cpu_seconds']:>8.2f}"
                     f"{entry['peak_pss_mib']:>9.0f}{entry['peak_rss_sum_mib']:>9.0f}"
                     f"{(f'{ratio:.3f}' if ratio is not None else 'base'):>8}"
                     f"{(f'≤{target}' if target else ''):>8}"
                     f"{floor:>7}{rss:>11}"
                     f"  {'' if ratio is None else ('ok' if ok else 'MISSED')}")
    lines.append("floor: the ratio if the build's CPU time were spread over every core without a wait")
    same = data["results"]["full_pdf_build"]["same_pages_as_single_call"]
    lines.append(f"pages as the single call: {'same' if same['equal'] else 'DIFFERENT'} "
                 f"(pages {same['pages'][0]}/{same['pages'][1]}, outline {same['outline_entries'][0]}/"
                 f"{same['outline_entries'][1]}, links {same['links'][0]}/{same['links'][1]}"
                 + (f", text differs on pages {same['pages_with_other_text']}" if same['pages_with_other_text'] else "")
                 + ")")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=REPO / "build" / "bench.json")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ikidil-bench-") as tmp:
        data = run(args.chapters, args.runs, args.workdir or Path(tmp))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(report(data))
    print(f"written {args.json}")


if __name__ == "__main__":
    main()
