"""`ikidil watch`: which editions a saved file makes stale, and one real watch session."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ikidil.config import load_config
from ikidil.watch import editions_to_rebuild

CHAPTER = "01-mustafa-kemal-ve-komunistler.md"


def test_editions_to_rebuild(book_copy):
    config = load_config(book_copy.resolve())
    root = book_copy.resolve()
    every = ("tr", "en", "bilingual")
    assert editions_to_rebuild(config, [root / "manuscript" / CHAPTER]) == every
    assert editions_to_rebuild(config, [root / "translations" / "en" / CHAPTER]) == ("en", "bilingual")
    assert editions_to_rebuild(config, [root / "book.yaml"]) == every
    assert editions_to_rebuild(config, [root / "bibliography.yaml"]) == every
    assert editions_to_rebuild(config, [root / "images" / "map.png"]) == every
    assert editions_to_rebuild(config, [root / "style.csl"]) == every
    for quiet in (root / "build" / "x.tr.epub", root / "build" / "manifest.json",
                  root / "translations" / "en" / f".{CHAPTER}.swp", root / "manuscript" / f"{CHAPTER}~",
                  root / "notes.txt", root / "translations" / "de" / CHAPTER, Path("/elsewhere/x.md"),
                  root / "translations" / "en" / "ikidil.lock"):
        assert editions_to_rebuild(config, [quiet]) == (), quiet
    both = [root / "translations" / "en" / CHAPTER, root / "build" / "manifest.json"]
    assert editions_to_rebuild(config, both) == ("en", "bilingual")


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))


def _wait_for(lines: queue.Queue, seen: list[str], predicate, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if predicate(line):
            return line
    raise AssertionError("timed out; output so far:\n" + "\n".join(seen))


def test_watch_rebuilds_only_the_editions_a_save_affects(book_copy):
    proc = subprocess.Popen([sys.executable, "-m", "ikidil", "watch", "-f", "epub"], cwd=book_copy,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        _wait_for(lines, seen, lambda l: l.startswith("watching "), 60)
        time.sleep(0.5)
        translation = book_copy / "translations" / "en" / CHAPTER
        translation.write_text(translation.read_text(encoding="utf-8").replace(
            "from the very beginning", "from the outset"), encoding="utf-8")
        _wait_for(lines, seen, lambda l: l == "rebuilding en, bilingual", 60)
        _wait_for(lines, seen, lambda l: l.endswith(".bilingual.epub"), 180)
        assert any(l.endswith(".en.epub") and l.startswith("wrote ") for l in seen), seen
        assert not any(l.endswith(".tr.epub") for l in seen), seen
        epubs = sorted(p.name.split(".")[1] for p in (book_copy / "build").glob("*.epub"))
        assert epubs == ["bilingual", "en"]
        # a mistake is reported in one line and the watch goes on
        (book_copy / "book.yaml").write_text((book_copy / "book.yaml").read_text(encoding="utf-8")
                                             + "colour: red\n", encoding="utf-8")
        error = _wait_for(lines, seen, lambda l: l.startswith("ikidil: "), 60)
        assert "book.yaml" in error and "unknown key 'colour'" in error
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert code == 0, seen + rest
    assert "stopped watching" in seen + rest
