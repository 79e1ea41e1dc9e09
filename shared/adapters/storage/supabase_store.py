"""Media in a private Supabase Storage bucket (production), through storage3's REST client.

Retention is enforced by the `purge_media` job (`purge_expired`: objects older than
MEDIA_TTL_SECONDS are deleted, oldest first); nothing here makes an object public.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from shared.adapters.storage import MediaNotFound

if TYPE_CHECKING:
    from storage3 import SyncStorageClient


class SupabaseMediaStore:
    """Uploads with an explicit content type (storage3 otherwise defaults to text/plain)."""

    def __init__(
        self, url: str, service_key: str, *, bucket: str, ttl_seconds: float = 3600
    ) -> None:
        self._url = url.rstrip("/") + "/storage/v1/"
        self._key = service_key
        self._bucket = bucket
        self._ttl = ttl_seconds
        self._client: SyncStorageClient | None = None
        self._lock = threading.Lock()

    def _storage(self) -> SyncStorageClient:
        with self._lock:
            if self._client is None:
                import httpx  # noqa: PLC0415
                from storage3 import SyncStorageClient  # noqa: PLC0415 - lazy, ~100 ms

                self._client = SyncStorageClient(
                    self._url,
                    {"apiKey": self._key, "Authorization": f"Bearer {self._key}"},
                    http_client=httpx.Client(timeout=20),
                )
            return self._client

    def put(self, key: str, data: bytes, mime: str) -> str:
        """Upload (overwriting a previous copy of the same message)."""
        self._storage().from_(self._bucket).upload(
            key, data, {"content-type": mime, "upsert": "true"}
        )
        return key

    def get(self, ref: str) -> bytes:
        """Download the object."""
        from storage3.exceptions import StorageApiError  # noqa: PLC0415

        try:
            return bytes(self._storage().from_(self._bucket).download(ref))
        except StorageApiError as exc:
            raise MediaNotFound(f"media {ref!r} not available ({exc.status})") from exc

    def delete(self, ref: str) -> None:
        """Remove the object."""
        self._storage().from_(self._bucket).remove([ref])

    def purge_expired(self, *, page_size: int = 1000) -> int:
        """Delete every object older than the retention; returns how many.

        The flat listing is read oldest first and each page of expired objects deleted at once,
        so a run stops at the first object still within the retention. Listing again from the
        start after each deletion needs no cursor across a changing listing.
        """
        bucket = self._storage().from_(self._bucket)
        cutoff = datetime.now(UTC) - timedelta(seconds=self._ttl)
        deleted = 0
        while True:
            page = bucket.list_v2(
                {
                    "prefix": "",
                    "limit": page_size,
                    "with_delimiter": False,
                    "sortBy": {"column": "created_at", "order": "asc"},
                }
            )
            expired = [o.key or o.name for o in page.objects if o.created_at < cutoff]
            if not expired:
                return deleted
            removed = bucket.remove(expired)
            deleted += len(removed)
            if len(expired) < len(page.objects) or not page.hasNext or not removed:
                return deleted

    def bucket_is_public(self) -> bool:
        """Whether anyone with an object's URL may read it (the bucket must be private).

        Raises:
            MediaNotFound: the bucket does not exist, or Storage refused the key.
        """
        from storage3.exceptions import StorageApiError  # noqa: PLC0415

        try:
            return bool(self._storage().get_bucket(self._bucket).public)
        except StorageApiError as exc:
            raise MediaNotFound(f"bucket {self._bucket!r}: {exc.message} ({exc.status})") from exc
