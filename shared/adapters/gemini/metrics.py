"""Gemini metrics: the shared families of `shared.metrics` plus the adapter's own two.

Requests by outcome (ok, quota, server_error, timeout, other) are the errors by kind; quota hits
count cooldowns; active keys is refreshed after every call and by the reactivation job.
"""

from __future__ import annotations

from prometheus_client import Counter

from shared.metrics import GEMINI_ACTIVE_KEYS as ACTIVE_KEYS
from shared.metrics import GEMINI_QUOTA_HITS as COOLDOWNS
from shared.metrics import GEMINI_REQUESTS as REQUESTS
from shared.metrics import REGISTRY

__all__ = ["ACTIVE_KEYS", "BREAKER_OPENS", "COOLDOWNS", "REQUESTS", "TOKENS"]

BREAKER_OPENS = Counter(
    "salesbot_gemini_breaker_opens",
    "Per-key circuit breaker openings after a 5xx or timeout (30 s, 2 min, 10 min).",
    registry=REGISTRY,
)
TOKENS = Counter(
    "salesbot_gemini_tokens",
    "Tokens reported by Gemini. direction: prompt, output.",
    ["direction"],
    registry=REGISTRY,
)
