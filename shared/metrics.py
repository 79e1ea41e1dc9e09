"""Prometheus metrics of the relay and the all-in-one server, defined once for every module.

Import the objects and update them where the thing happens (`MESSAGES_IN.labels(kind="text")
.inc()`); `render()` produces the text format served at `/metrics`. Gauges whose value lives in
the database (pending items by age, ledger totals) are computed at scrape time: the owner of the
data registers a callback once at wiring time (`PENDING_ITEMS.set_callback(fn)`).

Define families here, in `REGISTRY`, or beside their adapter with `registry=REGISTRY`; families
in prometheus_client's default registry are served too (the Gemini adapter's
`salesbot_gemini_*`, including quota hits as `salesbot_gemini_cooldowns_total` and
`salesbot_gemini_active_keys`, and the router's `salesbot_turns_by_tier_total`). A name must be
defined once across both registries. Label values are small fixed vocabularies
(never ids or phone numbers), listed in each help text. In the cloud, functions are short-lived
and many, so paging uses log events instead (`shared.observability`); these metrics are for the
relay and the all-in-one process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

LabelValues = tuple[str, ...]
AGE_BUCKETS = ("lt_5m", "5m_to_1h", "gt_1h")
GaugeCallback = Callable[[], Mapping[LabelValues, float]]


class CallbackGauge(Collector):
    """A labelled gauge whose samples come from a callback at scrape time.

    Until a callback is set the family is exported without samples. A failing callback (say, the
    database is down) is logged and yields no samples, so one broken source never fails the whole
    scrape.
    """

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str]) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self._callback: GaugeCallback | None = None
        REGISTRY.register(self)

    def set_callback(self, callback: GaugeCallback | None) -> None:
        """Use `callback` (label values tuple -> value) from now on; None removes it."""
        self._callback = callback

    def describe(self) -> Iterator[Metric]:
        """The family without samples (registration needs no database)."""
        yield GaugeMetricFamily(self.name, self.documentation, labels=self.labelnames)

    def collect(self) -> Iterator[Metric]:
        """Call the callback and export its samples."""
        family = GaugeMetricFamily(self.name, self.documentation, labels=self.labelnames)
        if self._callback is not None:
            try:
                samples = dict(self._callback())
            except Exception:
                log.exception("metrics callback for %s failed", self.name)
                samples = {}
            for labels, value in sorted(samples.items()):
                if len(labels) != len(self.labelnames):
                    log.error("metrics callback for %s gave labels %r", self.name, labels)
                    continue
                family.add_metric(list(labels), float(value))
        yield family


MESSAGES_IN = Counter(
    "salesbot_messages_in",
    "Inbound WhatsApp messages handled. kind: text, voice, image, other.",
    ["kind"],
    registry=REGISTRY,
)
MESSAGES_OUT = Counter(
    "salesbot_messages_out",
    "Outbound messages sent. kind: reply, notification, alert.",
    ["kind"],
    registry=REGISTRY,
)
SUPPLIER_SECONDS = Histogram(
    "salesbot_supplier_request_seconds",
    "Atlantic H2H request latency. endpoint: the API path without the leading slash.",
    ["endpoint"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30),
    registry=REGISTRY,
)
SUPPLIER_REQUESTS = Counter(
    "salesbot_supplier_requests",
    "Atlantic H2H requests (success rate = success over all). "
    "outcome: success, rejected (status false), error (timeout, transport, bad body).",
    ["endpoint", "outcome"],
    registry=REGISTRY,
)
CACHE_LOOKUPS = Counter(
    "salesbot_cache_lookups",
    "Cache lookups (hit rate = hit over all). cache: prices, catalog, profile, other; "
    "result: hit, miss.",
    ["cache", "result"],
    registry=REGISTRY,
)
EVENTS = Counter(
    "salesbot_events",
    "Structured log events (shared.observability.Event), the paging ones included.",
    ["event"],
    registry=REGISTRY,
)
RELAY_CONNECTED = Gauge(
    "salesbot_relay_connected",
    "1 while the WhatsApp session is connected and logged in, else 0.",
    registry=REGISTRY,
)
PENDING_ITEMS = CallbackGauge(
    "salesbot_pending_items",
    "Orders, deposits and transfers still pending, by age. kind: order, deposit, transfer; "
    f"age: {', '.join(AGE_BUCKETS)}.",
    ["kind", "age"],
)
LEDGER_RUPIAH = CallbackGauge(
    "salesbot_ledger_rupiah",
    "Ledger totals in rupiah. account: wallets (customer saldo), held (holds not yet captured), "
    "captured (sales), refunded, deposits.",
    ["account"],
)


def age_bucket(seconds: float) -> str:
    """The `age` label of `PENDING_ITEMS` for an item pending this many seconds."""
    if seconds < 300:
        return AGE_BUCKETS[0]
    if seconds < 3600:
        return AGE_BUCKETS[1]
    return AGE_BUCKETS[2]


def record_supplier_call(endpoint: str, seconds: float, outcome: str) -> None:
    """Record one Atlantic request's latency and outcome (success, rejected, error)."""
    SUPPLIER_SECONDS.labels(endpoint=endpoint).observe(seconds)
    SUPPLIER_REQUESTS.labels(endpoint=endpoint, outcome=outcome).inc()


def render() -> tuple[bytes, str]:
    """The Prometheus text exposition of every metric, and its content type.

    Our registry first, then prometheus_client's default one (process and GC metrics, and
    families modules registered there, such as the relay's `wa_*`); names never overlap.
    """
    body = generate_latest(REGISTRY) + generate_latest(prometheus_client.REGISTRY)
    return body, CONTENT_TYPE_LATEST
