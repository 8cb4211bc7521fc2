"""render/weasy_fixes: WeasyPrint honours `footnote-policy: line` when a text line overflows.

The document below (seed 23 of a search over random pages) is one where WeasyPrint 70,
unpatched, moves a note to the page after its call to make room for a line; patched, it
keeps every note on its call's page in a single layout."""

import random
import subprocess
import sys
from pathlib import Path

import weasyprint

from ikidil.render import weasy_fixes
from ikidil.render.pdf_guards import displaced_notes

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
