"""Prometheus metrics of the Gemini adapter (default registry, served at `/metrics`).

Requests by outcome, errors by kind, cooldowns (= quota hits), breaker openings, active keys
(refreshed after failures and by the reactivation job) and tokens.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

REQUESTS = Counter(
    "salesbot_gemini_requests",
    "Gemini generateContent calls. outcome: ok, quota, server_error, timeout, other.",
    ["outcome"],
)
ERRORS = Counter(
    "salesbot_gemini_errors",
    "Gemini failures. kind: quota, key (401/403), server (5xx), timeout, bad_request.",
    ["kind"],
)
COOLDOWNS = Counter("salesbot_gemini_cooldowns", "Keys put on a quota cooldown (quota hits).")
BREAKER_OPENS = Counter(
    "salesbot_gemini_breaker_opens",
    "Per-key circuit breaker openings after a 5xx or timeout (30 s, 2 min, 10 min).",
)
ACTIVE_KEYS = Gauge(
    "salesbot_gemini_active_keys", "Gemini keys usable now (not cooling, breaker closed)."
)
TOKENS = Counter(
    "salesbot_gemini_tokens",
    "Tokens reported by Gemini. direction: prompt, output.",
    ["direction"],
)
