"""Key rotation within one turn: the first usable key answers, failures move on to the next.

Per key and request: a quota (429) or key error rests the key for the cooldown (a 429 whose
QuotaFailure names a per-minute quota only for its RetryInfo delay) and the next key is tried at
once; a 5xx or timeout opens that key's circuit breaker and the next key is tried; a plain 4xx
means our request is wrong and is raised without burning other keys. When no key can answer,
`AllKeysResting` (every key on a quota cooldown) or `LLMUnavailable` is raised so the
conversation falls back to rules with an honest notice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from shared.adapters.gemini import metrics
from shared.adapters.gemini.client import (
    LLMKeyRejected,
    LLMPerMinuteLimit,
    call_gemini,
    make_client,
)
from shared.errors import LLMError, LLMRateLimited, LLMUnavailable

if TYPE_CHECKING:
    from google import genai
    from google.genai import types

    from shared.adapters.gemini.breaker import CircuitBreakers
    from shared.adapters.gemini.keys import GeminiKey, KeyRing
    from shared.config import Settings
    from shared.ports import Clock

log = logging.getLogger(__name__)

ClientFactory = Callable[[str, "Settings"], "genai.Client"]


class AllKeysResting(LLMRateLimited):
    """Every key is on a quota cooldown; `retry_after` is the seconds until the first returns."""


class RotatingGemini:
    """The `LLM` port on google-genai: `generate(contents, config)` over the key ring."""

    def __init__(
        self,
        settings: Settings,
        *,
        ring: KeyRing,
        breakers: CircuitBreakers,
        clock: Clock,
        client_factory: ClientFactory = make_client,
    ) -> None:
        self.settings = settings
        self.model = settings.gemini_model
        self.ring = ring
        self._breakers = breakers
        self._clock = clock
        self._client_factory = client_factory
        self._clients: dict[str, genai.Client] = {}
        self._lock = threading.Lock()

    def available(self) -> bool:
        """True when at least one key is neither resting nor behind an open breaker."""
        return any(not self._breakers.is_open(k.id) for k in self.ring.usable())

    def breaker_open_until(self, key_id: str) -> datetime | None:
        """When this process may try the key again after server errors (None: it may now)."""
        return self._breakers.open_until(key_id)

    def generate(
        self, contents: list[types.Content], config: types.GenerateContentConfig
    ) -> types.GenerateContentResponse:
        """Answer with the first key that can, in priority order, within this call."""
        resting: list[datetime] = []
        failures: list[str] = []
        for key in self.ring.ordered_keys():
            until = self.ring.resting_until(key)
            if until is not None:
                resting.append(until)
                continue
            if self._breakers.is_open(key.id):
                failures.append(f"{key.id}: breaker open")
                continue
            try:
                response = call_gemini(
                    self._client(key), model=self.model, contents=contents, config=config
                )
            except LLMRateLimited as exc:
                kind = "key" if isinstance(exc, LLMKeyRejected) else "quota"
                metrics.REQUESTS.labels("other" if kind == "key" else "quota").inc()
                metrics.ERRORS.labels(kind).inc()
                period = None
                if isinstance(exc, LLMPerMinuteLimit):  # a rate, not the day's quota
                    period = timedelta(seconds=min(exc.retry_after or 60, 300))
                resting.append(self.ring.rest(key, f"{kind}: {exc}", period=period))
                self._publish_active()
                continue
            except LLMUnavailable as exc:
                timeout = str(exc).startswith("timeout")
                metrics.REQUESTS.labels("timeout" if timeout else "server_error").inc()
                metrics.ERRORS.labels("timeout" if timeout else "server").inc()
                step = self._breakers.failure(key.id)
                metrics.BREAKER_OPENS.inc()
                log.warning("gemini key %s failed (%s); benched %ss", key.id, exc, step.seconds)
                failures.append(f"{key.id}: {exc}")
                self._publish_active()
                continue
            except LLMError:
                metrics.REQUESTS.labels("other").inc()
                metrics.ERRORS.labels("bad_request").inc()
                raise
            self._breakers.success(key.id)
            metrics.REQUESTS.labels("ok").inc()
            _count_tokens(response)
            return response
        if resting and not failures:
            wait = (min(resting) - self._clock.now()).total_seconds()
            raise AllKeysResting("every Gemini key is cooling down", retry_after=max(wait, 0))
        raise LLMUnavailable("no Gemini key could answer: " + "; ".join(failures or ["no keys"]))

    def close(self) -> None:
        """Close every client's connections (tests, shutdown)."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def _publish_active(self) -> None:
        usable = [k for k in self.ring.usable() if not self._breakers.is_open(k.id)]
        metrics.ACTIVE_KEYS.set(len(usable))

    def _client(self, key: GeminiKey) -> genai.Client:
        # Building a client costs ~72 ms (SSL context): one per key for the process's life.
        with self._lock:
            client = self._clients.get(key.id)
            if client is None:
                client = self._clients[key.id] = self._client_factory(key.secret, self.settings)
            return client


def _count_tokens(response: types.GenerateContentResponse) -> None:
    usage = response.usage_metadata
    if usage is None:
        return
    metrics.TOKENS.labels("prompt").inc(usage.prompt_token_count or 0)
    metrics.TOKENS.labels("output").inc(usage.candidates_token_count or 0)
