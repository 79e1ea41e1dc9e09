"""Prometheus metrics of the Gemini adapter: requests, errors by kind, cooldowns, keys, tokens."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

REQUESTS = Counter("salesbot_gemini_requests", "generateContent calls by outcome", ["outcome"])
ERRORS = Counter(
    "salesbot_gemini_errors", "Gemini failures by kind (quota, key, server, timeout)", ["kind"]
)
COOLDOWNS = Counter("salesbot_gemini_cooldowns", "keys put on a quota cooldown")
BREAKER_OPENS = Counter("salesbot_gemini_breaker_opens", "per-key circuit breaker openings")
ACTIVE_KEYS = Gauge("salesbot_gemini_active_keys", "keys usable right now (not cooling)")
TOKENS = Counter("salesbot_gemini_tokens", "tokens reported by Gemini", ["direction"])
