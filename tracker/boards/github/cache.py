"""The sync's small on-disk memory in ``.sprint/github-cache.json``: ETags and facts found once.

* **ETags** of the GET answers the snapshot reads (the issue list pages): a conditional request
  (``If-None-Match``) that GitHub answers ``304 Not Modified`` costs nothing against the rate limit
  and reuses the body stored here — so a no-op sync reads the whole repository for free.
* **Facts** that are expensive to find again but cheap to check: e.g. whether a project owner is a
  user or an organization.

Everything is keyed by the API URL and repository, so one workspace may talk to several servers.
The file never holds a token. Losing it is harmless: the next sync simply pays full price once.
Writes are atomic (temporary file + rename).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["CachedPage", "SyncCache"]

VERSION = 1


class CachedPage:
    __slots__ = ("data", "etag", "link")

    def __init__(self, etag: str, data: Any, link: str) -> None:
        self.etag = etag
        self.data = data
        self.link = link


class SyncCache:
    """A JSON file of ETag'd pages and facts; ``path=None`` keeps it in memory only."""

    def __init__(self, path: Path | None, scope: str) -> None:
        self.path = path
        self.scope = scope
        self._data: dict[str, Any] = {"version": VERSION, "scopes": {}}
        self._dirty = False
        if path is not None and path.is_file():
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict) and loaded.get("version") == VERSION:
                    self._data = loaded

    def _scope(self) -> dict[str, Any]:
        scopes: dict[str, Any] = self._data.setdefault("scopes", {})
        mine: dict[str, Any] = scopes.setdefault(self.scope, {"pages": {}, "facts": {}})
        return mine

    def page(self, key: str) -> CachedPage | None:
        raw = self._scope()["pages"].get(key)
        if not isinstance(raw, dict) or "etag" not in raw:
            return None
        return CachedPage(str(raw["etag"]), raw.get("data"), str(raw.get("link", "")))

    def store_page(self, key: str, etag: str, data: Any, link: str) -> None:
        self._scope()["pages"][key] = {"etag": etag, "data": data, "link": link}
        self._dirty = True

    def fact(self, key: str) -> Any:
        return self._scope()["facts"].get(key)

    def store_fact(self, key: str, value: Any) -> None:
        facts = self._scope()["facts"]
        if facts.get(key) != value:
            facts[key] = value
            self._dirty = True

    def save(self) -> None:
        """Write the file if anything changed (atomically; errors are ignored: it is only a cache)."""
        if self.path is None or not self._dirty:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".github-cache-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(self._data, f, ensure_ascii=False, separators=(",", ":"))
                os.replace(tmp, self.path)
                self._dirty = False
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
