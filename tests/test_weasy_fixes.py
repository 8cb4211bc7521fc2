"""render/weasy_fixes: WeasyPrint honours `footnote-policy: line` when a text line overflows,
and a note called in a grid row broken across pages is on its call's page.

The document below (seed 23 of a search over random pages) is one where WeasyPrint 70,
unpatched, moves a note to the page after its call to make room for a line; patched, it
keeps every note on its call's page in a single layout."""

import random
import subprocess
import sys
from pathlib import Path

import weasyprint

from ikidil.render import weasy_fixes
from ikidil.render.pdf_guards import displaced_notes, walk

CSS = """@page { size: 100mm 150mm; margin: 12mm; }
body { font-family: 'EB Garamond'; font-size: 10pt; line-height: 1.35; orphans: 2; widows: 2;
       text-align: justify; hyphens: none }
p { margin: 0; text-indent: 1em }
.fn { float: footnote; footnote-policy: line; font-size: 8pt }"""

WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
         "incididunt ut labore").split()


def page_html(seed: int) -> str:
    rng = random.Random(seed)
    paras = []
    for _ in range(14):
        n = rng.randint(20, 90)
        text = " ".join(rng.choice(WORDS) for _ in range(n))
        if rng.random() < 0.5:
            cut = rng.randint(1, n - 1)
            words = text.split()
            note = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60)))
            text = " ".join(words[:cut]) + f'<span class="fn">{note}</span> ' + " ".join(words[cut:])
        paras.append(f"<p>{text}</p>")
    return "<html lang=en><body>" + "".join(paras) + "</body></html>"


def displaced(seed: int) -> list[tuple[int, int]]:
    document = weasyprint.HTML(string=page_html(seed)).render(stylesheets=[weasyprint.CSS(string=CSS)])
    return [(call, printed) for call, printed, _ in displaced_notes(document)]


def test_unpatched_weasyprint_displaces_a_note_in_this_document():
    # In a fresh interpreter without ikidil's fix: the case the fix is for does occur.
    code = "import sys; sys.path.insert(0, sys.argv[1]); import test_weasy_fixes as t; print(t.displaced(23))"
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[(2, 3)]"


def test_patched_weasyprint_keeps_every_note_on_its_call_page():
    weasy_fixes.prepare()
    assert weasy_fixes.applied()
    assert displaced(23) == []
    assert all(displaced(seed) == [] for seed in range(24, 40))


LOADED_LIBRARIES = """
import ctypes.util, sys
from ikidil.render import weasy_fixes
MODE = sys.argv[1]
if MODE == "fast":
    # The gcc and ld probes must not be needed: make them fail loudly.
    def refuse(name):
        raise AssertionError(f"find_library probed the compiler for {name}")
    ctypes.util._findLib_gcc = ctypes.util._findLib_ld = refuse
    weasy_fixes.prepare()
elif MODE == "fallback":
    class FailsOnce:               # the first load of WeasyPrint's libraries fails, as dlopen would
        failed = False
        def find_spec(self, name, path, target=None):
            if name == "weasyprint.text.ffi" and not FailsOnce.failed:
                FailsOnce.failed = True
                raise OSError("cannot load library 'libgobject-2.0-0'")
    sys.meta_path.insert(0, FailsOnce())
    weasy_fixes.prepare()
    assert FailsOnce.failed
else:
    import weasyprint
import weasyprint.text.ffi
assert ctypes.util.find_library.__module__ == "ctypes.util"      # put back after the import
print("\\n".join(sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line})))
"""


def _libraries(mode: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", LOADED_LIBRARIES, mode], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_weasyprint_loads_the_same_libraries_without_compiler_probes():
    plain = _libraries("plain")
    assert any("libpango-1.0" in lib for lib in plain)
    assert _libraries("fast") == plain


def test_weasyprint_is_imported_again_the_usual_way_when_its_libraries_do_not_load_so():
    assert _libraries("fallback") == _libraries("plain")


THREADS_IMPORTING = """
import sys, threading
class Watch:                       # reports any WeasyPrint module imported off the main thread
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == "weasyprint" and threading.current_thread() is not threading.main_thread():
            print("off the main thread:", threading.current_thread().name, name, file=sys.stderr)
        return None
sys.meta_path.insert(0, Watch())
from ikidil.cli import main
main(["build", "-j", "2", "-e", "tr", "-f", "pdf", "--pdf-variant", "print"])
"""


def test_weasyprint_is_imported_on_the_main_thread_only(book_copy):
    """Findings come back from the layout workers pickled; unpickling them on the pool's
    result thread must not import WeasyPrint beside the main thread's own import (two
    threads importing one package's modules at once: KeyError: 'weasyprint', or
    "partially initialized module 'weasyprint.pdf'")."""
    chapter = book_copy / "manuscript" / "01-mustafa-kemal-ve-komunistler.md"
    blocks = chapter.read_text(encoding="utf-8").split("\n\n")
    blocks[3] += " Uzun" + "bcdfghkl" * 9 + " sözcük."        # an overfull line: a guard finding
    chapter.write_text("\n\n".join(blocks), encoding="utf-8")
    yaml = book_copy / "book.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("stale: error", "stale: warn"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", THREADS_IMPORTING], cwd=book_copy, capture_output=True, text=True)
    assert "PDF002" in run.stderr, run.stderr          # the worker did send a finding back
    assert "off the main thread" not in run.stderr, run.stderr


GRID_CSS = CSS + """
.pair { display: grid; grid-template-columns: 1fr 1fr; column-gap: 4mm }"""


def grid_html(seed: int, pairs: int = 6) -> str:
    """Rows of two columns (the bilingual columns layout's pairs), some long enough to break
    across pages, with notes here and there, the last word of a note-bearing cell's text
    marked so the test can tell if it was printed."""
    rng = random.Random(seed)
    rows = []
    for row in range(pairs):
        cells = []
        for side in range(2):
            words = [rng.choice(WORDS) for _ in range(rng.randint(30, 260))]
            if rng.random() < 0.7:
                at = rng.randint(len(words) // 2, len(words))
                note = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 30)))
                words.insert(at, f'<span class="fn">{note}</span>')
            cells.append(f"<div><p>{' '.join(words)} end{row}x{side}</p></div>")
        rows.append(f'<div class="pair">{"".join(cells)}</div>')
    return "<html lang=en><body>" + "".join(rows) + "</body></html>"


def grid_layout(seed: int):
    document = weasyprint.HTML(string=grid_html(seed)).render(stylesheets=[weasyprint.CSS(string=GRID_CSS)])
    text = " ".join(box.text for page in document.pages for box, _ in walk(page._page_box)
                    if hasattr(box, "text"))
    return [(call, printed) for call, printed, _ in displaced_notes(document)], text


def test_unpatched_weasyprint_puts_a_broken_grid_rows_notes_on_its_first_page():
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import test_weasy_fixes as t; "
            "print(sum(bool(t.grid_layout(s)[0]) for s in range(2)))")
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)],
                         capture_output=True, text=True, check=True).stdout
    assert int(out) == 2            # in both documents a note is a page before its call


def test_patched_weasyprint_keeps_grid_notes_on_their_calls_page_and_loses_no_text():
    weasy_fixes.prepare()
    for seed in range(3):
        moved, text = grid_layout(seed)
        assert moved == [], seed
        for row in range(6):
            for side in range(2):
                assert f"end{row}x{side}" in text, (seed, row, side)    # no cell's end lost
