"""Writing outputs safely and describing them.

Every output is written to a temporary file beside its target and renamed into place
only when complete: an interrupted or failed build never leaves a half-written book
where a good one was. A build stages all its outputs first (Staging) and puts them in
place together once the checks have passed, so a build that fails halfway (or whose
checks, which run beside the rendering, find an error) changes none of the books."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import interrupt
from .errors import BookError


@dataclass(frozen=True)
class Output:
    edition: str                 # "tr", "en", "bilingual"
    format: str                  # "epub", "pdf"
    variant: str | None          # None, "print", "digital"
    path: Path
    pages: int | None = None


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces `target`, on failure it is removed."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise BookError(f"cannot write {target.name} into this folder: {exc.strerror}", file=target.parent,
                        hint="check the folder's permissions or free space") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with interrupt.on_interrupt(lambda: tmp_path.unlink(missing_ok=True)):
            yield tmp_path
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


class Staging:
    """A hidden folder in the build folder (same file system: renames are atomic) where a
    build's outputs are made; `commit` moves them over their targets, and leaving the
    `with` block removes whatever was not committed."""

    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.dir: Path | None = None
        self._cleanup: int | None = None

    def __enter__(self) -> "Staging":
        try:
            self.build_dir.mkdir(parents=True, exist_ok=True)
            self.dir = Path(tempfile.mkdtemp(prefix=".ikidil-staging-", dir=self.build_dir))
        except OSError as exc:
            raise BookError(f"cannot write into this folder: {exc.strerror}", file=self.build_dir,
                            hint="check the folder's permissions or free space") from None
        self._cleanup = interrupt.register(self._remove)
        return self

    def __exit__(self, *exc) -> None:
        interrupt.unregister(self._cleanup)
        self._remove()

    def _remove(self) -> None:
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, target: Path) -> Path:
        """Where to write the output meant for `target` (a file of the build folder)."""
        return self.dir / target.relative_to(self.build_dir)

    def commit(self, outputs: list[Output]) -> list[Output]:
        """Put every staged output in place; the outputs as they are now named."""
        placed = []
        with interrupt.deferred():          # all of the new books, or (Ctrl-C before) none
            for output in outputs:
                target = self.build_dir / output.path.relative_to(self.dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(output.path, target)
                placed.append(dataclasses.replace(output, path=target))
        return placed


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def manifest_entry(output: Output, root: Path) -> dict:
    data = output.path.read_bytes()
    entry = {
        "edition": output.edition,
        "format": output.format,
        "variant": output.variant,
        "path": output.path.relative_to(root).as_posix(),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if output.format == "pdf":
        entry["pages"] = output.pages
    return entry


def write_manifest(outputs: list[Output], root: Path, build_dir: Path) -> Path:
    """build/manifest.json lists every output of the last build, including those kept from before."""
    path = build_dir / "manifest.json"
    previous = {}
    if path.is_file():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            previous = {(e["edition"], e["format"], e["variant"]): e
                        for e in json.loads(path.read_text(encoding="utf-8"))["outputs"]
                        if (root / e["path"]).is_file()}
    for output in outputs:
        previous[(output.edition, output.format, output.variant)] = manifest_entry(output, root)
    order = {"tr": 0, "en": 1, "bilingual": 2}
    entries = sorted(previous.values(), key=lambda e: (order.get(e["edition"], 9), e["edition"],
                                                      e["format"], e["variant"] or ""))
    write_bytes_atomic(path, (json.dumps({"outputs": entries}, indent=2, ensure_ascii=False) + "\n").encode())
    return path
