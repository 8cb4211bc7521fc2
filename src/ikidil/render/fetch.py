"""WeasyPrint's door to the outside world, kept shut: only files inside the project,
ikidil's own assets and the system's font folders can be read; no network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetchingError

ASSETS = Path(__file__).resolve().parent.parent / "assets"
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


class ProjectFetcher(URLFetcher):
    def __init__(self, project: Path, **kwargs):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, **kwargs)
        self.roots = (project.resolve(), ASSETS, *FONT_DIRS)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        self.refused.append(url)
        raise URLFetchingError(f"ikidil does not fetch {url}: only files inside the project")
