"""Faults at the boundaries: every store RPC, cache op, bus publish, supplier request and media
call of a process goes through one `Faults` plan, which counts the calls and fails the k-th.

Three kinds of fault, each what a real deployment meets:

- `error`: the call never took effect and raised the adapter's own error (an outage).
- `lost`: the call took effect, then its answer was lost (a timeout after the commit, after the
  supplier recorded the purchase, after Pub/Sub took the message).
- `die`: the process dies just before the call. `ProcessDied` is a BaseException, so no
  `except Exception` of the code under test can swallow it, and once a process is dead every
  boundary call it still tries raises it again: a `finally` that releases a lock or records a
  failure cannot do so, exactly as after a real crash. The world carries on with fresh
  Components (the Pub/Sub delivery in flight is redelivered; locks and leases run out).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import httpx

from shared.adapters.pubsub.publisher import PublishError
from shared.adapters.storage import MediaStore
from shared.errors import CacheError
from shared.messages import InboundMessage, OutboundMessage
from shared.ports import JsonValue, RpcError, RpcTransport
from shared.services.supplier_inbox import InboxEvent

FaultKind = Literal["error", "lost", "die"]
KINDS: tuple[FaultKind, ...] = ("error", "lost", "die")

T = TypeVar("T")


class ProcessDied(BaseException):  # noqa: N818 - it is an event, not an error
    """The process running the flow is gone; nothing after this point of it happens."""


@dataclass
class Faults:
    """Counts boundary calls; fails the ones `plan` names (call number → kind)."""

    plan: dict[int, FaultKind] = field(default_factory=dict)
    at: dict[tuple[str, int], FaultKind] = field(default_factory=dict)
    """Faults by place: (boundary, its n-th call) → kind, e.g. ("rpc get_order", 2)."""
    calls: int = 0
    seen: Counter[str] = field(default_factory=Counter)
    dead: bool = False
    fired: list[tuple[int, str, FaultKind]] = field(default_factory=list)
    enabled: bool = True

    def call(self, where: str, run: Callable[[], T], error: Callable[[str], Exception]) -> T:
        """Run one boundary call `run` at `where`, failing it if the plan says so."""
        if self.dead:
            raise ProcessDied(where)
        if not self.enabled:
            return run()
        self.calls += 1
        self.seen[where] += 1
        kind = self.plan.get(self.calls) or self.at.get((where, self.seen[where]))
        if kind is None:
            return run()
        self.fired.append((self.calls, where, kind))
        if kind == "die":
            self.dead = True
            raise ProcessDied(where)
        if kind == "error":
            raise error(f"injected {kind} at call {self.calls} ({where})")
        run()
        raise error(f"injected {kind} at call {self.calls} ({where}): it took effect")


class FaultyRpc:
    """The store's transport: each SQL function call is one boundary call."""

    def __init__(self, inner: RpcTransport, faults: Faults) -> None:
        self._inner = inner
        self._faults = faults

    def call(self, fn: str, params: Mapping[str, object]) -> JsonValue:
        return self._faults.call(f"rpc {fn}", lambda: self._inner.call(fn, params), RpcError)

    def close(self) -> None:
        """The world owns the shared pool; a process 'closing' it must not close it."""


class FaultyCache:
    """The cache (Redis/Upstash in the cloud): every operation is one boundary call."""

    def __init__(self, inner: object, faults: Faults) -> None:
        self._inner = inner
        self._faults = faults

    def __getattr__(self, name: str) -> Callable[..., object]:
        method = getattr(self._inner, name)
        if name == "close":
            return lambda *a, **k: None

        def call(*args: object, **kwargs: object) -> object:
            return self._faults.call(f"cache {name}", lambda: method(*args, **kwargs), CacheError)

        return call


class FaultyBus:
    """The outbound bus (Pub/Sub `wa-outbound`): each publish is one boundary call."""

    def __init__(self, publish: Callable[[OutboundMessage], None], faults: Faults) -> None:
        self._publish = publish
        self._faults = faults

    def publish_outbound(self, message: OutboundMessage) -> None:
        self._faults.call("publish wa-outbound", lambda: self._publish(message), PublishError)

    def publish_inbound(self, message: InboundMessage) -> None:
        raise AssertionError("functions never publish inbound messages")


class FaultyHandOff:
    """`atl-events` as PubSubHandOff uses it: a publish that fails is logged, never raised."""

    def __init__(self, publish: Callable[[InboxEvent], None], faults: Faults) -> None:
        self._publish = publish
        self._faults = faults

    def request(self) -> AbstractContextManager[None]:
        from contextlib import contextmanager  # noqa: PLC0415

        @contextmanager
        def bracket() -> Iterator[None]:
            yield

        return bracket()

    def hand_off(self, event: InboxEvent) -> None:
        # As PubSubHandOff: a failed publish is logged; the inbox row waits for the sweep.
        with contextlib.suppress(PublishError):
            self._faults.call("publish atl-events", lambda: self._publish(event), PublishError)


class FaultyTransport(httpx.BaseTransport):
    """The supplier's HTTP: each request is one boundary call (`lost`: a read timeout after the
    supplier handled it; `error`: the connection was refused)."""

    def __init__(self, inner: httpx.BaseTransport, faults: Faults) -> None:
        self._inner = inner
        self._faults = faults

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def error(message: str) -> Exception:
            if "took effect" in message:
                return httpx.ReadTimeout(message, request=request)
            return httpx.ConnectError(message, request=request)

        def run() -> httpx.Response:
            response = self._inner.handle_request(request)
            response.read()
            return response

        return self._faults.call(f"atlantic {request.url.path}", run, error)


class FaultyMedia:
    """Private media storage (Supabase Storage in the cloud): each call is a boundary call."""

    def __init__(self, inner: MediaStore, faults: Faults) -> None:
        self._inner = inner
        self._faults = faults

    def put(self, key: str, data: bytes, mime: str) -> str:
        return self._faults.call("media put", lambda: self._inner.put(key, data, mime), OSError)

    def get(self, ref: str) -> bytes:
        return self._faults.call("media get", lambda: self._inner.get(ref), OSError)

    def delete(self, ref: str) -> None:
        self._faults.call("media delete", lambda: self._inner.delete(ref), OSError)

    def purge_expired(self) -> int:
        return self._faults.call("media purge", self._inner.purge_expired, OSError)


__all__ = [
    "KINDS",
    "FaultKind",
    "Faults",
    "FaultyBus",
    "FaultyCache",
    "FaultyHandOff",
    "FaultyMedia",
    "FaultyRpc",
    "FaultyTransport",
    "ProcessDied",
]
