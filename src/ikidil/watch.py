"""`ikidil watch`: rebuild the editions a saved file affects, and only those.

`editions_to_rebuild` is the whole decision (pure, tested on its own); `watch` is the
loop around watchfiles that calls it and the build."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterable

from .config import BookConfig
from .errors import BookError

EDITOR_DEBRIS = ("~", ".swp", ".swx", ".tmp", ".part")


def editions_to_rebuild(config: BookConfig, changed: Iterable[Path],
                        build_dir: Path | None = None) -> tuple[str, ...]:
    """The editions (in build order) a set of changed files makes stale.

    A source chapter feeds every edition; a translation feeds its language and the
    bilingual edition; book.yaml, the bibliography or a .csl style feed everything;
    an image feeds everything (it may appear in any edition); build outputs and editor
    debris feed nothing."""
    root = config.root.resolve()
    build_dir = (build_dir or root / "build").resolve()
    every = (*config.languages, "bilingual")
    wanted: set[str] = set()
    for path in changed:
        path = Path(path).resolve()
        if not path.is_relative_to(root) or path.is_relative_to(build_dir):
            continue
        if path.name.startswith((".#", ".")) or path.name.endswith(EDITOR_DEBRIS):
            continue
        relative = path.relative_to(root)
        if relative.parts[:1] == ("translations",) and len(relative.parts) >= 3:
            lang = relative.parts[1]
            if lang in config.translations and path.suffix == ".md":
                wanted.update((lang, "bilingual"))
            continue
        if relative.parts[:1] == ("manuscript",):
            if path.suffix == ".md":
                return every
            continue
        if relative.parts[:1] == ("images",) or path == root / "book.yaml" or path.suffix == ".csl" \
                or (config.bibliography is not None and path == config.bibliography.resolve()):
            return every
    return tuple(e for e in every if e in wanted)


def watch(root: Path, rebuild: Callable[[tuple[str, ...]], None], load_config: Callable[[Path], BookConfig],
          on_error: Callable[[BookError], None], ready: Callable[[], None] = lambda: None,
          stop: threading.Event | None = None) -> None:
    """Watch the book's folder; on each batch of saves, call rebuild(editions).
    book.yaml is re-read every time, so adding a translation language needs no restart;
    a mistake in the book is reported (on_error) and the watch goes on."""
    import watchfiles

    ready()
    for changes in watchfiles.watch(root, stop_event=stop, debounce=400, step=50,
                                    watch_filter=lambda change, path: change != watchfiles.Change.deleted
                                    or path.endswith(".md")):
        try:
            config = load_config(root)
            editions = editions_to_rebuild(config, (Path(path) for _, path in changes))
            if editions:
                rebuild(editions)
        except BookError as exc:
            on_error(exc)
