"""The serverless deployment in one thread, with every boundary faultable.

What persists across a process death is what persists in the cloud: Postgres (one shared pool),
the cache (Redis/Upstash: one `MemoryCache` on the world's clock), the Pub/Sub topics
(`wa-inbound` ordered per chat, `atl-events`, `wa-outbound`), the supplier (the sandbox engine
behind the real `AtlanticClient`, over httpx) and media. What a process holds in memory is
rebuilt: a `Components` wired as functions/main.py wires it, on the world's adapters wrapped in
the run's `Faults`.

Deliveries are what Pub/Sub does: a push that raised (or whose process died) stays at the head of
its chat's queue and is redelivered later; later messages of that chat wait behind it (ordering
keys). Atlantic does not retry a webhook that failed (its retry policy is undocumented,
atlantic-h2h.md §8): the reconciler has to find what it carried.
"""

from __future__ import annotations

import base64
import itertools
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import psycopg

from faults.inject import (
    Faults,
    FaultyBus,
    FaultyCache,
    FaultyHandOff,
    FaultyMedia,
    FaultyRpc,
    FaultyTransport,
    ProcessDied,
)
from shared.adapters.atlantic import AtlanticClient
from shared.adapters.cache.memory import MemoryCache
from shared.adapters.postgres.rpc import PostgresRpc
from shared.adapters.pubsub.push import handle_inbound_push
from shared.adapters.pubsub.supplier_events import handle_settle_push
from shared.adapters.storage import media_store
from shared.config import load_settings
from shared.domain.pricing import SETTING_KEY
from shared.jobs import run_job
from shared.messages import InboundMessage, OutboundMessage
from shared.sandbox.catalog import prepaid_items
from shared.sandbox.engine import Engine
from shared.sandbox.magic import SANDBOX_USERNAME
from shared.sandbox.state import SandboxState
from shared.sandbox.webhooks import WebhookSender
from shared.services.catalog import CatalogService
from shared.services.clock import ManualClock
from shared.services.supplier_inbox import InboxEvent, settle_event
from shared.store import Store
from shared.wiring import Components

_PHONES = itertools.count(1)

ADMIN = "628111000999"
OWNER = "628111000998"
JOBS = ("reconcile", "deliver_outbox")


@dataclass
class Push:
    """One Pub/Sub message waiting for (re)delivery."""

    id: str
    data: bytes
    published: datetime
    attempts: int = 0

    def envelope(self) -> dict[str, object]:
        return {
            "message": {
                "data": base64.b64encode(self.data).decode(),
                "messageId": self.id,
                "publishTime": self.published.isoformat(),
            },
            "deliveryAttempt": self.attempts,
        }


class WorldTime:
    """`time` as `shared.services.locks` sees it inside the world: a process waiting for a
    customer's lock waits in world time, so a lock left by a dead process runs out (its TTL is
    kept by the cache on the world's clock) instead of the test sleeping for real."""

    clock: ManualClock | None = None

    def monotonic(self) -> float:
        assert self.clock is not None
        return self.clock.now().timestamp()

    def sleep(self, seconds: float) -> None:
        assert self.clock is not None
        self.clock.advance(seconds)


@dataclass
class Shared:
    """What outlives every run of a test session: the pool, the catalogue index, the folder."""

    database_url: str
    folder: Path
    rpc: PostgresRpc = field(init=False)
    catalog: CatalogService = field(init=False)
    world: World | None = None
    time: WorldTime = field(default_factory=WorldTime)

    def __post_init__(self) -> None:
        self.rpc = PostgresRpc(self.database_url)
        self._conn = psycopg.connect(self.database_url, autocommit=True)
        # Built once (indexing the catalogue costs a tenth of a second); its markup rules are
        # still read through the current process's faultable store.
        self.catalog = CatalogService(load_items=prepaid_items, read_rules=self._rules)

    def _rules(self) -> object:
        assert self.world is not None
        return self.world.components.store.get_setting(SETTING_KEY)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:  # noqa: ANN401
        """Read or age the world's tables, outside every fault."""
        cursor = self._conn.execute(query, params)  # type: ignore[arg-type]
        return list(cursor.fetchall()) if cursor.description else []

    def close(self) -> None:
        self.rpc.close()
        self._conn.close()


class World:
    """One run: a serverless deployment, its customers, and the faults planned for it."""

    def __init__(self, shared: Shared, faults: Faults | None = None) -> None:
        self.shared = shared
        self.faults = faults or Faults()
        self.clock = ManualClock(datetime.now(UTC))
        shared.world = self
        shared.time.clock = self.clock
        self.cache = MemoryCache(clock=lambda: self.clock.now().timestamp())
        self.engine = Engine(SandboxState(None), clock=self.clock.now, complete_after=3.0)
        self.webhooks = WebhookSender(SANDBOX_USERNAME, self._webhook)
        self.inbound: dict[str, deque[Push]] = {}
        self.events: deque[Push] = deque()
        self.outbound: list[OutboundMessage] = []
        self.accepted: list[InboundMessage] = []
        self.webhook_bodies: list[bytes] = []
        self.phones: list[str] = []
        self._ids = itertools.count(1)
        self.settings = load_settings(
            database_url=shared.database_url,
            admin_numbers=ADMIN,
            owner_number=OWNER,
            data_dir=str(shared.folder),
        )
        self.components = self._process()

    # --- processes ----------------------------------------------------------------------------
    def _process(self) -> Components:
        components = Components(settings=self.settings)
        faults = self.faults
        http = httpx.Client(
            base_url="http://atlantic.sandbox",
            transport=FaultyTransport(httpx.MockTransport(self._atlantic), faults),
        )
        wiring: dict[str, object] = {
            "clock": self.clock,
            "store": Store(FaultyRpc(self.shared.rpc, faults)),
            "cache": FaultyCache(self.cache, faults),
            "supplier": AtlanticClient(http, self.engine.api_key, sleep=lambda _s: None),
            "bus": FaultyBus(self.outbound.append, faults),
            "event_hand_off": FaultyHandOff(self._publish_event, faults),
            "media": FaultyMedia(media_store(self.settings), faults),
            "catalog": self.shared.catalog,
        }
        components.__dict__.update(wiring)
        return components

    def run(self, step: Callable[[Components], object]) -> bool:
        """Run one step of a function instance; False when it raised or its process died."""
        try:
            step(self.components)
        except ProcessDied:
            self.faults.dead = False
            self.components = self._process()
            return False
        except Exception:  # noqa: BLE001 - the function answered 500; Pub/Sub or a job retries
            return False
        return True

    # --- the supplier -------------------------------------------------------------------------
    def _atlantic(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        reply = self.engine.handle(request.url.path, form)
        if isinstance(reply.body, str):
            return httpx.Response(
                reply.status, text=reply.body, headers={"content-type": "text/html"}
            )
        return httpx.Response(reply.status, json=reply.body)

    def supplier_tick(self) -> None:
        """The supplier applies what is due and sends its webhooks (each delivered once)."""
        for envelope in self.engine.tick():
            self.webhooks.send(envelope)

    def _webhook(self, headers: Mapping[str, str], body: bytes) -> int:
        self.webhook_bodies.append(body)
        status = 500

        def receive(components: Components) -> None:
            nonlocal status
            status = components.handle_atlantic_webhook(headers, body)[0]

        self.run(receive)
        return status

    def replay_webhook(self, index: int = -1) -> None:
        """Atlantic (or an attacker with a captured body) sends a webhook again."""
        headers = {"Content-Type": "application/json", "X-ATL-Signature": self.webhooks.signature}
        self._webhook(headers, self.webhook_bodies[index])

    # --- Pub/Sub ------------------------------------------------------------------------------
    def _publish_event(self, event: InboxEvent) -> None:
        self.events.append(self._push(event.model_dump_json().encode()))

    def _push(self, data: bytes) -> Push:
        return Push(id=str(next(self._ids)), data=data, published=self.clock.now())

    def say(self, phone: str, text: str) -> list[str]:
        """The customer writes; the relay publishes it; on_message gets it. Returns what the
        customer reads in answer (nothing yet, when the delivery failed and waits)."""
        message = InboundMessage(
            wa_msg_id=f"F{uuid.uuid4().hex}",
            chat=f"{phone}@s.whatsapp.net",
            sender_phone=phone,
            text=text,
            timestamp=self.clock.now(),
        )
        self.accepted.append(message)
        queue = self.inbound.setdefault(message.chat, deque())
        queue.append(self._push(message.model_dump_json(exclude_none=True).encode()))
        self.deliver_inbound(message.chat)
        return [
            "\n".join(p for p in (m.text, m.image_caption) if p)
            for m in self.outbound
            if m.reply_to == message.wa_msg_id
        ]

    def deliver_inbound(self, chat: str) -> None:
        """Push the chat's queue head first; stop at the first delivery that fails."""
        queue = self.inbound.get(chat, deque())
        while queue:
            push = queue[0]
            push.attempts += 1

            def on_message(components: Components, push: Push = push) -> None:
                handle_inbound_push(
                    push.envelope(),
                    event_id=push.id,
                    handle=lambda m: _handle_inbound(m, components),
                    publish=components.notifier.publish_replies,
                    now=self.clock.now(),
                )

            if not self.run(on_message):
                return
            queue.popleft()

    def deliver_events(self) -> None:
        """Push every `atl-events` message once; a failed one waits for the next round."""
        for _ in range(len(self.events)):
            push = self.events.popleft()
            push.attempts += 1

            def settle(components: Components, push: Push = push) -> None:
                handle_settle_push(
                    push.envelope(),
                    event_id=push.id,
                    settle=lambda e: settle_event(e, components.settle_deps),
                    now=self.clock.now(),
                )

            if not self.run(settle):
                self.events.append(push)

    def job(self, name: str) -> bool:
        """Cloud Scheduler calls one job's function."""
        return self.run(lambda components: run_job(name, components))

    # --- letting it settle --------------------------------------------------------------------
    def settle(self) -> None:
        """No more faults: redeliveries, the supplier's completions and the jobs run until
        nothing is left to do. First a few short rounds (Pub/Sub redelivers within seconds, the
        outbox drain runs every 15 s), then rounds past the reconciler's age, so that whatever
        was lost between two steps is found by the job whose work it is."""
        self.faults.enabled = False
        self.faults.dead = False
        reconcile_age = self.settings.reconcile_after_minutes * 60 + 1
        for step in (31, reconcile_age, 31, reconcile_age, 31):
            self.advance(step)
            # The reconciler only takes what is older than its age: in a short round it would
            # find nothing new, so only the drain runs there.
            self._round(JOBS if step == reconcile_age else ("deliver_outbox",))
        if not self.quiet():
            self._round(JOBS)

    def _round(self, jobs: tuple[str, ...]) -> None:
        for chat in list(self.inbound):
            self.deliver_inbound(chat)
        self.supplier_tick()
        self.deliver_events()
        for name in jobs:
            self.job(name)
        self.deliver_events()

    def advance(self, seconds: float) -> None:
        """World time moves for the functions, the cache and the supplier alike; leases kept
        in the database by its own now() (turns) age with it."""
        self.clock.advance(seconds)
        self.shared.sql(
            "UPDATE turns SET claimed_at = claimed_at - make_interval(secs => %s)"
            " WHERE status = 'running'",
            seconds,
        )

    def quiet(self) -> bool:
        return not self.events and not any(self.inbound.values())

    # --- customers ----------------------------------------------------------------------------
    def new_customer(self, saldo: int = 0) -> str:
        # Numbered, not random: thousands of runs share the session's database, and two runs
        # drawing the same random number once made a world inherit another's customer (seen as
        # that customer's deposit "never told" in this world). No other test uses 62899.
        phone = f"62899{next(_PHONES):08d}"
        self.phones.append(phone)
        if saldo:
            store = Store(self.shared.rpc)
            customer = store.resolve_customer(phone=phone, chat_jid=f"{phone}@s.whatsapp.net")
            store.adjust_balance(customer.customer_id, saldo, f"fault-world-{uuid.uuid4().hex}")
        return phone


def _handle_inbound(message: InboundMessage, components: Components) -> list[OutboundMessage]:
    from shared.services.inbound import handle_inbound  # noqa: PLC0415

    return handle_inbound(message, components)
