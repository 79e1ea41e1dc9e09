"""A local stand-in for Supabase Storage's object API (the calls storage3 makes for media).

`POST /storage/v1/object/{bucket}/{key}` (multipart `file`, `x-upsert`), `GET` of the same path,
`DELETE /storage/v1/object/{bucket}` with `{"prefixes": [...]}`, the flat listing
`POST /storage/v1/object/list-v2/{bucket}` (`prefix`, `limit`, `cursor`, `sortBy`, objects with
`created_at`), and `GET /storage/v1/bucket/{id}` (a bucket's settings, `public` among them, for
buckets a test declared in `buckets`); errors in Storage's JSON shape (`statusCode`, `error`,
`message`). Requests without the service key are refused.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class FakeStorage:
    key: str
    objects: dict[str, StoredObject] = field(default_factory=dict)
    buckets: dict[str, bool] = field(default_factory=dict)  # bucket id -> public

    def app(self) -> Flask:
        app = Flask("fake-storage")

        def _error(status: int, code: str, message: str) -> tuple[dict[str, str], int]:
            return {"statusCode": str(status), "error": code, "message": message}, 400

        @app.before_request
        def _auth() -> tuple[dict[str, str], int] | None:
            if request.headers.get("Authorization") != f"Bearer {self.key}":
                return _error(403, "Unauthorized", "invalid signature")
            return None

        @app.post("/storage/v1/object/<bucket>/<path:key>")
        def upload(bucket: str, key: str) -> tuple[dict[str, str], int]:
            name = f"{bucket}/{key}"
            if name in self.objects and request.headers.get("x-upsert") != "true":
                return _error(409, "Duplicate", "The resource already exists")
            part = request.files["file"]
            self.objects[name] = StoredObject(part.read(), part.mimetype)
            return {"Key": name, "Id": name}, 200

        @app.get("/storage/v1/object/<bucket>/<path:key>")
        def download(bucket: str, key: str) -> Response | tuple[dict[str, str], int]:
            stored = self.objects.get(f"{bucket}/{key}")
            if stored is None:
                return _error(404, "not_found", "Object not found")
            return Response(stored.data, content_type=stored.content_type)

        @app.get("/storage/v1/bucket/<bucket>")
        def bucket(bucket: str) -> tuple[dict[str, object], int]:
            if bucket not in self.buckets:
                return _error(404, "Bucket not found", "Bucket not found")
            now = "2026-03-01T03:00:00.000Z"
            return {
                "id": bucket,
                "name": bucket,
                "owner": "",
                "public": self.buckets[bucket],
                "created_at": now,
                "updated_at": now,
                "file_size_limit": None,
                "allowed_mime_types": None,
            }, 200

        @app.post("/storage/v1/object/list-v2/<bucket>")
        def list_v2(bucket: str) -> dict[str, object]:
            body = request.get_json() or {}
            prefix = f"{bucket}/{body.get('prefix') or ''}"
            column = (body.get("sortBy") or {}).get("column", "name")
            limit = int(body.get("limit") or 1000)
            start = int(body.get("cursor") or 0)
            names = sorted(
                (n for n in self.objects if n.startswith(prefix)),
                key=lambda n: (self.objects[n].created_at, n) if column == "created_at" else n,
            )
            page = names[start : start + limit]
            has_next = start + limit < len(names)
            stamp = lambda n: self.objects[n].created_at.isoformat()  # noqa: E731
            return {
                "hasNext": has_next,
                "nextCursor": str(start + limit) if has_next else None,
                "folders": [],
                "objects": [
                    {
                        "id": n,
                        "name": n.removeprefix(f"{bucket}/"),
                        "key": n.removeprefix(f"{bucket}/"),
                        "created_at": stamp(n),
                        "updated_at": stamp(n),
                        "metadata": {"mimetype": self.objects[n].content_type},
                    }
                    for n in page
                ],
            }

        @app.delete("/storage/v1/object/<bucket>")
        def remove(bucket: str) -> tuple[list[dict[str, str]], int]:
            removed = []
            for prefix in (request.get_json() or {}).get("prefixes", []):
                if self.objects.pop(f"{bucket}/{prefix}", None) is not None:
                    removed.append({"name": prefix})
            return removed, 200

        return app


class StorageServer:
    """Serves a `FakeStorage` on 127.0.0.1:0."""

    def __init__(self, key: str) -> None:
        self.storage = FakeStorage(key)
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self.storage.app(), threaded=True
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> StorageServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
