"""Relay-specific Prometheus metrics, registered in `shared.metrics.REGISTRY` (served at /metrics).

Shared families (`salesbot_messages_out`, `salesbot_relay_connected`, `salesbot_events`) live in
`shared.metrics`; these add what only the relay sees. Labels are small fixed vocabularies.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from shared.metrics import MESSAGES_OUT, REGISTRY, RELAY_CONNECTED

__all__ = [
    "INBOUND",
    "INBOUND_SKIPPED",
    "INBOUND_SPOOLED",
    "INBOUND_SPOOL_DROPPED",
    "LIFECYCLE",
    "MESSAGES_OUT",
    "OUTBOUND_DROPPED",
    "OUTBOUND_HELD",
    "PUBLISH_SECONDS",
    "RELAY_CONNECTED",
    "SEND_ERRORS",
]

INBOUND = Counter(
    "salesbot_relay_inbound",
    "WhatsApp messages the relay forwarded to the bus. kind: text, voice, audio, image, other, "
    "from_me.",
    ["kind"],
    registry=REGISTRY,
)
INBOUND_SKIPPED = Counter(
    "salesbot_relay_inbound_skipped",
    "WhatsApp events the relay did not forward. reason: group, status, newsletter, own_echo.",
    ["reason"],
    registry=REGISTRY,
)
INBOUND_SPOOLED = Gauge(
    "salesbot_relay_inbound_spooled",
    "Inbound messages waiting in the spool for a publish to wa-inbound that failed.",
    registry=REGISTRY,
)
INBOUND_SPOOL_DROPPED = Counter(
    "salesbot_relay_inbound_spool_dropped",
    "Inbound messages dropped because the spool was full (the oldest go first).",
    registry=REGISTRY,
)
OUTBOUND_DROPPED = Counter(
    "salesbot_relay_outbound_dropped",
    "Outbound messages never sent. reason: cold_chat (the chat never wrote first), no_topic, "
    "topic_cap, identical_text, daily_cap (follow-up rules), held_overflow (a hold was full).",
    ["reason"],
    registry=REGISTRY,
)
OUTBOUND_HELD = Gauge(
    "salesbot_relay_outbound_held",
    "Follow-ups waiting for the quiet hours to end.",
    registry=REGISTRY,
)
SEND_ERRORS = Counter(
    "salesbot_relay_send_errors", "WhatsApp sends that raised.", registry=REGISTRY
)
LIFECYCLE = Counter(
    "salesbot_relay_lifecycle_events",
    "Connection lifecycle events from neonize. event: the neonize event class name.",
    ["event"],
    registry=REGISTRY,
)
PUBLISH_SECONDS = Histogram(
    "salesbot_relay_inbound_publish_seconds",
    "Time to hand one inbound message to the bus (the Go callback thread waits on it).",
    registry=REGISTRY,
)
