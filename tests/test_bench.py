"""The benchmark script's small size runs as a smoke test. Timings are printed, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def test_bench_smoke(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "bench.py"), "--chapters", "2", "--runs", "1",
                           "--json", str(out), "--workdir", str(tmp_path / "work")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    results = data["results"]
    assert set(results) == {"single_weasyprint_call", "full_pdf_build", "no_change_rebuild",
                            "one_paragraph_edit", "raw_pandoc_epub", "epub_build", "two_language_pdfs",
                            "bilingual_facing_pdf"}
    assert results["bilingual_facing_pdf"]["pages"] % 2 == 0
    assert results["single_weasyprint_call"]["pages"] > 10
    for entry in results.values():
        assert entry["seconds"] > 0 and entry["peak_rss_sum_mib"] >= entry["peak_pss_mib"] > 10
        assert entry["cpu_seconds"] > 0
        if "time_ratio" in entry:
            # The CPU time of a tree never exceeds its wall time on every core at once.
            assert 0 < entry["floor_ratio"] <= entry["time_ratio"] * 1.02, entry
    # ikidil's part-by-part PDF is the single WeasyPrint call's book, page for page.
    assert results["full_pdf_build"]["same_pages_as_single_call"]["equal"], results["full_pdf_build"]
    assert "full_pdf_build" in proc.stdout and "ratio" in proc.stdout
