"""The one raw call to Atlantic: a form POST with `api_key`, mapped to our error hierarchy.

Outcome rules (atlantic-h2h.md §1, §7):

| what happened | read (status, lists, profile) | create (moves money) |
|---|---|---|
| could not connect / pool full | `SupplierUnavailable`, retried | `SupplierUnavailable` |
| timed out or cut after sending | `SupplierUnavailable`, retried | `SupplierTimeout` (ambiguous) |
| HTTP 5xx | `SupplierUnavailable`, retried | `SupplierTimeout` |
| HTML / non-JSON body | `SupplierUnavailable`, retried | `SupplierTimeout` |
| `status:false`, caller IP in message | `IpNotWhitelisted` | `IpNotWhitelisted` |
| `status:false`, API key refused | `ApiKeyRefused` | `ApiKeyRefused` |
| `status:false`, reff_id already used | `SupplierRejected` | `SupplierTimeout` (may have bought) |
| `status:false` otherwise | `SupplierRejected(code, message)` | `SupplierRejected` |

The API key travels only in the form body: never in a URL, a log line or an exception.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping

import httpx

from shared.adapters.atlantic.models import Envelope
from shared.errors import SupplierRejected, SupplierTimeout, SupplierUnavailable

log = logging.getLogger(__name__)

_IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_DUPLICATE = re.compile(r"(reff?[ _]?id).*(sudah|already|duplicate|exist|digunakan)", re.I)
_BAD_KEY = re.compile(r"api[ _]?key", re.I)
_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) salesbot/0.1"


class IpNotWhitelisted(SupplierUnavailable):
    """Atlantic refused our IP: nothing happened; the owner must whitelist `ip`."""

    def __init__(self, message: str, *, ip: str) -> None:
        super().__init__(message)
        self.ip = ip


class ApiKeyRefused(SupplierUnavailable):
    """Atlantic refused our API key: nothing happened; the owner must fix ATL_API_KEY."""


def make_http_client(base_url: str, timeout_seconds: float) -> httpx.Client:
    """The one `httpx.Client` for Atlantic: explicit timeouts and limits, a browser-ish UA."""
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        headers={"User-Agent": _USER_AGENT, "Accept": "application/json"},
    )


class Transport:
    """Posts forms to Atlantic and returns the `data` of a successful envelope."""

    def __init__(
        self,
        http: httpx.Client,
        api_key: str,
        *,
        read_retries: int = 2,
        retry_backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self._api_key = api_key
        self._read_retries = read_retries
        self._backoff = retry_backoff
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"Transport(base_url={str(self._http.base_url)!r})"

    def read(self, path: str, fields: Mapping[str, str] | None = None) -> object:
        """An idempotent call, retried on `SupplierUnavailable` (never on a definite answer)."""
        attempt = 0
        while True:
            try:
                return self._call(path, fields or {}, create=False, reff_id=None)
            except (IpNotWhitelisted, ApiKeyRefused):
                raise  # asking again changes nothing until the owner fixes the account
            except SupplierUnavailable:
                if attempt >= self._read_retries:
                    raise
                attempt += 1
                self._sleep(self._backoff * attempt)

    def create(self, path: str, fields: Mapping[str, str], *, reff_id: str) -> object:
        """A call that may move money: sent exactly once, ambiguity reported as SupplierTimeout."""
        return self._call(path, fields, create=True, reff_id=reff_id)

    def _call(
        self, path: str, fields: Mapping[str, str], *, create: bool, reff_id: str | None
    ) -> object:
        form = {"api_key": self._api_key, **fields}
        with _map_transport_errors(path, create=create, reff_id=reff_id):
            response = self._http.post(path, data=form)
        log.debug("atlantic %s -> HTTP %d", path, response.status_code)
        ambiguous = SupplierTimeout if create else SupplierUnavailable
        if response.status_code >= 500:
            raise ambiguous(f"atlantic {path}: HTTP {response.status_code}", reff_id=reff_id)
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            raise ambiguous(
                f"atlantic {path}: HTTP {response.status_code} with a non-JSON body "
                "(an HTML challenge page?)",
                reff_id=reff_id,
            ) from exc
        if not isinstance(body, dict):
            raise ambiguous(f"atlantic {path}: unexpected JSON shape", reff_id=reff_id)
        envelope = Envelope.model_validate(body)
        if envelope.ok:
            return envelope.data
        raise _refusal(path, envelope, create=create, reff_id=reff_id)


def _refusal(path: str, envelope: Envelope, *, create: bool, reff_id: str | None) -> Exception:
    message = envelope.message[:200] or "no reason given"
    ip = _IP.search(message)
    if ip or "whitelist" in message.lower():
        address = ip.group(0) if ip else "unknown"
        return IpNotWhitelisted(
            f"atlantic {path}: this server's IP {address} is not whitelisted; add it on "
            "the Atlantic API page",
            ip=address,
        )
    if _BAD_KEY.search(message):
        return ApiKeyRefused(f"atlantic {path}: the API key was refused", reff_id=reff_id)
    if create and _DUPLICATE.search(message):
        # Our reff_id is already known there: an earlier attempt may have gone through.
        return SupplierTimeout(f"atlantic {path}: reff_id already used", reff_id=reff_id)
    return SupplierRejected(f"atlantic {path}: {message}", code=envelope.code, reff_id=reff_id)


@contextlib.contextmanager
def _map_transport_errors(path: str, *, create: bool, reff_id: str | None) -> Iterator[None]:
    """Map httpx exceptions to ours; whether the request left us decides ambiguity."""
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise SupplierUnavailable(
            f"atlantic {path}: cannot connect ({type(exc).__name__})", reff_id=reff_id
        ) from exc
    except httpx.TransportError as exc:
        kind = SupplierTimeout if create else SupplierUnavailable
        raise kind(
            f"atlantic {path}: no complete answer ({type(exc).__name__})", reff_id=reff_id
        ) from exc
