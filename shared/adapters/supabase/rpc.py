"""The serverless store transport: the same SQL functions through supabase-py's PostgREST rpc."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from postgrest.exceptions import APIError
from supabase import Client, ClientOptions, create_client  # noqa: TID251 (the one allowed place)

from shared.ports import Json, JsonValue, RpcError


class SupabaseRpc:
    """`RpcTransport` over `create_client(url, key).rpc(fn, params).execute().data`."""

    def __init__(self, url: str, service_role_key: str, *, timeout_seconds: float = 10.0) -> None:
        # Our own httpx client carries the timeout (postgrest's `timeout` argument is deprecated).
        self._http = httpx.Client(timeout=timeout_seconds)
        self._client: Client = create_client(
            url,
            service_role_key,
            options=ClientOptions(
                schema="public",
                auto_refresh_token=False,
                persist_session=False,
                httpx_client=self._http,
            ),
        )

    def call(self, fn: str, params: Mapping[str, object]) -> JsonValue:
        """POST /rest/v1/rpc/{fn}; PostgREST runs the function in its own transaction."""
        body = {k: v.value if isinstance(v, Json) else v for k, v in params.items()}
        try:
            response = self._client.rpc(fn, body).execute()
        except APIError as exc:
            raise RpcError(f"{fn}: {exc.message}", sqlstate=exc.code) from exc
        except httpx.HTTPError as exc:
            raise RpcError(f"{fn}: database API unreachable ({exc.__class__.__name__})") from exc
        data: JsonValue = response.data
        return data

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()
