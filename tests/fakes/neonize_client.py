"""A stand-in for neonize's `NewClient` (no WhatsApp here) and builders for real neonize events.

The fake keeps handlers the way neonize does (`client.event(EvType)(fn)` stores them in
`client.event.list_func` keyed by neonize's own event codes), records every call with the time
of a controllable clock, and answers sends with real `SendResponse` protos. Events are real
`neonize.proto.Neonize_pb2` messages with waE2E payloads (tech-notes.md §2.4).
"""

from __future__ import annotations

import gc
import itertools
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# neonize's import runs `os.popen("uname -a")` without closing it; with warnings as errors the
# leaked pipe's ResourceWarning would fail whichever later test reaps it (any subprocess call).
# Import it once, quietly, and reap the leftover process here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ResourceWarning)
    import neonize.events  # noqa: F401, TID251

    for _leftover in list(getattr(subprocess, "_active", None) or []):
        _leftover.wait(timeout=10)
        if _leftover.stdout is not None:
            _leftover.stdout.close()
    subprocess._cleanup()  # type: ignore[attr-defined]
    gc.collect()

from neonize.events import EVENT_TO_INT  # noqa: E402, TID251
from neonize.proto import Neonize_pb2 as N  # noqa: E402, TID251
from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as E  # noqa: E402, TID251

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


class FakeClock:
    """Monotonic seconds from 0; `sleep` advances time instantly and is recorded."""

    def __init__(self, start: datetime = T0) -> None:
        self.t = 0.0
        self.start = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.t += seconds


class FakeTimers:
    """A `Schedule` on a `FakeClock`: callbacks run when the test calls `fire_due`."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pending: list[tuple[float, Callable[[], None]]] = []
        self.delays: list[float] = []

    def __call__(self, delay: float, fn: Callable[[], None]) -> Callable[[], None]:
        entry = (self.clock.monotonic() + delay, fn)
        self.pending.append(entry)
        self.delays.append(delay)
        return lambda: self.pending.remove(entry) if entry in self.pending else None

    def fire_due(self) -> int:
        """Run every callback whose time has come; returns how many ran."""
        due = [e for e in self.pending if e[0] <= self.clock.monotonic()]
        for entry in due:
            self.pending.remove(entry)
            entry[1]()
        return len(due)


class _Events:
    def __init__(self) -> None:
        self.list_func: dict[int, Callable[[Any, Any], None]] = {}

    def __call__(self, event_type: type) -> Callable[[Callable[[Any, Any], None]], None]:
        def register(fn: Callable[[Any, Any], None]) -> None:
            self.list_func[EVENT_TO_INT[event_type]] = fn

        return register


@dataclass
class FakeClient:
    """Records calls as `(time, method, args, kwargs)`; `fail` names methods that raise."""

    clock: FakeClock = field(default_factory=FakeClock)
    media: bytes = b"OggS\x00fake-opus"
    lid_map: dict[str, str] = field(default_factory=dict)
    fail: set[str] = field(default_factory=set)
    calls: list[tuple[float, str, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    pair_code: str = "ABCD-EFGH"
    event: _Events = field(default_factory=_Events)
    qr_callback: Callable[[Any, bytes], None] | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def _record(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((self.clock.monotonic(), name, args, kwargs))
        if name in self.fail:
            raise RuntimeError(f"{name} failed")

    def named(self, name: str) -> list[tuple[float, tuple[Any, ...], dict[str, Any]]]:
        return [(t, a, k) for t, n, a, k in self.calls if n == name]

    # --- the neonize surface the relay uses ---
    def qr(self, fn: Callable[[Any, bytes], None]) -> None:
        self.qr_callback = fn

    def dispatch(self, ev: Any) -> None:
        """Deliver an event the way neonize's Go callback does."""
        self.event.list_func[EVENT_TO_INT[type(ev)]](self, ev)

    def send_message(self, to: Any, message: Any) -> Any:
        self._record("send_message", to, message)
        return N.SendResponse(ID=f"3EB0SENT{next(self._ids)}", Timestamp=1)

    def send_image(self, to: Any, file: bytes, caption: str | None = None) -> Any:
        self._record("send_image", to, file, caption=caption)
        return N.SendResponse(ID=f"3EB0IMG{next(self._ids)}", Timestamp=1)

    def mark_read(self, *ids: str, chat: Any, sender: Any, receipt: Any) -> None:
        self._record("mark_read", *ids, chat=chat, sender=sender, receipt=receipt)

    def send_chat_presence(self, jid: Any, state: Any, media: Any) -> None:
        self._record("send_chat_presence", jid, state, media)

    def send_presence(self, presence: Any) -> None:
        self._record("send_presence", presence)

    def download_any(self, message: Any) -> bytes:
        self._record("download_any", message)
        return self.media

    def get_pn_from_lid(self, jid: Any) -> Any:
        self._record("get_pn_from_lid", jid)
        return N.JID(User=self.lid_map.get(jid.User, ""), Server="s.whatsapp.net")

    def PairPhone(self, phone: str, show_push_notification: bool) -> str:  # noqa: N802
        self._record("PairPhone", phone, show_push_notification)
        return self.pair_code

    def connect(self) -> None:
        self._record("connect")

    def disconnect(self) -> None:
        self._record("disconnect")

    def stop(self) -> None:
        """neonize's `stop()`: cancels the Go context, so a blocked `connect()` returns."""
        self._record("stop")


def message_event(
    *,
    msg_id: str = "3EB0AAAA",
    chat: N.JID | None = None,
    sender: N.JID | None = None,
    sender_alt: N.JID | None = None,
    text: str | None = "halo kak",
    message: E.Message | None = None,
    from_me: bool = False,
    group: bool = False,
    sent_at: datetime = T0,
    push_name: str = "Budi",
) -> N.Message:
    """A real neonize `MessageEv` (timestamps in milliseconds, as neonize 0.5.2 sends them)."""
    chat = chat or N.JID(User="6281234567890", Server="s.whatsapp.net")
    source = N.MessageSource(
        Chat=chat,
        Sender=sender or N.JID(User=chat.User, Server=chat.Server, Device=12),
        IsFromMe=from_me,
        IsGroup=group,
    )
    if sender_alt is not None:
        source.SenderAlt.CopyFrom(sender_alt)
    return N.Message(
        Info=N.MessageInfo(
            ID=msg_id,
            Timestamp=int(sent_at.timestamp() * 1000),
            Pushname=push_name,
            MessageSource=source,
        ),
        Message=message if message is not None else E.Message(conversation=text or ""),
    )


def voice_note(seconds: int = 3) -> E.Message:
    return E.Message(
        audioMessage=E.AudioMessage(PTT=True, mimetype="audio/ogg; codecs=opus", seconds=seconds)
    )


def image(caption: str = "") -> E.Message:
    return E.Message(imageMessage=E.ImageMessage(mimetype="image/jpeg", caption=caption))
