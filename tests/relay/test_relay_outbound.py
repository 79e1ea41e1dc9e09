"""Outbound: read receipt, typing refreshed, human-like delay, pacing, no unsolicited sends.

All timing runs on the fake clock: `sleep` only advances it, so no test waits for real.
"""

from __future__ import annotations

from typing import Any

import pytest
from fakes.neonize_client import message_event
from neonize.proto import Neonize_pb2 as N  # noqa: TID251
from neonize.utils.enum import ChatPresence, ReceiptType  # noqa: TID251

from shared.adapters.whatsapp.pacing import KnownChats, PacingGovernor, PacingPolicy
from shared.adapters.whatsapp.sender import TYPING_REFRESH_SECONDS, DelayPolicy
from shared.errors import WhatsAppError
from shared.log import correlation_ids
from shared.messages import OutboundMessage

CHAT = "6281234567890@s.whatsapp.net"


def _presences(wa: Any) -> list[tuple[float, Any]]:
    return [(t, args[1]) for t, args, _ in wa.client.named("send_chat_presence")]


def test_reply_marks_read_types_waits_like_a_person_then_sends(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    text = "Siap kak! " + "Pulsa Telkomsel 10rb harganya Rp 10.500 ya. " * 6  # ~270 chars
    wa.relay.send(OutboundMessage(chat=CHAT, text=text, reply_to="IN1"))

    [(t_read, read_ids, read_kw)] = wa.client.named("mark_read")
    assert read_ids == ("IN1",)
    assert read_kw["receipt"] == ReceiptType.READ
    assert read_kw["sender"].User == "6281234567890"
    [(t_sent, (to, body), _)] = wa.client.named("send_message")
    assert (to.User, to.Server, body) == ("6281234567890", "s.whatsapp.net", text)
    expected_delay = DelayPolicy().for_text(text)
    assert expected_delay > TYPING_REFRESH_SECONDS  # long enough to need a refresh
    assert t_sent == pytest.approx(expected_delay)
    presences = _presences(wa)
    composing = [t for t, state in presences if state == ChatPresence.CHAT_PRESENCE_COMPOSING]
    assert composing[0] == t_read == 0
    gaps = [b - a for a, b in zip(composing, composing[1:], strict=False)]
    assert gaps
    assert max(gaps) <= TYPING_REFRESH_SECONDS
    assert presences[-1] == (t_sent, ChatPresence.CHAT_PRESENCE_PAUSED)


def test_delay_scales_with_length_and_time_already_spent_counts(wa: Any) -> None:
    policy = DelayPolicy()
    assert policy.for_text("ok") == policy.minimum
    assert policy.for_text("x" * 5000) == policy.maximum
    wa.client.dispatch(message_event(msg_id="IN2"))
    wa.clock.advance(20)  # the model took 20 s
    wa.relay.send(OutboundMessage(chat=CHAT, text="Siap kak", reply_to="IN2"))
    [(t_sent, _, _)] = wa.client.named("send_message")
    assert t_sent == 20  # no extra wait on top


def test_replies_to_one_chat_are_spaced_with_jitter(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN3"))
    for text in ("satu", "dua", "tiga"):
        wa.relay.send(OutboundMessage(chat=CHAT, text=text))
    times = [t for t, _, _ in wa.client.named("send_message")]
    policy = wa.relay.governor.policy
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert all(g >= policy.chat_min_gap for g in gaps)
    assert len({round(g, 6) for g in gaps}) == len(gaps)  # jittered: no fixed interval


def test_global_cap_spreads_bursts_over_the_minute() -> None:
    known = KnownChats()
    chats = [f"62811{i:07d}@s.whatsapp.net" for i in range(40)]
    for chat in chats:
        known.add(chat)
    policy = PacingPolicy(global_per_minute=30, global_min_gap=0.1, jitter=0.0)
    governor = PacingGovernor(policy, known=known, rng=lambda: 0.0)
    slots = [governor.reserve(chat, proactive=False, now=0.0) for chat in chats]
    assert all(s is not None for s in slots)
    in_first_minute = [s for s in slots if s is not None and s < 60.0]
    assert len(in_first_minute) == 30


def test_proactive_sends_are_rationed_and_cold_chats_refused(wa: Any) -> None:
    for i in range(6):
        wa.client.dispatch(
            message_event(
                msg_id=f"W{i}", chat=N.JID(User=f"62812000000{i}", Server="s.whatsapp.net")
            )
        )
    for i in range(6):
        wa.relay.send(
            OutboundMessage(
                chat=f"62812000000{i}@s.whatsapp.net",
                text=f"Order {i} sukses",
                kind="notification",
            )
        )
    wa.relay.send(
        OutboundMessage(chat="6289999999999@s.whatsapp.net", text="Promo!", kind="notification")
    )

    sent = wa.client.named("send_message")
    assert len(sent) == 6
    assert all(args[0].User != "6289999999999" for _, args, _ in sent)  # never unsolicited
    times = [t for t, _, _ in sent]
    cap = wa.relay.governor.policy.proactive_per_minute
    assert times[cap] - times[0] >= 60.0  # the (cap+1)-th waits for the window


def test_image_reply_sends_the_stored_png_with_caption(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN4"))
    ref = wa.media.put("qris/dep-1.png", b"\x89PNG qris", "image/png")
    wa.relay.send(
        OutboundMessage(
            chat=CHAT, image_ref=ref, image_caption="Scan QRIS ini ya kak", reply_to="IN4"
        )
    )
    [(_, (to, data), kw)] = wa.client.named("send_image")
    assert (to.User, data, kw["caption"]) == (
        "6281234567890",
        b"\x89PNG qris",
        "Scan QRIS ini ya kak",
    )


def test_console_messages_are_not_for_whatsapp(wa: Any) -> None:
    wa.relay.send(OutboundMessage(chat="console:1", text="halo", channel="console"))
    assert wa.client.calls == [c for c in wa.client.calls if c[1] != "send_message"]


def test_a_failed_send_raises_so_the_message_is_redelivered(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN5"))
    wa.client.fail.add("send_message")
    with pytest.raises(WhatsAppError):
        wa.relay.send(OutboundMessage(chat=CHAT, text="halo", reply_to="IN5"))
    assert wa.relay.state.snapshot()["last_send_error"] == "RuntimeError"


def test_presence_failures_never_block_the_reply(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN6"))
    wa.client.fail.update({"send_chat_presence", "mark_read"})
    wa.relay.send(OutboundMessage(chat=CHAT, text="tetap terkirim", reply_to="IN6"))
    assert len(wa.client.named("send_message")) == 1


def test_a_send_carries_the_inbound_and_order_ids_into_its_logs(
    wa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, str]] = []
    deliver = wa.client.send_message

    def spy(to: Any, message: Any) -> Any:
        seen.append(correlation_ids())
        return deliver(to, message)

    monkeypatch.setattr(wa.client, "send_message", spy)
    wa.client.dispatch(message_event(msg_id="IN9"))
    wa.relay.send(OutboundMessage(chat=CHAT, text="ok", reply_to="IN9", correlation_id="SB1"))
    assert seen == [{"wa_msg_id": "IN9", "reff_id": "SB1"}]
