"""The relay: a neonize client whose events become bus messages and whose replies it sends.

Two ways to run it, same code:
- `salesbot relay` (serverless): inbound goes to Pub/Sub `wa-inbound`; replies come from a
  streaming pull on `wa-outbound`; `/healthz` and `/metrics` are served for Cloud Run.
- `start_whatsapp(components, bus, stopping)` (all-in-one, `WA_ENABLED=1`): the runner's
  in-process bus carries both directions next to the console chat.

The neonize message handler runs on the single Go callback thread, so it only converts, stores
media, publishes and returns (tech-notes.md §0). A message whose publish fails waits in the
inbound spool (persisted where the session store is, `spool.py`) and is published again with a
growing pause; messages arriving meanwhile queue behind it, so a chat's order holds.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import signal
import threading
from datetime import timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol

from neonize.events import (  # noqa: TID251 - this package owns neonize
    ClientOutdatedEv,
    ConnectedEv,
    ConnectFailureEv,
    DisconnectedEv,
    KeepAliveTimeoutEv,
    LoggedOutEv,
    MessageEv,
    OfflineSyncCompletedEv,
    OfflineSyncPreviewEv,
    PairStatusEv,
    StreamReplacedEv,
    TemporaryBanEv,
    UndecryptableMessageEv,
)
from neonize.proto import Neonize_pb2  # noqa: TID251
from neonize.utils.enum import Presence  # noqa: TID251

from shared.adapters.storage import MediaStore, media_store
from shared.adapters.whatsapp import metrics
from shared.adapters.whatsapp.convert import (
    jid_to_string,
    media_key,
    media_of,
    message_time,
    skip_reason,
    to_inbound,
)
from shared.adapters.whatsapp.lifecycle import (
    Alert,
    Cancel,
    ConnectionState,
    Lifecycle,
    Schedule,
    thread_timer,
)
from shared.adapters.whatsapp.login import LoginHandler
from shared.adapters.whatsapp.outbox import HeldOutbound
from shared.adapters.whatsapp.pacing import KnownChats, PacingGovernor, PacingPolicy
from shared.adapters.whatsapp.sender import (
    OutboundSender,
    RelayClock,
    SentReplies,
    SystemClock,
)
from shared.adapters.whatsapp.session_store import session_db
from shared.adapters.whatsapp.spool import InboundSpool
from shared.bus import Bus
from shared.config import Settings
from shared.log import correlation, hash_id
from shared.messages import InboundMessage, OutboundMessage
from shared.observability import Event, log_event

if TYPE_CHECKING:
    from shared.bus import InProcessBus
    from shared.ports import Cache
    from shared.wiring import Components

log = logging.getLogger(__name__)

BACKLOG_SLACK = timedelta(seconds=5)
UNDECRYPTABLE_GRACE_SECONDS = 20.0
"""How long a message that could not be decrypted waits for WhatsApp's retry to bring it."""
CONNECT_RETRY_SECONDS = (2.0, 5.0, 10.0, 30.0, 60.0)
"""Waits between failed dials (the last one repeats): whatsmeow retries only a session that
was up; a dial that fails (no network at boot, DNS) makes neonize's `connect()` raise."""
OFFLINE_ALERT_MINUTES = 5
"""A session down this long pages the owner (whatsapp.md §3: whatsmeow reconnects in seconds)."""
SPOOL_RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Pauses between attempts to publish spooled inbound messages (the last one repeats)."""


class OutboundControl(Protocol):
    """Starts and pauses the flow of replies (the Pub/Sub subscriber)."""

    def start(self) -> None:
        """Resume pulling replies."""
        ...

    def pause(self) -> None:
        """Stop pulling replies; they stay queued."""
        ...


_ALERT_EVENTS = {
    "logged_out": Event.RELAY_LOGGED_OUT,
    "temporary_ban": Event.RELAY_TEMPORARY_BAN,
    "client_outdated": Event.RELAY_CLIENT_OUTDATED,
    "stream_replaced": Event.RELAY_STREAM_REPLACED,
    # Other refusals and a lost lease also stop the session: page like a logout.
    "connect_failure": Event.RELAY_LOGGED_OUT,
    "lease_lost": Event.RELAY_STREAM_REPLACED,
    "offline": Event.RELAY_OFFLINE,
}


def owner_alert(reason: str, text: str) -> None:
    """Default alert: the named paging event Cloud Monitoring watches (infra/monitoring.tf)."""
    event = _ALERT_EVENTS.get(reason)
    if event is None:
        log.info("relay stopped: %s", text)
        return
    log_event(log, event, "WhatsApp sending stopped: %s", text, reason=reason)


class Relay:
    """Holds one neonize client and everything that decides what to forward and to send."""

    def __init__(
        self,
        client: Any,
        *,
        bus: Bus,
        media: MediaStore,
        settings: Settings,
        clock: RelayClock,
        cache: Cache | None = None,
        alert: Alert = owner_alert,
        login: LoginHandler | None = None,
        spool: InboundSpool | None = None,
    ) -> None:
        self.client = client
        self.bus = bus
        self.media = media
        self.settings = settings
        self.clock = clock
        self.login = login
        self.spool = spool
        self.outbound: OutboundControl | None = None
        self.state = ConnectionState()
        self.governor = PacingGovernor(
            PacingPolicy.from_settings(settings),
            known=KnownChats(cache),
            cache=cache,
            on_hold=self._arm_release,
            # Alerts go to these phone chats (BusNotifier.to_owner), written to lately or not.
            exempt={f"{number}@s.whatsapp.net" for number in settings.alert_numbers},
        )
        self.sender = OutboundSender(
            client,
            state=self.state,
            governor=self.governor,
            clock=clock,
            media=media,
            sent=SentReplies(cache),  # in the shared cache: a restart still knows what went out
        )
        self.lifecycle = Lifecycle(
            self.state,
            alert=alert,
            now=clock.now,
            on_stop=self._stopped,
            on_connected=self._connected,
            on_disconnected=self._arm_offline_alert,
            on_ban=self._banned,
        )
        self.schedule: Schedule = thread_timer  # tests drive it with a fake clock
        self._ban_timer: Cancel | None = None
        self._release_timer: Cancel | None = None
        self._offline_timer: Cancel | None = None
        # message id -> (client, event) of a message waiting for its retry to decrypt
        self._undecryptable: dict[str, tuple[Any, Any]] = {}
        self._undecryptable_lock = threading.Lock()
        self._release_lock = threading.Lock()
        self._spool_lock = threading.Lock()
        self._spool_timer: Cancel | None = None
        self._spool_failures = 0

    def attach(self) -> None:
        """Register every handler on the client (one per event type, as neonize allows)."""
        on = self.client.event
        lc = self.lifecycle
        handlers: list[tuple[Any, Any]] = [
            (MessageEv, self.handle_message),
            (UndecryptableMessageEv, self.handle_undecryptable),
            (ConnectedEv, lc.connected),
            (DisconnectedEv, lc.disconnected),
            (KeepAliveTimeoutEv, lc.keepalive_timeout),
            (LoggedOutEv, lc.logged_out),
            (StreamReplacedEv, lc.stream_replaced),
            (TemporaryBanEv, lc.temporary_ban),
            (ClientOutdatedEv, lc.client_outdated),
            (ConnectFailureEv, lc.connect_failure),
            (OfflineSyncPreviewEv, _offline_preview),
            (OfflineSyncCompletedEv, _offline_completed),
        ]
        if self.login is not None:
            handlers.append((PairStatusEv, self.login.paired))
            self.client.qr(self.login.on_qr)
        for event_type, handler in handlers:
            on(event_type)(_counted(event_type.__name__, handler))
        self._arm_spool()  # messages left waiting by a previous run

    # --- inbound ---------------------------------------------------------------------------------

    def handle_message(self, client: Any, ev: Any) -> None:
        """Convert, store media, publish; never raise into the Go callback thread."""
        try:
            self._forward(client, ev)
        except Exception:
            log.exception("inbound WhatsApp message %s not forwarded", ev.Info.ID)

    def _forward(self, client: Any, ev: Any) -> None:
        reason = skip_reason(ev)
        src = ev.Info.MessageSource
        if reason is None and src.IsFromMe and ev.Info.ID in self.sender.sent_ids:
            reason = "own_echo"
        if reason is not None:
            metrics.INBOUND_SKIPPED.labels(reason=reason).inc()
            return
        with self._undecryptable_lock:
            self._undecryptable.pop(ev.Info.ID, None)  # WhatsApp's retry brought it after all
        backlog = self._is_backlog(ev)
        media_ref = None if src.IsFromMe else self._store_media(client, ev)
        message = to_inbound(
            ev,
            media_ref=media_ref,
            pn_for_lid=lambda jid: _pn_for_lid(client, jid),
            backlog=backlog,
        )
        if not message.from_me:
            self.sender.note_received(message.wa_msg_id, message.chat, src.Sender)
        self._publish(message)

    def handle_undecryptable(self, client: Any, ev: Any) -> None:
        """A message this device could not decrypt (whatsapp.md §3): silence is the worst answer.

        whatsmeow has already asked the sender's phone to send it again; if the retry brings it
        within UNDECRYPTABLE_GRACE_SECONDS it arrives as an ordinary message and nothing more
        happens. Otherwise the bot asks the customer to send it again.
        """
        try:
            self._await_retry(client, ev)
        except Exception:
            log.exception("undecryptable message %s not handled", ev.Info.ID)

    def _await_retry(self, client: Any, ev: Any) -> None:
        src = ev.Info.MessageSource
        if (
            skip_reason(ev) is not None
            or src.IsFromMe
            or ev.DecryptFailMode == Neonize_pb2.UndecryptableMessage.DECRYPT_FAIL_HIDE
        ):
            return
        log.warning(
            "message %s from %s could not be decrypted (unavailable=%s); waiting for the retry",
            ev.Info.ID,
            hash_id(jid_to_string(src.Chat)),
            ev.IsUnavailable,
        )
        with self._undecryptable_lock:
            self._undecryptable[ev.Info.ID] = (client, ev)
        self.schedule(UNDECRYPTABLE_GRACE_SECONDS, lambda: self._undecryptable_stays(ev.Info.ID))

    def _undecryptable_stays(self, msg_id: str) -> None:
        with self._undecryptable_lock:
            pending = self._undecryptable.pop(msg_id, None)
        if pending is None:
            return
        client, ev = pending
        try:
            message = to_inbound(
                Neonize_pb2.Message(Info=ev.Info),
                pn_for_lid=lambda jid: _pn_for_lid(client, jid),
                backlog=self._is_backlog(ev),
            )
            # Its own id: should the real message still arrive, it is not a duplicate of this.
            self._publish(
                message.model_copy(
                    update={"wa_msg_id": f"{msg_id}#undecryptable", "kind": "undecryptable"}
                )
            )
        except Exception:
            log.exception("undecryptable message %s not forwarded", msg_id)

    def _is_backlog(self, ev: Any) -> bool:
        """Sent before this connection or older than the stale window: never acted upon."""
        now = self.clock.now()
        with self.state.lock:
            connected_at = self.state.connected_at
        sent_at = message_time(ev)
        max_age = timedelta(seconds=self.settings.stale_message_seconds)
        return (connected_at is not None and sent_at < connected_at - BACKLOG_SLACK) or (
            now - sent_at > max_age
        )

    def _publish(self, message: InboundMessage) -> None:
        with self.state.lock:
            self.state.last_inbound_at = self.clock.now()
        if not message.from_me:
            self.governor.known.add(message.chat)
        with correlation(wa_msg_id=message.wa_msg_id, chat_jid=message.chat):
            if self.spool is not None:
                with self._spool_lock:
                    waiting = len(self.spool) > 0
                if waiting:  # behind the ones still waiting: the chat's order holds
                    self._keep(message)
                    return
            try:
                self._publish_now(message)
            except Exception as exc:
                if self.spool is None:
                    raise
                log.warning("publish of inbound failed (%s): kept for later", type(exc).__name__)
                self._keep(message)

    def _publish_now(self, message: InboundMessage) -> None:
        with metrics.PUBLISH_SECONDS.time():
            self.bus.publish_inbound(message)
        metrics.INBOUND.labels(kind="from_me" if message.from_me else message.kind).inc()
        log.info(
            "inbound %s from %s published%s",
            message.kind,
            hash_id(message.chat),
            " (backlog)" if message.backlog else "",
        )

    def _keep(self, message: InboundMessage) -> None:
        assert self.spool is not None  # noqa: S101 - only called with a spool
        with self._spool_lock:
            self.spool.add(message)
            metrics.INBOUND_SPOOLED.set(len(self.spool))
        self._arm_spool()

    def _arm_spool(self) -> None:
        """Try the spooled messages again after a pause that grows while publishing fails."""
        if self.spool is None:
            return
        with self._spool_lock:
            if self._spool_timer is not None or len(self.spool) == 0:
                return
            pauses = SPOOL_RETRY_SECONDS
            pause = pauses[min(self._spool_failures, len(pauses) - 1)]
            self._spool_timer = self.schedule(pause, self._drain_spool)

    def _drain_spool(self) -> None:
        """Publish what waits, oldest first; stop at the first failure and try again later."""
        assert self.spool is not None  # noqa: S101 - armed only with a spool
        with self._spool_lock:
            self._spool_timer = None
        try:
            while batch := self.spool.oldest(100):
                for seq, message in batch:
                    with correlation(wa_msg_id=message.wa_msg_id, chat_jid=message.chat):
                        self._publish_now(message)
                    with self._spool_lock:
                        self.spool.remove(seq)
                        metrics.INBOUND_SPOOLED.set(len(self.spool))
            self._spool_failures = 0
        except Exception as exc:
            self._spool_failures += 1
            log.warning(
                "spooled inbound still not published (%s, attempt %d)",
                type(exc).__name__,
                self._spool_failures,
            )
        self._arm_spool()

    def _store_media(self, client: Any, ev: Any) -> str | None:
        media = media_of(ev.Message)
        if media is None:
            return None
        try:
            data = client.download_any(ev.Message)
            return self.media.put(media_key(ev, media), bytes(data), media.mime)
        except Exception as exc:
            # The message still goes out without media; the handler asks the customer again.
            log.warning("media download failed for %s: %s", ev.Info.ID, type(exc).__name__)
            return None

    # --- outbound --------------------------------------------------------------------------------

    def send(self, message: OutboundMessage) -> None:
        """Send one reply (the bus or the subscriber calls this); each id goes out once."""
        self.sender.send(message)

    # --- lifecycle hooks -------------------------------------------------------------------------

    def _arm_offline_alert(self) -> None:
        """Page if no `Connected` comes within OFFLINE_ALERT_MINUTES (connect or socket drop)."""
        self._cancel_offline_alert()
        self._offline_timer = self.schedule(
            OFFLINE_ALERT_MINUTES * 60, lambda: self.lifecycle.still_offline(OFFLINE_ALERT_MINUTES)
        )

    def _cancel_offline_alert(self) -> None:
        if self._offline_timer is not None:
            self._offline_timer()
            self._offline_timer = None

    def _connected(self) -> None:
        self._cancel_offline_alert()
        try:
            self.client.send_presence(Presence.AVAILABLE)  # typing indicators need it
        except Exception as exc:
            log.warning("send_presence failed: %s", type(exc).__name__)
        metrics.RELAY_CONNECTED.set(1)
        if self.outbound is not None:
            self.outbound.start()
        self._arm_release()  # follow-ups held before a restart

    def _stopped(self, reason: str) -> None:
        self._cancel_offline_alert()  # the stop raised its own alert
        metrics.RELAY_CONNECTED.set(0)
        if self.outbound is not None:
            self.outbound.pause()
        if reason != "shutdown":
            # Never from the Go callback thread, and never followed by a reconnect.
            threading.Thread(
                target=self.client.disconnect, name="wa-disconnect", daemon=True
            ).start()

    def _banned(self) -> None:
        self._cancel_offline_alert()  # the ban raised its own alert; its end re-arms the check
        self.governor.slow = True
        if self.outbound is not None:
            self.outbound.pause()
        if self._ban_timer is not None:
            self._ban_timer()  # a newer ban's expiry replaces the older one
            self._ban_timer = None
        until = self.state.banned_until
        if until is not None:
            delay = max(0.0, (until - self.clock.now()).total_seconds())
            self._ban_timer = self.schedule(delay, self._ban_over)

    def _ban_over(self) -> None:
        """Reconnect after a ban: outbound starts again on `Connected`, in slow mode.

        whatsmeow does not reconnect after the refusal that carried the ban, and neonize 0.5.2
        exports no reconnect: `stop()` ends the blocked `connect()` (its Go context), and a new
        `connect()` opens the session again from the store, without pairing.
        """
        with self.state.lock:
            if self.state.stopped_reason is not None:
                return
        log.info("WhatsApp temporary ban over: reconnecting, sending in slow mode")
        try:
            self.client.stop()
        except Exception as exc:
            log.warning("stopping the banned session failed: %s", type(exc).__name__)
        self.connect_in_background()

    def _arm_release(self) -> None:
        """Wake up when the earliest follow-up held for the quiet hours may go."""
        at = self.governor.held.next_at()
        with self._release_lock:
            if self._release_timer is not None:
                self._release_timer()
                self._release_timer = None
            if at is not None:
                delay = max(0.0, (at - self.clock.now()).total_seconds())
                self._release_timer = self.schedule(delay, self._release_held)

    def _release_held(self) -> None:
        """Publish held follow-ups again: they take the normal way (and its retries) from here."""
        now = self.clock.now()
        for message in self.governor.held.due(now):
            try:
                self.bus.publish_outbound(message)
            except Exception as exc:
                log.warning("held follow-up not republished (%s); retrying", type(exc).__name__)
                self.governor.held.add(message, now + timedelta(minutes=1))
        self._arm_release()

    # --- running ---------------------------------------------------------------------------------

    def connect_in_background(self) -> threading.Thread:
        """Run neonize's blocking `connect()` on its own thread, dialling again until it is up."""
        self._arm_offline_alert()
        thread = threading.Thread(target=self._connect_until_up, name="wa-connect", daemon=True)
        thread.start()
        return thread

    def _connect_until_up(self) -> None:
        """Dial until a session runs: a failed dial is retried with a growing pause.

        `connect()` blocks for the whole session and returns once it is stopped; a failed dial
        raises at once. Terminal refusals (logout, ban, outdated client) arrive as events, not
        as exceptions, and stop the relay: they are never retried here.
        """
        for attempt in itertools.count():
            try:
                self.client.connect()
            except Exception as exc:
                with self.state.lock:
                    self.state.last_connect_error = f"{type(exc).__name__}: {exc}"[:300]
                    stopped = self.state.stopped_reason is not None
                if stopped:
                    return
                pause = CONNECT_RETRY_SECONDS[min(attempt, len(CONNECT_RETRY_SECONDS) - 1)]
                log.warning("WhatsApp connect failed (%s); dialling again in %.0f s", exc, pause)
                self.clock.sleep(pause)
                with self.state.lock:
                    if self.state.stopped_reason is not None:
                        return
            else:
                return

    def shutdown(self) -> None:
        """Graceful stop: no more sends, outbound paused, socket closed."""
        for cancel in (
            self._ban_timer,
            self._release_timer,
            self._offline_timer,
            self._spool_timer,
        ):
            if cancel is not None:
                cancel()
        self.lifecycle.stop("shutdown", "relay shut down")
        try:
            self.client.disconnect()
        except Exception as exc:
            log.warning("disconnect failed: %s", type(exc).__name__)
        # neonize's connect() returns only once its Go context is cancelled, and its worker
        # thread is not a daemon: without stop() the process could not exit.
        try:
            self.client.stop()
        except Exception as exc:
            log.warning("stop failed: %s", type(exc).__name__)
        if self.spool is not None:
            self.spool.close()  # what still waits is published by the next run


def _counted(name: str, handler: Any) -> Any:
    def wrapper(client: Any, ev: Any) -> None:
        metrics.LIFECYCLE.labels(event=name).inc()
        handler(client, ev)

    return wrapper


def _pn_for_lid(client: Any, jid: Any) -> str | None:
    try:
        pn = client.get_pn_from_lid(jid)
    except Exception:
        return None
    return str(pn.User) if pn is not None and pn.User else None


def _offline_preview(_client: Any, ev: Any) -> None:
    log.info("offline backlog announced: %d messages", ev.Message)


def _offline_completed(_client: Any, ev: Any) -> None:
    log.info("offline backlog delivered: %d events", ev.Count)


def build_relay(
    settings: Settings,
    bus: Bus,
    *,
    cache: Cache | None,
    stopping: threading.Event,
    client: Any = None,
    clock: RelayClock | None = None,
) -> Relay:
    """A relay on a neonize client (a real one unless given), its session store and login.

    `client` and `clock` default to neonize and the wall clock; tests pass a fake of each.
    """
    if client is None:
        from neonize.client import NewClient  # noqa: PLC0415, TID251

        client = NewClient(session_db(settings))
    login = LoginHandler(qr_png=settings.data_dir / "wa-qr.png", pair_phone=settings.wa_pair_phone)
    relay = Relay(
        client,
        bus=bus,
        media=media_store(settings),
        settings=settings,
        clock=clock or SystemClock(stopping),
        cache=cache,
        login=login,
        spool=InboundSpool.beside(session_db(settings)),
    )
    relay.attach()
    return relay


def run_until_stopped(relay: Relay, cache: Cache, stopping: threading.Event) -> None:
    """Take the single-instance lease, connect, and on `stopping` shut down and release it."""
    from shared.adapters.whatsapp.lease import RelayLease  # noqa: PLC0415

    lease = RelayLease(cache)
    if not lease.wait_acquire(stopping):
        return
    lease.keep_alive(lambda: relay.lifecycle.stop("lease_lost", "relay lease lost"))
    relay.connect_in_background()
    stopping.wait()
    relay.shutdown()
    lease.release()


def start_whatsapp(
    components: Components,
    bus: InProcessBus,
    stopping: threading.Event,
    *,
    client: Any = None,
    clock: RelayClock | None = None,
) -> Relay:
    """All-in-one hook: the relay on the in-process bus, stopped when `stopping` is set."""
    relay = build_relay(
        components.settings,
        bus,
        cache=components.cache,
        stopping=stopping,
        client=client,
        clock=clock,
    )
    hold_outbound_in_process(relay, bus)
    threading.Thread(
        target=run_until_stopped,
        args=(relay, components.cache, stopping),
        name="wa-relay",
        daemon=True,
    ).start()
    return relay


def hold_outbound_in_process(relay: Relay, bus: InProcessBus) -> HeldOutbound:
    """Make the in-process bus's replies wait out bans and disconnects instead of failing."""
    outbox = HeldOutbound(relay.send, state=relay.state, now=relay.clock.now)
    relay.outbound = outbox
    bus.on_outbound(outbox.send)
    return outbox


def relay_command(args: argparse.Namespace) -> int:
    """`salesbot relay`: Pub/Sub in both directions, health and metrics over HTTP."""
    from shared.adapters.pubsub.bus import PubSubBus  # noqa: PLC0415
    from shared.adapters.pubsub.subscriber import OutboundSubscriber  # noqa: PLC0415
    from shared.adapters.whatsapp.health import serve_health  # noqa: PLC0415
    from shared.config import get_settings, load_settings  # noqa: PLC0415
    from shared.log import setup_logging  # noqa: PLC0415
    from shared.wiring import Components  # noqa: PLC0415

    settings = get_settings()
    if args.pair_phone:
        settings = load_settings(wa_pair_phone=args.pair_phone)
    setup_logging(settings.log_level, settings.log_format)  # after neonize's basicConfig
    components = Components(settings=settings)
    stopping = threading.Event()
    bus = PubSubBus.from_settings(settings)
    relay = build_relay(settings, bus, cache=components.cache, stopping=stopping)
    subscriber = OutboundSubscriber(
        settings.gcp_project or "", settings.pubsub_outbound_subscription, relay.send
    )
    relay.outbound = subscriber
    server = serve_health(relay, settings.http_host, settings.http_port)

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d received, shutting down", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    run_until_stopped(relay, components.cache, stopping)
    subscriber.stop()
    bus.close()
    server.shutdown()
    return 0
