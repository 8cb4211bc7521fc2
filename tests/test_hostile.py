"""The red-team corpus: books made by an attacker or a very clumsy user.

Each case starts from a copy of a book that was built successfully (Turkish EPUB), does
one hostile thing to it and builds again with the real command line, in a process held
by `resource` limits (address space, CPU time) and a wall-clock timeout, so a regression
that hangs or blows up fails fast instead of stalling the suite. Each asserts:
  - the exit code (2: bad input) and one line on stderr naming the file and line;
  - build/ byte-identical to the good build (manifest.json included);
  - no byte of the secret files outside the book in any message or output.
The files outside the book hold a marker; the outputs are searched for it inside their
zip members too (an EPUB is a zip: a plain byte search would miss compressed text)."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import BUILD_TR, CHAPTER, SOURCE, TRANSLATION

MARKER = "SECRET-b1e55ed-OUTSIDE-THE-BOOK"
MEMORY = 3 * 1024 ** 3          # address space per process (Pandoc and WeasyPrint fit in 2 GiB)
CPU_SECONDS = 100
TIMEOUT = 120


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the book with secrets an attacker would like to read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{MARKER}\n", encoding="utf-8")
    png = _png(8, 8)
    (folder / "secret.png").write_bytes(png + MARKER.encode())
    (folder / "refs.yaml").write_text(
        "references:\n  - id: aslan2002\n    type: book\n    title: " + MARKER + "\n"
        "    author: [{family: Aslan, given: Ali}]\n    issued: {date-parts: [[2002]]}\n", encoding="utf-8")
    (folder / "style.csl").write_text(f"<notcsl>{MARKER}</notcsl>\n", encoding="utf-8")
    (folder / "glossary.yaml").write_text(f"{MARKER}: x\n", encoding="utf-8")
    (folder / "chapter.md").write_text(f"# {MARKER}\n\n{MARKER} paragraph.\n", encoding="utf-8")
    return folder


def _png(width: int, height: int) -> bytes:
    import io
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def _limits(file_size: int | None = None) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    if file_size is not None:           # as on a full disk: a write past it fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    os.setsid()         # its own process group: a timeout kills Pandoc and the workers too


def run_limited(args: list[str], cwd: Path, timeout: float = TIMEOUT, env: dict | None = None,
                file_size: int | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([sys.executable, "-m", "ikidil", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=lambda: _limits(file_size),
                            env={**os.environ, **(env or {})})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        pytest.fail(f"ikidil {' '.join(args)} ran longer than {timeout} s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def contents(folder: Path):
    """Every output file's bytes, and those of each member of a zip (EPUB)."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield path, data
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield path / member, archive.read(member)


def assert_nothing_from_outside(root: Path, proc) -> None:
    assert MARKER not in proc.stdout + proc.stderr, proc.stderr
    for path, data in contents(root / "build"):
        assert MARKER.encode() not in data, f"{path} holds a file from outside the book"


def assert_one_line_error(proc, needles, code: int = 2) -> str:
    assert proc.returncode == code, f"exit {proc.returncode}: {proc.stdout}{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line)


def set_key(root: Path, key: str, value: str) -> int:
    """Set (or add) a top-level key of book.yaml; return its line."""
    path = root / "book.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            lines[number] = f"{key}: {value}"
            break
    else:
        lines.append(f"{key}: {value}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return line_of(path, f"{key}: {value}")


def add_para(root: Path, relative: Path, para: str) -> int:
    """Add a paragraph after the chapter's first block; return its line."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n\n", 1)
    path.write_text(f"{head}\n\n{para}\n\n{rest}", encoding="utf-8")
    return line_of(path, para.split("\n")[0][:40])


@dataclass
class Case:
    name: str
    breaks: Callable[[Path, Path], list[str]]      # (book, outside) → needles of the message
    args: list[str] = field(default_factory=lambda: list(BUILD_TR))


# ---- 1. containment: every path a book names or holds stays inside the book


def cover_outside(root, outside):
    line = set_key(root, "cover", "../outside/secret.png")
    return [f"book.yaml:{line}:", "cover image '../outside/secret.png' is outside the book's folder"]


def cover_absolute(root, outside):
    line = set_key(root, "cover", str(outside / "secret.png"))
    return [f"book.yaml:{line}:", "is outside the book's folder"]


def cover_symlink_out(root, outside):
    (root / "cover.png").symlink_to(outside / "secret.png")
    line = set_key(root, "cover", "cover.png")
    return [f"book.yaml:{line}:", "cover image 'cover.png' is outside", "symlinks leading out"]


def cover_not_png(root, outside):
    (root / "cover.png").write_bytes(b"GIF89a" + b"\0" * 40)
    line = set_key(root, "cover", "cover.png")
    return [f"book.yaml:{line}:", "image 'cover.png' is not a PNG file"]


def cover_is_fifo(root, outside):
    os.mkfifo(root / "cover.png")
    line = set_key(root, "cover", "cover.png")
    return [f"book.yaml:{line}:", "cover image 'cover.png' is a FIFO, socket or device"]


def bibliography_outside(root, outside):
    line = set_key(root, "bibliography", "../outside/refs.yaml")
    return [f"book.yaml:{line}:", "bibliography file '../outside/refs.yaml' is outside the book's folder"]


def bibliography_absolute(root, outside):
    line = set_key(root, "bibliography", "/etc/shadow")
    return [f"book.yaml:{line}:", "'/etc/shadow' is outside the book's folder"]


def bibliography_symlink_out(root, outside):
    (root / "refs.bib").symlink_to("/etc/passwd")
    line = set_key(root, "bibliography", "refs.bib")
    return [f"book.yaml:{line}:", "bibliography file 'refs.bib' is outside"]


def bibliography_device(root, outside):
    (root / "refs.yaml").symlink_to("/dev/zero")
    line = set_key(root, "bibliography", "refs.yaml")
    return [f"book.yaml:{line}:", "'refs.yaml' is outside"]


def csl_symlink_out(root, outside):
    (root / "style.csl").symlink_to(outside / "style.csl")
    line = set_key(root, "csl", "style.csl")
    return [f"book.yaml:{line}:", "CSL style 'style.csl' is outside"]


def csl_absolute(root, outside):
    line = set_key(root, "csl", str(outside / "style.csl"))
    return [f"book.yaml:{line}:", "is outside the book's folder"]


def csl_climbs_out_of_the_styles(root, outside):
    line = set_key(root, "csl", "../../../../../../etc/passwd")
    return [f"book.yaml:{line}:", "is outside the book's folder"]


def csl_not_a_style(root, outside):
    (root / "style.csl").write_text("<html><body>not a style</body></html>\n", encoding="utf-8")
    line = set_key(root, "csl", "style.csl")
    return [f"book.yaml:{line}:", "'style.csl' is not a CSL style"]


def csl_with_entities(root, outside):
    (root / "style.csl").write_text(f'<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY x SYSTEM '
                                    f'"file://{outside}/secret.txt">]>\n<style xmlns="http://purl.org/net/'
                                    'xbiblio/csl">&x;</style>\n', encoding="utf-8")
    line = set_key(root, "csl", "style.csl")
    return [f"book.yaml:{line}:", "DTDs and entities are not allowed"]


def glossary_outside(root, outside):
    line = set_key(root, "glossary", "../outside/glossary.yaml")
    return [f"book.yaml:{line}:", "glossary file '../outside/glossary.yaml' is outside"]


def default_glossary_symlink_out(root, outside):
    (root / "glossary.yaml").unlink(missing_ok=True)
    (root / "glossary.yaml").symlink_to(outside / "glossary.yaml")
    return ["book.yaml:", "glossary file 'glossary.yaml' is outside"]


def chapter_symlink_out(root, outside):
    (root / "manuscript" / "02-extra.md").symlink_to(outside / "chapter.md")
    return ["manuscript/02-extra.md:", "chapter file is a symlink leading outside the book's folder"]


def translation_symlink_out(root, outside):
    (root / TRANSLATION).unlink()
    (root / TRANSLATION).symlink_to(outside / "chapter.md")
    return [f"{TRANSLATION}:", "symlink leading outside"]


def manuscript_folder_symlink_out(root, outside):
    shutil.move(root / "manuscript", outside / "manuscript")
    (outside / "manuscript" / CHAPTER).write_text(f"# {MARKER}\n\nText.\n", encoding="utf-8")
    (root / "manuscript").symlink_to(outside / "manuscript")
    return [f"{SOURCE}:", "symlink leading outside"]


def chapter_is_fifo(root, outside):
    os.mkfifo(root / "manuscript" / "02-pipe.md")
    return ["manuscript/02-pipe.md:", "chapter file is not a regular file", "FIFO"]


def chapter_is_folder(root, outside):
    (root / "manuscript" / "02-folder.md").mkdir()
    return ["manuscript/02-folder.md:", "not a regular file"]


def image_symlink_out(root, outside):
    (root / "images").mkdir()
    (root / "images" / "map.png").symlink_to(outside / "secret.png")
    line = add_para(root, SOURCE, "![Harita](images/map.png)")
    return [f"{SOURCE}:{line}:", "image 'images/map.png' is outside the book's folder"]


def image_fifo(root, outside):
    (root / "images").mkdir()
    os.mkfifo(root / "images" / "map.png")
    line = add_para(root, SOURCE, "![Harita](images/map.png)")
    return [f"{SOURCE}:{line}:", "image 'images/map.png' is not a regular file"]


CONTAINMENT = [
    Case("cover ../", cover_outside),
    Case("cover absolute", cover_absolute),
    Case("cover symlink out", cover_symlink_out),
    Case("cover GIF named .png", cover_not_png),
    Case("cover FIFO", cover_is_fifo),
    Case("bibliography ../", bibliography_outside),
    Case("bibliography /etc/shadow", bibliography_absolute),
    Case("bibliography symlink to /etc/passwd", bibliography_symlink_out),
    Case("bibliography symlink to /dev/zero", bibliography_device),
    Case("csl symlink out", csl_symlink_out),
    Case("csl absolute", csl_absolute),
    Case("csl ../ out of the shipped styles", csl_climbs_out_of_the_styles),
    Case("csl not a style", csl_not_a_style),
    Case("csl with an external entity", csl_with_entities),
    Case("glossary ../", glossary_outside),
    Case("default glossary symlink out", default_glossary_symlink_out),
    Case("chapter symlink out", chapter_symlink_out),
    Case("translation symlink out", translation_symlink_out, ["build", "-f", "epub"]),
    Case("manuscript folder symlink out", manuscript_folder_symlink_out),
    Case("chapter FIFO", chapter_is_fifo),
    Case("chapter is a folder", chapter_is_folder),
    Case("image symlink out", image_symlink_out),
    Case("image FIFO", image_fifo),
]


# ---- 2. images: what an image holds reaches every reader


def svg_image(root: Path, svg: str) -> int:
    (root / "images").mkdir(exist_ok=True)
    (root / "images" / "map.svg").write_text(svg, encoding="utf-8")
    return add_para(root, SOURCE, "![Harita](images/map.svg)")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">{}</svg>'


def svg_case(body: str, *needles: str):
    def breaks(root, outside):
        line = svg_image(root, SVG.format(body.replace("OUTSIDE", str(outside))))
        return [f"{SOURCE}:{line}:", "image 'images/map.svg'", *needles]
    return breaks


def svg_xxe(root, outside):
    line = svg_image(root, f'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file://{outside}/secret.txt">]>\n'
                           + SVG.format("<text>&x;</text>"))
    return [f"{SOURCE}:{line}:", "DOCTYPE or entities"]


def svg_billion_laughs(root, outside):
    entities = "".join(f'<!ENTITY l{n} "{"&l%d;" % (n - 1) * 10 if n else "lol"}">' for n in range(10))
    line = svg_image(root, f'<?xml version="1.0"?>\n<!DOCTYPE svg [{entities}]>\n' + SVG.format("<text>&l9;</text>"))
    return [f"{SOURCE}:{line}:", "DOCTYPE or entities"]


def png_that_is_html(root, outside):
    (root / "images").mkdir()
    (root / "images" / "map.png").write_text("<html><script>alert(1)</script></html>", encoding="utf-8")
    line = add_para(root, SOURCE, "![Harita](images/map.png)")
    return [f"{SOURCE}:{line}:", "image 'images/map.png' is not a PNG file"]


def png_pixel_bomb(root, outside):
    import struct
    import zlib
    (root / "images").mkdir()
    # A valid PNG header declaring 100,000 × 100,000 pixels (decoding it would take 30 GB).
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data)))
    (root / "images" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                                              + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    line = add_para(root, SOURCE, "![Harita](images/map.png)")
    return [f"{SOURCE}:{line}:", "declares more than 80 million pixels"]


def image_wrong_type(root, outside):
    (root / "images").mkdir()
    (root / "images" / "map.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    line = add_para(root, SOURCE, "![Harita](images/map.html)")
    return [f"{SOURCE}:{line}:", "has the type '.html'"]


IMAGES = [
    Case("svg script", svg_case("<script>alert(1)</script>", "<script>")),
    Case("svg onload", svg_case('<rect width="5" height="5" onload="alert(1)"/>', "event handler (onload")),
    Case("svg file: image", svg_case('<image xlink:href="file://OUTSIDE/secret.png" width="5" height="5"/>',
                                     "refers to 'file://")),
    Case("svg https: image", svg_case('<image href="https://example.com/x.png" width="5" height="5"/>',
                                      "refers to 'https://example.com/x.png'")),
    Case("svg iframe", svg_case('<foreignObject width="5" height="5"><iframe xmlns="http://www.w3.org/1999/xhtml" '
                                'src="https://example.com"/></foreignObject>', "<foreignObject>")),
    Case("svg css import", svg_case('<style>@import url(https://example.com/x.css);</style>', "<style> that fetches")),
    Case("svg xxe", svg_xxe),
    Case("svg billion laughs", svg_billion_laughs),
    Case("png that is html", png_that_is_html),
    Case("png pixel bomb", png_pixel_bomb),
    Case("image .html", image_wrong_type),
]


# ---- 3. limits and values that used to crash (exit 3)


def date_case(value: str, *needles: str):
    def breaks(root, outside):
        line = set_key(root, "date", value)
        return [f"book.yaml:{line}:", *needles]
    return breaks


def lock_infinite_block(root, outside):
    path = root / "translations" / "en" / "ikidil.lock"
    path.write_text(path.read_text(encoding="utf-8").replace("block: 2,", "block: .inf,", 1), encoding="utf-8")
    return ["translations/en/ikidil.lock:", "block number inf is not a whole number"]


def alias_bomb(levels: int = 10) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, levels)]
    return "\n".join(lines)


def bibliography_alias_bomb(root, outside):
    path = root / "bibliography.yaml"
    bomb = alias_bomb().replace("\n", "\n      ")
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: aslan2002", "  - id: aslan2002\n    note:\n      "
                                                             + bomb, 1), encoding="utf-8")
    return ["bibliography.yaml:", "YAML expands to more than"]


def book_yaml_alias_bomb(root, outside):
    path = root / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nextra:\n  " + alias_bomb().replace("\n", "\n  ") + "\n",
                    encoding="utf-8")
    return ["book.yaml:", "YAML expands to more than"]


def glossary_deep(root, outside):
    (root / "glossary.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    return ["glossary.yaml", "nested"]


def lock_self_reference(root, outside):
    path = root / "translations" / "en" / "ikidil.lock"
    path.write_text("version: 1\nchapters: &c\n  x: *c\n", encoding="utf-8")
    return ["translations/en/ikidil.lock:", "contains itself"]


def para_case(make: Callable[[Path], str], *needles: str, at_line: bool = True):
    """A paragraph added to the source chapter; the message names its line."""
    def breaks(root, outside):
        line = add_para(root, SOURCE, make(outside))
        return [f"{SOURCE}:{line}:" if at_line else f"{SOURCE}:", *needles]
    return breaks


def deep_list(root, outside):
    path = root / SOURCE
    lines = ["  " * level + "- madde" for level in range(2000)]
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return [f"{SOURCE}:{line_of(path, ' ' * 202 + '- madde')}:", "line indented by 202 columns"]


def many_notes(root, outside):
    path = root / SOURCE
    path.write_text(path.read_text(encoding="utf-8") + "\n" + " ".join(f"Not^[{n}]." for n in range(1500)) + "\n",
                    encoding="utf-8")
    return [f"{SOURCE}:", "more than 1,000 footnotes in one chapter", "split the chapter"]


def huge_paragraph(root, outside):
    path = root / SOURCE
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "kelime " * 1_000_000 + "\n", encoding="utf-8")
    return [f"{SOURCE}:", "paragraph longer than 200,000 characters"]


def long_code_block(root, outside):
    path = root / SOURCE
    path.write_text(path.read_text(encoding="utf-8") + "\n```\n" + "x" * 5000 + "\n```\n", encoding="utf-8")
    return [f"{SOURCE}:{line_of(path, 'x' * 5000)}:", "code line of 5,000 characters"]


LIMITS = [
    Case("list 2000 levels deep", deep_list),
    Case("quotation 2000 levels deep", para_case(lambda o: "> " * 2000 + "metin", "more than 32 quotation or list levels")),
    Case("brackets nested 50 deep", para_case(lambda o: "[" * 50 + "x" + "]" * 50, "more than 8 '[' open at once")),
    Case("brackets never closed", para_case(lambda o: "Bir [ iki [ üç " * 20, "more than 8 '[' open at once")),
    Case("inline code of 5000 characters", para_case(lambda o: "Kod: `" + "x" * 5000 + "`.", "code of 5,000 characters")),
    Case("word of 5000 characters", para_case(lambda o: "Kelime " + "y" * 5000 + ".", "a word of 5,001 characters")),
    Case("1,500 footnotes", many_notes),
    Case("paragraph of 7 MB", huge_paragraph),
    Case("code block line of 5000 characters", long_code_block),
    Case("footnote inside a footnote", para_case(lambda o: "Dış not^[Dış ^[iç not] biter.] burada.",
                                                 "a footnote inside a footnote")),

    Case("date 0000-01-01", date_case("0000-01-01", "'0000-01-01' is not a day of the calendar")),
    Case("date 2026-02-30", date_case("2026-02-30", "'2026-02-30' is not a day of the calendar")),
    Case("date 9999-12-31", date_case("9999-12-31", "after 2107-12-31")),
    Case("date text", date_case("yesterday", "must be a date written YYYY-MM-DD")),
    Case("lockfile block .inf", lock_infinite_block, ["build", "-f", "epub"]),
    Case("lockfile alias to itself", lock_self_reference, ["build", "-f", "epub"]),
    Case("bibliography alias bomb", bibliography_alias_bomb),
    Case("book.yaml alias bomb", book_yaml_alias_bomb),
    Case("glossary nested 5000 deep", glossary_deep, ["build", "-f", "epub"]),
]


# ---- 7. what used to be a wrong success


def chapter_name_case(name: str):
    def breaks(root, outside):
        shutil.copy(root / SOURCE, root / "manuscript" / name)
        return [f"manuscript/{name}:", f"chapter file name '{name}' is not usable", "letters, digits"]
    return breaks


def long_title(root, outside):
    path = root / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  tr: Mustafa Kemal Paşa ve Türkiye’deki Komünistler", "  tr: " + "Çok Uzun Başlık " * 600, 1),
        encoding="utf-8")
    return [f"book.yaml:{line_of(path, 'title:')}:", "'title' is 9,599 characters long, more than 500"]


def wide_table(root, outside):
    header = "| " + " | ".join(f"S{n}" for n in range(200)) + " |"
    rule = "|" + "---|" * 200
    row = "| " + " | ".join(str(n) for n in range(200)) + " |"
    line = add_para(root, SOURCE, "\n".join([header, rule, row]))
    return [f"{SOURCE}:{line}:", "table of 200 columns: at most 20 fit a page"]


WRONG_SUCCESSES = [
    Case("chapter name with a space", chapter_name_case("02 ikinci bölüm.md")),
    Case("chapter name with a leading dash", chapter_name_case("-02.md")),
    Case("title of 10,000 characters", long_title),
    Case("TeX math", para_case(lambda o: "Formül $\\frac{a}{b}$ burada.", "TeX math '\\frac{a}{b}' cannot be set as text in the PDF")),
    Case("table of 200 columns", wide_table),
]


# ---- more hostile inputs, found while writing this corpus


def book_yaml_symlink_out(root, outside):
    (outside / "private.yaml").write_text(f"{MARKER}: 1\n", encoding="utf-8")
    (root / "book.yaml").unlink()
    (root / "book.yaml").symlink_to(outside / "private.yaml")
    return ["book.yaml", "book.yaml is a symlink leading outside the book's folder"]


def book_yaml_fifo(root, outside):
    (root / "book.yaml").unlink()
    os.mkfifo(root / "book.yaml")
    return ["book.yaml:", "book.yaml is not a regular file"]


def control_character_in_chapter(root, outside):
    line = add_para(root, SOURCE, "Metin \x1b[31m kırmızı.")
    return [f"{SOURCE}:{line}:", "control character U+001B"]


def control_character_in_book_yaml(root, outside):
    line = set_key(root, "publisher", '"Yayınevi \\e[31m"')
    return [f"book.yaml:{line}:", "'publisher' holds the control character U+001B"]


def huge_bibliography(root, outside):
    path = root / "bibliography.yaml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("#" + "x" * 65_000_000 + "\n")
    return ["bibliography.yaml:", "file is larger than 64 MB"]


def image_encoded_dots(root, outside):
    line = add_para(root, SOURCE, "![Harita](images/%2e%2e/%2e%2e/outside/secret.png)")
    return [f"{SOURCE}:{line}:", "is outside the book's folder"]


def image_is_book_yaml(root, outside):
    line = add_para(root, SOURCE, "![Ayarlar](book.yaml)")
    return [f"{SOURCE}:{line}:", "image 'book.yaml' has the type '.yaml'"]


def glossary_is_a_folder(root, outside):
    (root / "glossary.yaml").unlink(missing_ok=True)
    (root / "glossary.yaml").mkdir()
    return ["book.yaml:", "glossary file 'glossary.yaml' is a folder"]


def csl_with_a_bogus_element(root, outside):
    (root / "style.csl").write_text('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
                                    'class="note" version="1.0"><info><title>x</title></info><citation>'
                                    '<layout><text variable="title"/><bogus/></layout></citation></style>\n',
                                    encoding="utf-8")
    line = set_key(root, "csl", "style.csl")
    return [f"book.yaml:{line}:", "CSL style 'style.csl' cannot be used", "bogus"]


def csl_json_with_wrong_types(root, outside):
    import json
    import yaml
    refs = yaml.safe_load((root / "bibliography.yaml").read_text(encoding="utf-8"))["references"]
    refs[0]["author"] = 5
    (root / "bibliography.json").write_text(json.dumps(refs), encoding="utf-8")
    set_key(root, "bibliography", "bibliography.json")
    return ["bibliography.json:", "bibliography cannot be read by citeproc"]


def chapter_name_with_an_escape(root, outside):
    shutil.copy(root / SOURCE, root / "manuscript" / "02-\x1b[2Jclear.md")
    return ["\\x1b[2Jclear.md", "is not usable"]


OWN = [
    Case("book.yaml symlink out", book_yaml_symlink_out),
    Case("book.yaml FIFO", book_yaml_fifo),
    Case("control character in a chapter", control_character_in_chapter),
    Case("control character in book.yaml", control_character_in_book_yaml),
    Case("bibliography of 65 MB", huge_bibliography),
    Case("image path with %2e%2e", image_encoded_dots),
    Case("image that is book.yaml", image_is_book_yaml),
    Case("glossary is a folder", glossary_is_a_folder),
    Case("lang attribute not a tag", para_case(lambda o: '[metin]{lang="x y<z"}', "lang='x y<z' is not a language tag")),
    Case("dir attribute not a direction", para_case(lambda o: "[metin]{dir=evil}", "dir='evil' is not a direction")),
    Case("900 '>' without spaces", para_case(lambda o: ">" * 900 + " metin", "more than 32 quotation or list levels")),
    Case("emphasis marks 480 in a row", para_case(lambda o: "*_" * 240 + "x" + "_*" * 240, "480 emphasis marks in a row")),
    Case("emphasis nested 600 deep", para_case(lambda o: "*a _a " * 300 + "x" + " a_ a*" * 300,
                                               "chapter is nested too deeply", at_line=False)),
    Case("bleed of a metre", lambda root, outside: [f"book.yaml:{set_key(root, 'bleed', '1000mm')}:",
                                                      "more than 25mm"]),
    Case("CSL style with a bogus element", csl_with_a_bogus_element),
    Case("CSL JSON with wrong types", csl_json_with_wrong_types),
    Case("chapter name with an escape sequence", chapter_name_with_an_escape),
]


CASES = CONTAINMENT + IMAGES + LIMITS + WRONG_SUCCESSES + OWN


def test_a_symlinked_cache_is_not_used(book, outside):
    """A stranger's book whose .ikidil-cache links elsewhere: the build works, and writes
    nothing there."""
    shutil.rmtree(book / ".ikidil-cache")
    (book / ".ikidil-cache").symlink_to(outside)
    before = sorted(p.name for p in outside.iterdir())
    proc = run_limited(["build", "-e", "tr", "-f", "epub"], book)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in outside.iterdir()) == before


def test_a_symlink_loop_and_a_socket_in_the_book_are_harmless(book):
    import socket
    (book / "loop").symlink_to("loop")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(book / "ikidil.sock"))
    try:
        proc = run_limited(["build", "-e", "tr", "-f", "epub"], book)
    finally:
        server.close()
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input_is_refused_cleanly(book, outside, case):
    needles = case.breaks(book, outside)
    before = hashes(book / "build")
    proc = run_limited(case.args, book)
    assert_one_line_error(proc, needles)
    assert hashes(book / "build") == before
    assert_nothing_from_outside(book, proc)


# ---- 4. the cache is disposable; 5. outputs are all or nothing


def test_a_folder_in_the_way_changes_no_output(book):
    """One output's place is taken by a folder: the build stops before replacing anything,
    so the other books and manifest.json stay those of the last build (they match it)."""
    proc = run_limited(["build", "-f", "epub"], book)
    assert proc.returncode == 0, proc.stderr
    path = book / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("publisher: ikidil", "publisher: Başka"),
                    encoding="utf-8")
    blocked = next((book / "build").glob("*.bilingual.epub"))
    blocked.unlink()
    blocked.mkdir()
    before = hashes(book / "build")
    proc = run_limited(["build", "-f", "epub"], book)
    assert_one_line_error(proc, [f"build: cannot write {blocked.name}: a folder", "nothing was replaced"])
    assert hashes(book / "build") == before
    assert not list((book / "build").glob(".ikidil-staging-*"))


def test_a_copied_book_writes_its_own_outputs(good_book, tmp_path):
    """The cache's record of the last build names outputs relative to the book: a copy whose
    build/ was deleted builds again, into its own folder."""
    copy = tmp_path / "copy"
    shutil.copytree(good_book, copy, symlinks=True)
    shutil.rmtree(copy / "build")
    proc = run_limited(BUILD_TR, copy)
    assert proc.returncode == 0, proc.stderr
    assert str(good_book) not in proc.stdout
    assert list((copy / "build").glob("*.tr.epub"))
    assert run_limited(BUILD_TR, copy).stdout == proc.stdout          # and then it is up to date


def test_staging_left_by_a_killed_build_is_removed(book):
    import signal
    import time
    shutil.rmtree(book / ".ikidil-cache")
    proc = subprocess.Popen([sys.executable, "-m", "ikidil", "build", "-e", "tr"], cwd=book,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_limits)
    deadline = time.monotonic() + 60
    while not list((book / "build").glob(".ikidil-staging-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list((book / "build").glob(".ikidil-staging-*")), "the build never staged anything"
    proc = run_limited(BUILD_TR, book)
    assert proc.returncode == 0, proc.stderr
    assert not list((book / "build").glob(".ikidil-staging-*"))


def test_corrupt_cache_entries_are_misses(book):
    """Every kind of cache entry damaged (bytes flipped, truncated, replaced by valid JSON
    such as []): the build gives the very same outputs, and mends the cache."""
    from ikidil.cache import CACHE_DIR
    proc = run_limited(["build", "-e", "tr"], book)
    assert proc.returncode == 0, proc.stderr
    good = hashes(book / "build")
    entries = [p for p in (book / CACHE_DIR).rglob("*") if p.is_file() and p.name != ".gitignore"]
    kinds = {p.relative_to(book / CACHE_DIR).parts[0] for p in entries}
    assert {"ast", "build", "part", "pages", "html", "checks"} <= kinds
    for number, path in enumerate(entries):
        data = path.read_bytes()
        if number % 3 == 0:
            damaged = bytearray(data)
            damaged[len(data) // 2] ^= 0xFF
            path.write_bytes(bytes(damaged))
        elif number % 3 == 1:
            path.write_bytes(data[: len(data) // 2])
        else:
            path.write_bytes(b"[]")
    (book / "manuscript" / CHAPTER).touch()
    proc = run_limited(["build", "-e", "tr"], book)
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout               # not taken for up to date
    assert hashes(book / "build") == good


# ---- 6. import is atomic


XLIFF_NS = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


def _exported(book: Path):
    from lxml import etree
    proc = run_limited(["export", "--xliff", "book.xlf"], book)
    assert proc.returncode == 0, proc.stderr
    return etree.parse(str(book / "book.xlf"))


def _target(tree, n: int):
    return tree.find(f".//x:unit[@id='b{n}']/x:segment/x:target", XLIFF_NS)


def _duplicate_unit(tree):
    import copy
    unit = tree.find(".//x:unit[@id='b3']", XLIFF_NS)
    twin = copy.deepcopy(unit)
    _target_of = twin.find("x:segment/x:target", XLIFF_NS)
    _target_of.text = "Overwritten silently."
    unit.addnext(twin)
    return ["book.xlf:", "unit 'b3'", "appears twice"]


def _script_in_a_later_unit(tree):
    _target(tree, 2).text = "A changed translation of the second block."
    target = _target(tree, 5)
    for child in list(target):
        target.remove(child)
    target.text = "Text <script>alert(1)</script> here."
    return ["book.xlf:", "unit 'b5'", "markup that could run or fetch", "<script>"]


def _unclosed_note_after_a_good_change(tree):
    _target(tree, 2).text = "A changed translation of the second block."
    target = _target(tree, 4)
    for child in list(target):
        target.remove(child)
    target.text = "A paragraph with ^[an unclosed note."
    return ["translations/en/", "'^[' is never closed"]


def _unknown_unit(tree):
    _target(tree, 2).text = "A changed translation of the second block."
    unit = tree.find(".//x:unit[@id='b6']", XLIFF_NS)
    unit.set("id", "b99999")
    return ["book.xlf:", "unit 'b99999' matches no block"]


@pytest.mark.parametrize("tamper", [_duplicate_unit, _script_in_a_later_unit, _unclosed_note_after_a_good_change,
                                    _unknown_unit], ids=lambda f: f.__name__.strip("_"))
def test_import_validates_the_whole_file_before_writing(book, tamper):
    tree = _exported(book)
    needles = tamper(tree)
    tree.write(str(book / "book.xlf"), xml_declaration=True, encoding="UTF-8")
    before = hashes(book / "translations")
    proc = run_limited(["import", "book.xlf"], book)
    assert_one_line_error(proc, needles)
    assert hashes(book / "translations") == before


def processes_in(folder: Path) -> list[int]:
    """Processes working in `folder` (a build's layout workers, Pandoc) still running."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_full_disk_while_writing_a_pdf(book):
    """The merged PDF cannot be written (file size limit, as on a full disk): exit 2 with one
    line, the previous books as they were, no staging folder, no layout worker left."""
    shutil.rmtree(book / ".ikidil-cache")
    before = hashes(book / "build")
    proc = run_limited(["build", "-e", "tr", "-j", "2"], book, file_size=40_000)
    assert_one_line_error(proc, ["cannot write mustafa-kemal-pasa-ve-turkiyedeki-komunistler.tr", "File too large", "free space on the disk"])
    assert hashes(book / "build") == before
    assert not list((book / "build").glob(".ikidil-staging-*"))
    assert not processes_in(book)


def test_a_layout_past_its_budget_is_stopped(book):
    shutil.rmtree(book / ".ikidil-cache")
    before = hashes(book / "build")
    proc = run_limited(["build", "-e", "tr", "-j", "2"], book, env={"IKIDIL_LAYOUT_BUDGET": "0.2"})
    assert_one_line_error(proc, ["limit exceeded: laying out", "took more than 0.2 s"])
    assert hashes(book / "build") == before
    assert not list((book / "build").glob(".ikidil-staging-*"))
    assert not processes_in(book)


def test_a_fifo_and_a_device_link_anywhere_in_the_book_are_never_read(book):
    """The up-to-date fingerprint and the layout cache key hash the book's files: a FIFO
    (reading it waits for a writer forever) or a link to /dev/zero (never ends) among them
    is recorded as what it is, not read; the PDF and the EPUB build."""
    os.mkfifo(book / "notes.pipe")
    (book / "images").mkdir()
    os.mkfifo(book / "images" / "unused.png")
    (book / "zero.bin").symlink_to("/dev/zero")
    proc = run_limited(["build", "-e", "tr"], book)
    assert proc.returncode == 0, proc.stderr
    assert "up to date" not in proc.stdout + proc.stderr
