"""Prometheus metrics of the relay (served at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

INBOUND = Counter("wa_inbound_messages_total", "WhatsApp messages published to the bus", ["kind"])
INBOUND_SKIPPED = Counter(
    "wa_inbound_skipped_total", "WhatsApp events not forwarded to the bus", ["reason"]
)
OUTBOUND_SENT = Counter("wa_outbound_sent_total", "messages sent on WhatsApp", ["kind"])
OUTBOUND_DROPPED = Counter(
    "wa_outbound_dropped_total", "outbound messages refused by the governor", ["reason"]
)
SEND_ERRORS = Counter("wa_send_errors_total", "WhatsApp sends that raised")
LIFECYCLE = Counter("wa_lifecycle_events_total", "connection lifecycle events", ["event"])
CONNECTED = Gauge("wa_connected", "1 while the WhatsApp session is connected and may send")
PUBLISH_SECONDS = Histogram(
    "wa_inbound_publish_seconds", "time to hand one inbound message to the bus"
)
