"""The local media store: private files, retention, no path escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.adapters.storage import MediaNotFound, media_store
from shared.adapters.storage.local import LocalMediaStore
from shared.config import load_settings


def test_media_expires_after_its_retention(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = LocalMediaStore(tmp_path, ttl_seconds=60, clock=lambda: now[0])
    ref = store.put("wa/abc/3EB0.ogg", b"OggS", "audio/ogg")
    assert store.get(ref) == b"OggS"
    assert (tmp_path / "wa/abc/3EB0.ogg").stat().st_mode & 0o077 == 0
    store.put("wa/abc/new.jpg", b"jpeg", "image/jpeg")
    now[0] += 61
    with pytest.raises(MediaNotFound):
        store.get(ref)
    assert store.purge_expired() == 1  # new.jpg; the expired read already removed 3EB0.ogg
    assert list(tmp_path.rglob("*.*")) == []


@pytest.mark.parametrize("ref", ["../etc/passwd", "/etc/passwd", "wa/../../x", ""])
def test_references_cannot_escape_the_folder(tmp_path: Path, ref: str) -> None:
    store = LocalMediaStore(tmp_path / "media", ttl_seconds=60)
    with pytest.raises(MediaNotFound):
        store.get(ref)


def test_local_store_is_the_default_and_lives_under_data_dir() -> None:
    settings = load_settings()
    store = media_store(settings)
    assert isinstance(store, LocalMediaStore)
    ref = store.put("wa/x/1.ogg", b"a", "audio/ogg")
    assert (settings.data_dir / "media" / ref).exists()


def test_supabase_store_uploads_privately_with_the_content_type_and_reads_back() -> None:
    from fakes.storage_server import StorageServer

    from shared.adapters.storage.supabase_store import SupabaseMediaStore

    with StorageServer("service-key") as server:
        store = media_store(
            load_settings(
                supabase_url=server.url,
                supabase_service_role_key="service-key",
                media_bucket="wa-media",
            )
        )
        assert isinstance(store, SupabaseMediaStore)
        ref = store.put("wa/abc/3EB0.ogg", b"OggS voice", "audio/ogg")
        store.put("wa/abc/3EB0.ogg", b"OggS voice", "audio/ogg")  # a redelivery overwrites
        stored = server.storage.objects["wa-media/wa/abc/3EB0.ogg"]
        assert stored.content_type == "audio/ogg"  # not storage3's text/plain default
        assert store.get(ref) == b"OggS voice"
        store.delete(ref)
        with pytest.raises(MediaNotFound):
            store.get(ref)
        wrong_key = SupabaseMediaStore(server.url, "not-the-key", bucket="wa-media")
        with pytest.raises(MediaNotFound):
            wrong_key.get(ref)
