"""`ikidil new DIR`: a skeleton book that checks clean and builds at once."""

from __future__ import annotations

import json
import zipfile

from conftest import pdftotext, run_ikidil


def test_new_book_builds_at_once(tmp_path):
    proc = run_ikidil(["new", "kitap", "--title", "Deneme: İlk Kitap"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "next: cd kitap && ikidil build" in proc.stdout
    book = tmp_path / "kitap"
    for name in ("book.yaml", "bibliography.yaml", "manuscript/01-giris.md", "translations/en/01-giris.md"):
        assert (book / name).is_file(), name
    check = run_ikidil(["check"], cwd=book)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 error(s), 0 warning(s)" in check.stderr
    built = run_ikidil(["build", "-e", "tr", "-e", "en", "-f", "epub", "-f", "pdf", "--pdf-variant", "digital"],
                       cwd=book)
    assert built.returncode == 0, built.stderr
    outputs = {(o["edition"], o["format"]): book / o["path"]
               for o in json.loads((book / "build" / "manifest.json").read_text())["outputs"]}
    assert {("tr", "epub"), ("en", "epub"), ("tr", "pdf"), ("en", "pdf")} <= set(outputs)
    text = pdftotext(outputs[("tr", "pdf")])
    assert "Deneme: İlk Kitap" in text and "Giriş" in text and "Dipnotlar böyle yazılır." in text
    assert "Lewis" in text                               # the citation became a note
    with zipfile.ZipFile(outputs[("en", "epub")]) as epub:
        xhtml = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    assert "Footnotes are written like this." in xhtml and "Introduction" in xhtml


def test_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "kitap").mkdir()
    (tmp_path / "kitap" / "notes.txt").write_text("mine")
    proc = run_ikidil(["new", "kitap"], cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == ("ikidil: kitap: folder is not empty: ikidil new will not overwrite anything "
                                   "(choose a new folder name, e.g. ikidil new my-book)")
    assert sorted(p.name for p in (tmp_path / "kitap").iterdir()) == ["notes.txt"]


def test_version_quiet_verbose(tmp_path):
    from ikidil import __version__
    version = run_ikidil(["--version"], cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"ikidil, version {__version__}"
    quiet = run_ikidil(["--quiet", "new", "q"], cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = run_ikidil(["--verbose", "build", "-e", "tr", "-f", "epub"], cwd=tmp_path / "q")
    assert verbose.returncode == 0, verbose.stderr
    assert [l for l in verbose.stderr.splitlines() if l.startswith("· ")][:2] == ["· load", "· check"]
    assert "wrote build/yeni-kitap.tr.epub" in verbose.stdout
