"""Task lists in every output. After ikidil's filters Pandoc writes `- [ ] to do` as a plain
bulleted list whose items begin with ☐ or ☒ (its HTML writer marks only the checkboxes it
parsed itself), and a bullet before a box reads "• ☐". Such a list gets class `task-list`,
which both stylesheets set without bullets (fit.css, epub.css)."""

from __future__ import annotations

from collections.abc import Iterable

BOXES = ("☐", "☒")


def mark(lists: Iterable) -> None:
    """Add class task-list to each `ul` element of `lists` whose every item starts with a box."""
    for ul in lists:
        items = [li for li in ul if isinstance(li.tag, str)]
        if items and all("".join(li.itertext()).lstrip().startswith(BOXES) for li in items):
            classes = (ul.get("class") or "").split()
            if "task-list" not in classes:
                ul.set("class", " ".join([*classes, "task-list"]))
