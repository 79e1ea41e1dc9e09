"""Connection lifecycle: what each neonize event means for sending (whatsapp.md §3).

`ConnectionState` is the relay's single source of truth for "may we send?". Terminal events
(LoggedOut, StreamReplaced, ClientOutdated, a terminal ConnectFailure) stop sending for good:
the owner is alerted and the client is disconnected, never reconnected in a loop; a new login
(QR or pairing code) or a redeploy is an operator's decision. A TemporaryBan stops sending until
it expires, then the relay reconnects and the governor runs in slow mode.

A TemporaryBan arrives as whatsmeow's answer to a connect attempt (`handleConnectFailure` in
whatsmeow's connectionevents.go): whatsmeow marks the disconnect as expected, so it does not
reconnect by itself and no `Disconnected` event follows. The session is therefore treated as
disconnected from the ban on, and the relay (not whatsmeow) reconnects once the ban is over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from neonize.proto import Neonize_pb2  # noqa: TID251 - this package owns neonize

log = logging.getLogger(__name__)

Alert = Callable[[str, str], None]
"""Tells the owner something needs a human: `(reason, text)`; the relay logs a paging event."""

Cancel = Callable[[], None]
Schedule = Callable[[float, Callable[[], None]], Cancel]
"""Runs a callable after some seconds on another thread; returns how to cancel it."""


def thread_timer(delay: float, fn: Callable[[], None]) -> Cancel:
    """`Schedule` on a daemon `threading.Timer` (tests pass one driven by a fake clock)."""
    timer = threading.Timer(max(0.0, delay), fn)
    timer.daemon = True
    timer.start()
    return timer.cancel


_REASONS = Neonize_pb2.ConnectFailureReason
_BAN_CODES = Neonize_pb2.TemporaryBan.TempBanReason
LOGOUT_REASONS = frozenset({"LOGGED_OUT", "MAIN_DEVICE_GONE", "UNKNOWN_LOGOUT"})
MAX_BAN_SECONDS = 30 * 24 * 3600


def reason_name(value: int) -> str:
    """The `ConnectFailureReason` name of a raw value (unknown values keep their number)."""
    try:
        return str(_REASONS.Name(value))
    except ValueError:
        return f"REASON_{value}"


def ban_code_name(value: int) -> str:
    """The `TempBanReason` name of a raw value."""
    try:
        return str(_BAN_CODES.Name(value))
    except ValueError:
        return f"CODE_{value}"


@dataclass
class ConnectionState:
    """What the relay knows about its session; read by the sender, /healthz and metrics."""

    connected: bool = False
    connected_at: datetime | None = None
    stopped_reason: str | None = None
    banned_until: datetime | None = None
    last_inbound_at: datetime | None = None
    last_send_error: str | None = None
    last_connect_error: str | None = None
    alerts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def can_send(self, now: datetime) -> bool:
        """True while connected, not stopped and not inside a ban."""
        with self.lock:
            if self.stopped_reason is not None or not self.connected:
                return False
            return self.banned_until is None or now >= self.banned_until

    def snapshot(self) -> dict[str, object]:
        """JSON-able health fields (no identifiers)."""
        with self.lock:
            return {
                "connected": self.connected,
                "connected_at": self.connected_at.isoformat() if self.connected_at else None,
                "stopped_reason": self.stopped_reason,
                "banned_until": self.banned_until.isoformat() if self.banned_until else None,
                "last_inbound_at": (
                    self.last_inbound_at.isoformat() if self.last_inbound_at else None
                ),
                "last_send_error": self.last_send_error,
                "last_connect_error": self.last_connect_error,
                "alerts": list(self.alerts[-5:]),
            }


class Lifecycle:
    """Handlers for the connection events; `on_stop` pauses outbound and disconnects."""

    def __init__(
        self,
        state: ConnectionState,
        *,
        alert: Alert,
        now: Callable[[], datetime],
        on_stop: Callable[[str], None],
        on_connected: Callable[[], None] = lambda: None,
        on_disconnected: Callable[[], None] = lambda: None,
        on_ban: Callable[[], None] = lambda: None,
    ) -> None:
        self.state = state
        self._alert = alert
        self._now = now
        self._on_stop = on_stop
        self._on_connected = on_connected
        self._on_disconnected = on_disconnected
        self._on_ban = on_ban

    def _raise_alert(self, reason: str, text: str) -> None:
        with self.state.lock:
            self.state.alerts.append(f"{self._now().isoformat()} {text}")
        self._alert(reason, text)

    def still_offline(self, minutes: int) -> None:
        """Page when the session has been down for `minutes` with no other alert for it.

        whatsmeow reconnects ordinary drops by itself; a session that stays down (network, a
        stuck container, a phone never paired) leaves customers unanswered with nothing else
        paging: terminal stops and bans have their own alerts.
        """
        with self.state.lock:
            banned = self.state.banned_until is not None and self._now() < self.state.banned_until
            down = not self.state.connected and self.state.stopped_reason is None and not banned
        if down:
            self._raise_alert(
                "offline",
                f"WhatsApp not connected for {minutes} minutes: customers get no replies. "
                "Check the relay's log and /healthz; pair it again if it shows a QR",
            )

    def stop(self, reason: str, text: str) -> None:
        """Stop sending for good (until an operator acts) and alert once."""
        with self.state.lock:
            if self.state.stopped_reason is not None:
                return
            self.state.stopped_reason = reason
            self.state.connected = False
        self._raise_alert(reason, text)
        self._on_stop(reason)

    # --- event handlers: (client, event) like neonize's callbacks --------------------------------

    def connected(self, _client: Any, _ev: Any) -> None:
        """Session up: record `connected_at` for the backlog guard."""
        with self.state.lock:
            if self.state.stopped_reason is not None:
                return
            self.state.connected = True
            self.state.connected_at = self._now()
        log.info("WhatsApp connected")
        self._on_connected()

    def disconnected(self, _client: Any, _ev: Any) -> None:
        """Socket dropped: whatsmeow reconnects by itself; sending waits for `connected`."""
        with self.state.lock:
            self.state.connected = False
        log.warning("WhatsApp disconnected; waiting for whatsmeow to reconnect")
        self._on_disconnected()

    def keepalive_timeout(self, _client: Any, ev: Any) -> None:
        """Network trouble: a health signal only."""
        log.warning("WhatsApp keepalive timeout (errors=%d)", ev.ErrorCount)

    def logged_out(self, _client: Any, ev: Any) -> None:
        """Device unlinked: stop, require a new QR or pairing code."""
        self.stop(
            "logged_out",
            f"WhatsApp logged out ({reason_name(ev.Reason)}): link the device again "
            "with a new QR or pairing code",
        )

    def stream_replaced(self, _client: Any, _ev: Any) -> None:
        """Another process took the session: do not fight back."""
        self.stop(
            "stream_replaced",
            "another process connected with this WhatsApp session; this relay stopped. "
            "Run exactly one relay instance",
        )

    def client_outdated(self, _client: Any, _ev: Any) -> None:
        """Protocol version rejected: needs a neonize/whatsmeow upgrade and a redeploy."""
        self.stop(
            "client_outdated",
            "WhatsApp rejected the client version (405): upgrade neonize and redeploy",
        )

    def temporary_ban(self, _client: Any, ev: Any) -> None:
        """Stop all sending until the ban expires, then continue in slow mode.

        Without a usable expiry (whatsmeow reads a missing `expire` attribute as 0) there is
        nothing to wait for: sending stops for good and the owner decides.
        """
        seconds = _expire_seconds(int(ev.Expire))
        # No expiry, or one past any real ban (a unit change upstream): wait for a human.
        until = (
            self._now() + timedelta(seconds=seconds) if 0 < seconds <= MAX_BAN_SECONDS else None
        )
        with self.state.lock:
            self.state.banned_until = until
            # The refused connection is closed and whatsmeow will not reopen it.
            self.state.connected = False
            if until is None:
                self.state.stopped_reason = "temporary_ban"
        name = ban_code_name(ev.Code)
        log.critical("WhatsApp temporary ban %s (expire=%d s)", name, ev.Expire)
        self._raise_alert(
            "temporary_ban",
            f"WhatsApp temporary ban {name}: sending paused"
            + (f" until {until.isoformat()}" if until else ""),
        )
        self._on_ban()

    def connect_failure(self, client: Any, ev: Any) -> None:
        """Route by reason: logouts, bans and outdated clients are terminal; others alert."""
        name = reason_name(ev.Reason)
        if name in LOGOUT_REASONS:
            self.logged_out(client, ev)
        elif name == "CLIENT_OUTDATED":
            self.client_outdated(client, ev)
        elif name == "TEMP_BANNED":
            self.stop("temporary_ban", "WhatsApp refused the connection: temporarily banned")
        else:
            self.stop("connect_failure", f"WhatsApp refused the connection ({name})")


def _expire_seconds(raw: int) -> float:
    """Seconds of a ban: neonize delivers `TemporaryBanEv.Expire` in whole seconds.

    whatsmeow builds `events.TemporaryBan.Expire` (a Go duration) from the server's `expire`
    attribute times `time.Second` (whatsmeow connectionevents.go, `handleConnectFailure`), and
    neonize converts it back with `Expire: proto.Int64(int64(ban.Expire.Seconds()))` in
    `EncodeTemporaryBan` (krypton-byte/neonize goneonize/utils/encoder.go, line 629; the function
    starts at line 613). The wheel pinned in requirements.lock (0.5.2) was built from that code:
    its Go line table maps `utils.EncodeTemporaryBan` to encoder.go:613-629, and the machine
    code divides by 1e9 and truncates to an integer. The Python side does no conversion
    (`neonize/events.py` parses the bytes with `TemporaryBan.FromString`; `Expire` is int64).
    """
    return float(raw)
