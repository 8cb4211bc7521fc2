"""The build cache in <book>/.ikidil-cache/: work that is skipped when its inputs have not changed.

Two levels, both keyed by content hashes plus the versions of the tools that did the work
(ikidil's own code, Pandoc, WeasyPrint), so an upgrade never reuses a stale result:

- the whole build: a fingerprint of every input file and the build options. When it matches
  the last successful build and the outputs are still the files that build wrote, `ikidil
  build` returns before loading anything;
- pieces: any JSON-able or bytes value stored under a key made of hashes (a chapter's Pandoc
  AST, a laid-out chapter PDF). Entries are written atomically; a corrupt or unreadable entry
  is a miss, never an error, because the cache only ever saves time.

The folder is disposable: deleting it makes the next build a full one."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Iterator

from . import interrupt
from .ast import compact

CACHE_DIR = ".ikidil-cache"
# Folders of a book's tree that are never inputs: outputs, caches, environments, VCS.
IGNORED_DIRS = {"build", CACHE_DIR, "node_modules", "__pycache__"}
ENTRY_MAGIC = b"ikidil-cache-1 sha256="   # the first line of every entry, before its hash
PIECES_KEEP = 4000           # piece entries kept; older ones are pruned after a build


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def tool_versions() -> str:
    """ikidil's code (every file of the package, so an edited stylesheet or module counts),
    the Pandoc binary and WeasyPrint: anything that changes what a build produces."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    versions = [h.hexdigest()]
    for dist in ("pypandoc_binary", "pypandoc", "weasyprint", "pikepdf", "pydyf", "citeproc-py"):
        try:
            versions.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist}=-")
    return digest(*versions)


def input_files(root: Path, build_dir: Path | None = None, folders: bool = False) -> Iterable[Path]:
    """Every file of the book's folder that can be an input: hidden entries, outputs and
    caches are skipped (a book kept in a repository also hashes its other files: cheap).
    `folders`: the folders too (a folder named like a chapter changes the build)."""
    skip = {(build_dir or root / "build").resolve()}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in IGNORED_DIRS
                         and (Path(folder) / d).resolve() not in skip)
        if folders:
            yield from (Path(folder) / name for name in dirs)
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def book_fingerprint(root: Path, options: str, build_dir: Path | None = None) -> str:
    parts = [tool_versions(), options]
    inside = os.path.realpath(root)
    for path in input_files(root, build_dir, folders=True):
        with contextlib.suppress(OSError):
            parts += [path.relative_to(root).as_posix(), fingerprint_bytes(path, inside)]
    return digest(*parts)


def fingerprint_bytes(path: Path, inside: str) -> bytes:
    """What of a file goes into the fingerprint: its bytes if it is a regular file inside the
    book; otherwise only what it is (reading a FIFO blocks forever, /dev/zero never ends, a
    link out of the book is refused by the build anyway: contain.py)."""
    target = os.path.realpath(path)
    if os.path.commonpath([target, inside]) != inside:
        return b"link out of the book: " + os.fsencode(target)
    mode = os.stat(target).st_mode
    if stat.S_ISDIR(mode):
        return b"folder"
    if not stat.S_ISREG(mode):
        return b"special file: " + str(stat.S_IFMT(mode)).encode()
    return path.read_bytes()


class Cache:
    """Key → value store under <root>/.ikidil-cache/<kind>/."""

    def __init__(self, root: Path):
        self.dir = root / CACHE_DIR
        # A cache folder that is a link (a stranger's book could hold one pointing anywhere)
        # is not used: every entry is a miss and nothing is written through it.
        self.usable = not os.path.islink(self.dir)

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.dir / kind / key[:2] / f"{key}{suffix}"

    def get_json(self, kind: str, key: str) -> Any | None:
        data = self._read(self._path(kind, key, ".json"))
        try:
            return None if data is None else json.loads(data.decode("utf-8"))
        except ValueError:
            return None

    def put_json(self, kind: str, key: str, value: Any) -> None:
        self._write(self._path(kind, key, ".json"),
                    json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def put_text(self, kind: str, key: str, json_text: str) -> None:
        """Store a value already encoded as JSON text."""
        self._write(self._path(kind, key, ".json"), json_text.encode("utf-8"))

    def get_bytes(self, kind: str, key: str) -> bytes | None:
        return self._read(self._path(kind, key, ".bin"))

    def put_bytes(self, kind: str, key: str, value: bytes) -> None:
        self._write(self._path(kind, key, ".bin"), value)

    def _read(self, path: Path) -> bytes | None:
        """An entry's value, or None (a miss) unless the file is exactly what _write wrote:
        a truncated, bit-flipped or hand-edited entry fails its hash, and a special file
        (a FIFO would block) is never opened."""
        if not self.usable:
            return None
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return None
            data = path.read_bytes()
        except OSError:
            return None
        head, _, payload = data.partition(b"\n")
        if head != ENTRY_MAGIC + hashlib.sha256(payload).hexdigest().encode():
            return None
        return payload

    def _write(self, path: Path, payload: bytes) -> None:
        """Atomic, and silent on failure: a read-only book still builds, only slower.
        The value is preceded by its hash (_read checks it)."""
        if not self.usable:
            return
        data = ENTRY_MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            self._ignore_in_git()
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
            try:
                with interrupt.on_interrupt(lambda: os.unlink(tmp)):
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(data)
                    os.replace(tmp, path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def _ignore_in_git(self) -> None:
        marker = self.dir / ".gitignore"
        if not marker.exists():
            marker.write_text("*\n", encoding="utf-8")

    def prune(self, keep: int = PIECES_KEEP) -> None:
        """Drop the least recently written pieces beyond `keep`, so the cache stays bounded."""
        if not self.usable:
            return
        with contextlib.suppress(OSError):
            entries = [p for p in self.dir.glob("*/*/*") if p.is_file()]
            if len(entries) > keep:
                entries.sort(key=lambda p: p.stat().st_mtime)
                for path in entries[:len(entries) - keep]:
                    path.unlink(missing_ok=True)

    # ------------------------------------------------------------ whole-build fingerprint

    def last_build(self, fingerprint: str) -> dict | None:
        """The record of the last build if it had this fingerprint and its outputs are still
        the files it wrote (same size and modification time), else None. Paths come back
        absolute; the record keeps them relative to the book, so that a copied or moved book
        never takes the original's outputs for its own."""
        record = self.get_json("build", "last")
        try:
            if not record or record.get("fingerprint") != fingerprint:
                return None
            root = self.dir.parent
            for output in record["outputs"]:
                output["path"] = str(root / output["path"])
                stat_ = Path(output["path"]).stat()
                if stat_.st_size != output["bytes"] or stat_.st_mtime_ns != output["mtime_ns"]:
                    return None
            if record.get("manifest"):
                record["manifest"] = str(root / record["manifest"])
                if not Path(record["manifest"]).is_file():
                    return None
            return record
        except (OSError, KeyError, TypeError, AttributeError):
            return None

    def record_build(self, fingerprint: str, outputs: list[dict], findings: list[dict],
                     manifest: Path | None) -> None:
        root = self.dir.parent
        for output in outputs:
            stat_ = Path(output["path"]).stat()
            output.update(path=os.path.relpath(output["path"], root), bytes=stat_.st_size,
                          mtime_ns=stat_.st_mtime_ns)
        self.put_json("build", "last", {"fingerprint": fingerprint, "outputs": outputs,
                                        "findings": findings,
                                        "manifest": os.path.relpath(manifest, root) if manifest else None})


# ------------------------------------------------------------ chapter ASTs

def _ast_key(source: str) -> str:
    from . import pandoc
    return digest(tool_versions(), pandoc.MARKDOWN, source)


def _ast_entry(doc: dict, warnings) -> dict:
    return {"doc": doc, "warnings": [{"message": w.message, "line": w.line} for w in warnings]}


def read_markdown_cached(source: str, path: Path, root: Path):
    """pandoc.read_markdown_with_warnings, remembered by the chapter's text: an unchanged
    chapter is not parsed again (a Pandoc process per chapter is most of a load)."""
    from . import pandoc
    key = _ast_key(source)
    cache = Cache(root)
    hit = cache.get_json("ast", key)
    if hit is not None:
        return compact(hit["doc"]), [pandoc.Warning(w["message"], w["line"]) for w in hit["warnings"]]
    doc, warnings = pandoc.read_markdown_with_warnings(source, path)
    cache.put_json("ast", key, _ast_entry(doc, warnings))
    return compact(doc), warnings


def read_markdown_cached_many(chapters: list[tuple[str, Path]], root: Path, jobs: int) -> Iterator:
    """read_markdown_cached for many chapters, (text, path) each: yields (doc, warnings) per
    chapter, in order, or None for one to parse alone with read_markdown_cached (it failed
    here, so that parse reports the error; or its cache entry is unreadable).

    The chapters the cache lacks are parsed in batches, one Pandoc process per batch
    (pandoc.read_markdown_many), `jobs` batches at a time, while the cached ones are read:
    starting Pandoc costs more than parsing a chapter, and each batch keeps a core busy."""
    from . import pandoc
    cache = Cache(root)
    keys = [_ast_key(text) for text, _ in chapters]
    misses = [i for i, key in enumerate(keys) if not cache._path("ast", key, ".json").is_file()]
    batches = _batches(misses, [len(chapters[i][0]) for i in misses], jobs)
    batch_of = {i: (number, place) for number, batch in enumerate(batches) for place, i in enumerate(batch)}
    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(batches))))
    try:
        futures = [pool.submit(_parse_batch, [chapters[i] for i in batch], [keys[i] for i in batch], cache)
                   for batch in batches]
        for i, key in enumerate(keys):
            if i in batch_of:
                number, place = batch_of[i]
                yield futures[number].result()[place]
            else:
                hit = cache.get_json("ast", key)
                yield None if hit is None else (
                    compact(hit["doc"]), [pandoc.Warning(w["message"], w["line"]) for w in hit["warnings"]])
    finally:
        # Closed early (a chapter was faulty): batches not started are dropped, running ones
        # are waited for. Their parses land in the cache for the next build, and nothing writes
        # into the book's folder after load_book has returned (a CLI would wait for them at
        # exit anyway: executor threads are joined then).
        pool.shutdown(wait=True, cancel_futures=True)


BATCHES_PER_JOB = 2     # more, smaller batches: the first are vetted while the last still parse


def _batches(items: list[int], sizes: list[int], jobs: int) -> list[list[int]]:
    """`items` cut into about BATCHES_PER_JOB * jobs runs in order, of about equal total size."""
    return even_runs(items, sizes, max(1, jobs) * BATCHES_PER_JOB)


def even_runs(items: list, sizes: list[int], count: int) -> list[list]:
    """`items` cut into at most `count` runs in order, of about equal total size."""
    count = min(len(items), count)
    if not count:
        return []
    total, batches, done = sum(sizes) or 1, [[] for _ in range(count)], 0
    for item, size in zip(items, sizes):
        batches[min(count - 1, done * count // total)].append(item)
        done += size
    return [batch for batch in batches if batch]


def _parse_batch(chapters: list[tuple[str, Path]], keys: list[str], cache: Cache) -> list:
    """One Pandoc process for all `chapters`; the ones Pandoc warned about are parsed again
    alone, so that their warnings are exactly those of a one-chapter parse (warnings are rare).
    If the batch fails, every chapter is parsed alone and a failing one is left to the caller."""
    from . import pandoc
    from .errors import BookError
    try:
        parsed, warnings = pandoc.read_markdown_many([text for text, _ in chapters])
    except BookError:
        parsed, warnings = [None] * len(chapters), []
    unexplained = bool(warnings) and not any(p.logged for p in parsed if p is not None)
    results = []
    for (text, path), key, one in zip(chapters, keys, parsed):
        if one is None or one.logged or unexplained:
            try:
                results.append(read_markdown_cached(text, path, cache.dir.parent))
            except BookError:
                results.append(None)
            continue
        # Pandoc's own JSON text goes into the cache as it is: no second encoding.
        cache.put_text("ast", key, '{"doc":' + one.json + ',"warnings":[]}')
        results.append((compact(json.loads(one.json)), []))
    return results
