"""Media past MEDIA_TTL_SECONDS is deleted by a job, not only after a successful turn.

Voice notes and images are downloaded by the relay into private storage and deleted after the
turn that used them; a turn that failed, a message that was never handled, or a QRIS image left
everything in place forever. The `purge_media` job (Cloud Scheduler, the all-in-one loop,
`/jobs/purge_media`) deletes whatever is older than the retention.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes.storage_server import StorageServer

from shared.adapters.storage import media_store
from shared.adapters.storage.supabase_store import SupabaseMediaStore
from shared.config import load_settings
from shared.jobs import get_jobs
from shared.web import create_app
from shared.wiring import Components


def test_the_job_is_registered_for_the_loop_and_the_http_endpoint() -> None:
    job = get_jobs()["purge_media"]
    assert job.every_seconds <= 3600


def test_the_local_store_is_purged_through_jobs_purge_media(tmp_path: Path) -> None:
    settings = load_settings(jobs_token="t0k", media_ttl_seconds=600)
    components = Components(settings=settings)
    store = components.media
    old = store.put("wa/abc/OLD.ogg", b"OggS", "audio/ogg")
    fresh = store.put("wa/abc/NEW.ogg", b"OggS", "audio/ogg")
    qris = store.put("qris/DP1.png", b"\x89PNG", "image/png")
    long_ago = time.time() - 3600
    for ref in (old, qris):
        os.utime(settings.data_dir / "media" / ref, (long_ago, long_ago))
    client = create_app(components).test_client()
    answer = client.post("/jobs/purge_media", headers={"Authorization": "Bearer t0k"})
    assert answer.status_code == 200
    assert answer.get_json()["report"] == {"deleted": 2}
    assert not (settings.data_dir / "media" / old).exists()
    assert not (settings.data_dir / "media" / qris).exists()
    assert (settings.data_dir / "media" / fresh).exists()


def test_the_supabase_bucket_is_purged_page_by_page() -> None:
    with StorageServer("service-key") as server:
        store = media_store(
            load_settings(
                supabase_url=server.url,
                supabase_service_role_key="service-key",
                media_bucket="wa-media",
                media_ttl_seconds=600,
            )
        )
        assert isinstance(store, SupabaseMediaStore)
        refs = [store.put(f"wa/c{i % 3}/{i}.ogg", b"OggS", "audio/ogg") for i in range(7)]
        fresh = store.put("qris/DP9.png", b"\x89PNG", "image/png")
        old = datetime.now(UTC) - timedelta(hours=2)
        for ref in refs:
            server.storage.objects[f"wa-media/{ref}"].created_at = old
        assert store.purge_expired(page_size=3) == 7
        assert sorted(server.storage.objects) == [f"wa-media/{fresh}"]
        assert store.purge_expired(page_size=3) == 0
