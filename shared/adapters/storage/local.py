"""Media in a local folder with a retention period (all-in-one mode and tests)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from shared.adapters.storage import MediaNotFound


class LocalMediaStore:
    """Files under `root`; anything older than `ttl_seconds` is treated as gone and purged."""

    def __init__(
        self,
        root: Path,
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._root = root
        self._ttl = ttl_seconds
        self._clock = clock

    def _path(self, ref: str) -> Path:
        parts = PurePosixPath(ref).parts
        if not parts or ref.startswith("/") or any(p in {"..", "."} for p in parts):
            raise MediaNotFound(f"invalid media reference {ref!r}")
        return self._root.joinpath(*parts)

    def put(self, key: str, data: bytes, mime: str) -> str:
        """Write the file privately (0600); the mime type is implied by the key's extension."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        now = self._clock()
        os.utime(path, (now, now))
        return key

    def get(self, ref: str) -> bytes:
        """The bytes, unless missing or older than the retention."""
        path = self._path(ref)
        try:
            if self._clock() - path.stat().st_mtime > self._ttl:
                path.unlink(missing_ok=True)
                raise MediaNotFound(f"media {ref!r} expired")
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise MediaNotFound(f"media {ref!r} not found") from exc

    def delete(self, ref: str) -> None:
        """Remove the file if present."""
        self._path(ref).unlink(missing_ok=True)

    def purge_expired(self) -> int:
        """Delete every file past retention; returns how many."""
        if not self._root.exists():
            return 0
        cutoff = self._clock() - self._ttl
        removed = 0
        for path in self._root.rglob("*"):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
