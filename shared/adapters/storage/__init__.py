"""Private media storage for downloaded voice notes and images (short retention).

`MediaStore` is the port; `LocalMediaStore` keeps files under DATA_DIR, `SupabaseMediaStore`
keeps them in a private Supabase Storage bucket. `media_store(settings)` picks one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from shared.errors import SalesbotError

if TYPE_CHECKING:
    from shared.config import Settings


class MediaNotFound(SalesbotError):
    """The media reference is unknown or its retention has passed."""


class MediaStore(Protocol):
    """Stores media bytes under a key and returns a reference carried in messages."""

    def put(self, key: str, data: bytes, mime: str) -> str:
        """Store `data` under `key` (e.g. `wa/<chat hash>/<message id>.ogg`); returns the ref."""
        ...

    def get(self, ref: str) -> bytes:
        """The stored bytes.

        Raises:
            MediaNotFound: unknown or expired reference.
        """
        ...

    def delete(self, ref: str) -> None:
        """Remove the object (no error when already gone)."""
        ...

    def purge_expired(self) -> int:
        """Delete everything older than the retention (MEDIA_TTL_SECONDS); returns how many."""
        ...


def media_store(settings: Settings) -> MediaStore:
    """Supabase Storage when Supabase is configured, else a local folder under DATA_DIR."""
    if settings.supabase_url and settings.supabase_service_role_key is not None:
        from shared.adapters.storage.supabase_store import SupabaseMediaStore  # noqa: PLC0415

        return SupabaseMediaStore(
            settings.supabase_url,
            settings.supabase_service_role_key.get_secret_value(),
            bucket=settings.media_bucket,
            ttl_seconds=settings.media_ttl_seconds,
        )
    from shared.adapters.storage.local import LocalMediaStore  # noqa: PLC0415

    return LocalMediaStore(settings.data_dir / "media", ttl_seconds=settings.media_ttl_seconds)
