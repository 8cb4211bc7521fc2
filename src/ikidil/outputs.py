"""Writing outputs safely and describing them.

Every output is written to a temporary file beside its target and renamed into place
only when complete: an interrupted or failed build never leaves a half-written book
where a good one was. A build stages all its outputs first (Staging) and puts them in
place together once the checks have passed, so a build that fails halfway (or whose
checks, which run beside the rendering, find an error) changes none of the books."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
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
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            raise
        # (not named by its folder: that is the build's staging folder, gone when this is read)
        raise BookError(f"cannot write {target.name}: {exc.strerror}",
                        hint="free space on the disk; the previous outputs are untouched") from None
    finally:
        tmp_path.unlink(missing_ok=True)


STAGING_PREFIX = ".ikidil-staging-"
STALE_STAGING = 3600        # seconds: a staging folder without a live owner older than this is removed


class Staging:
    """A hidden folder in the build folder (same file system: renames are atomic) where a
    build's outputs are made; `commit` moves them and the new manifest over their targets,
    all or none, and leaving the `with` block removes whatever was not committed. A staging
    folder left by a build that was killed (SIGKILL runs no clean-up) is removed by the next."""

    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.dir: Path | None = None
        self._cleanup: int | None = None

    def __enter__(self) -> "Staging":
        try:
            self.build_dir.mkdir(parents=True, exist_ok=True)
            _remove_stale_staging(self.build_dir)
            self.dir = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.build_dir))
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

    def commit(self, outputs: list[Output], root: Path) -> tuple[list[Output], Path]:
        """Put every staged output and build/manifest.json in place, all or none: each target
        is checked first (a folder where a PDF goes stops the build before any rename), and a
        rename that fails (disk, permissions) puts back the outputs already replaced. Returns
        the outputs as they are now named, and the manifest's path."""
        placed = [dataclasses.replace(o, path=self.build_dir / o.path.relative_to(self.dir)) for o in outputs]
        manifest = self.build_dir / "manifest.json"
        staged_manifest = self.dir / ".manifest.json"
        try:
            staged_manifest.write_bytes(manifest_bytes(outputs, placed, root, self.build_dir))
        except OSError as exc:
            raise BookError(f"cannot write manifest.json: {exc.strerror}", file=self.build_dir,
                            hint="check free space; the previous outputs are untouched") from None
        moves = [(o.path, p.path) for o, p in zip(outputs, placed)] + [(staged_manifest, manifest)]
        for _, target in moves:
            _check_replaceable(target)
        with interrupt.deferred():          # all of the new books, or (Ctrl-C before) none
            self._swap(moves)
        return placed, manifest

    def _swap(self, moves: list[tuple[Path, Path]]) -> None:
        done: list[tuple[Path, Path | None]] = []
        try:
            for number, (staged, target) in enumerate(moves):
                target.parent.mkdir(parents=True, exist_ok=True)
                backup = None
                if os.path.lexists(target):
                    backup = self.dir / f".previous-{number}"
                    os.replace(target, backup)
                done.append((target, backup))
                os.replace(staged, target)
        except OSError as exc:
            for target, backup in reversed(done):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, target)
                    else:
                        os.unlink(target)
            raise BookError(f"cannot put {Path(exc.filename or target).name} in place: {exc.strerror}",
                            file=self.build_dir,
                            hint="check the folder's permissions and free space; the previous outputs "
                                 "are as they were") from None


def _check_replaceable(target: Path) -> None:
    # (a symlink is replaced itself, never followed: it is no obstacle)
    if os.path.lexists(target) and not target.is_symlink() and not target.is_file():
        raise BookError(f"cannot write {target.name}: a folder or another non-file is in the way",
                        file=target.parent, hint=f"move or remove {target.name}; nothing was replaced")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise BookError(f"cannot write {target.name} into this folder: Permission denied", file=target.parent,
                        hint="check the folder's permissions; nothing was replaced")


def _remove_stale_staging(build_dir: Path) -> None:
    """Staging folders whose build is gone: its process no longer runs (or, for a name
    without a process id, the folder is old)."""
    import shutil
    import time
    for folder in build_dir.glob(f"{STAGING_PREFIX}*"):
        owner = folder.name[len(STAGING_PREFIX):].split("-", 1)[0]
        if owner.isdigit():
            if int(owner) == os.getpid() or _alive(int(owner)):
                continue
        elif time.time() - folder.lstat().st_mtime < STALE_STAGING:
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True             # someone else's process: leave its folder
    return True


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def manifest_entry(output: Output, root: Path, data_path: Path | None = None) -> dict:
    """`output`'s entry; its bytes read from `data_path` (the staged file) when given."""
    data = (data_path or output.path).read_bytes()
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


def manifest_bytes(staged: list[Output], placed: list[Output], root: Path, build_dir: Path) -> bytes:
    """build/manifest.json lists every output of the last build, including those kept from
    before: `placed` are the new outputs where they will be, `staged` where they are now."""
    path = build_dir / "manifest.json"
    previous = {}
    if path.is_file():
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError, OSError):
            previous = {(e["edition"], e["format"], e["variant"]): e
                        for e in json.loads(path.read_text(encoding="utf-8"))["outputs"]
                        if (root / e["path"]).is_file()}
    for now, final in zip(staged, placed):
        previous[(final.edition, final.format, final.variant)] = manifest_entry(final, root, now.path)
    order = {"tr": 0, "en": 1, "bilingual": 2}
    entries = sorted(previous.values(), key=lambda e: (order.get(e["edition"], 9), e["edition"],
                                                      e["format"], e["variant"] or ""))
    return (json.dumps({"outputs": entries}, indent=2, ensure_ascii=False) + "\n").encode()
