"""Proactive messages (whatsapp.md §1.3) through the relay's one governor, on a fake clock.

T0 is 16:00 WIB. Transactional notifications (order, deposit, transfer status) go at any hour;
follow-ups (reminders, promotions) wait out the quiet hours (held, then handed back to the bus),
get at most two per topic per customer, never repeat one text to a second chat, and share a
daily cap that grows slowly on a new number.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fakes.neonize_client import T0, FakeClient, FakeTimers, message_event
from neonize.events import ConnectedEv  # noqa: TID251
from neonize.proto import Neonize_pb2 as N  # noqa: TID251

from shared.adapters.whatsapp.pacing import PacingPolicy, QuietHours
from shared.adapters.whatsapp.relay import Relay
from shared.config import load_settings
from shared.errors import ConfigError
from shared.messages import OutboundMessage

ROOT = Path(__file__).resolve().parents[2]
WIB = ZoneInfo("Asia/Jakarta")
HOUR = 3600.0


def _chat(n: int) -> str:
    return f"62812000000{n:02d}@s.whatsapp.net"


def _wrote(wa: Any, *numbers: int) -> None:
    """Customers who wrote first (the governor only ever answers them)."""
    for n in numbers:
        jid = N.JID(User=_chat(n).split("@")[0], Server="s.whatsapp.net")
        wa.client.dispatch(message_event(msg_id=f"IN{n}", chat=jid, sent_at=wa.clock.now()))


def _followup(n: int, text: str, topic: str | None = "token-pln") -> OutboundMessage:
    return OutboundMessage(chat=_chat(n), text=text, kind="followup", topic=topic)


def _sent(wa: Any) -> list[str]:
    return [args[1] for _, args, _ in wa.client.named("send_message")]


def _at_wib(wa: Any, hh: int, mm: int = 0, *, day: int = 0) -> None:
    """Move the fake clock forward to hh:mm WIB on T0's WIB date + `day`."""
    local = T0.astimezone(WIB)
    target = datetime.combine(local.date() + timedelta(days=day), time(hh, mm), tzinfo=WIB)
    delta = (target - wa.clock.now()).total_seconds()
    assert delta >= 0
    wa.clock.advance(delta)


def test_status_notifications_and_replies_go_out_during_quiet_hours(wa: Any) -> None:
    _wrote(wa, 1)
    _at_wib(wa, 22)
    wa.relay.send(OutboundMessage(chat=_chat(1), text="Pesanan sukses", kind="notification"))
    wa.relay.send(OutboundMessage(chat=_chat(1), text="Sama-sama kak", reply_to="IN1"))
    assert _sent(wa) == ["Pesanan sukses", "Sama-sama kak"]


def test_a_follow_up_in_quiet_hours_is_held_and_handed_back_when_they_end(
    wa: Any, timers: FakeTimers
) -> None:
    _wrote(wa, 1)
    wa.relay.send(_followup(1, "Kak, token PLN kemarin jadi diisi?", topic="pln-1"))
    assert _sent(wa) == ["Kak, token PLN kemarin jadi diisi?"]  # 16:00 WIB: goes now

    _at_wib(wa, 22)
    late = _followup(1, "Kak, promo pulsa malam ini", topic="promo-1").model_copy(
        update={"id": "followup-promo-1"}  # holding it must not use up its one delivery
    )
    wa.relay.send(late)
    assert len(_sent(wa)) == 1
    assert len(wa.relay.governor.held) == 1
    assert timers.delays == [10 * HOUR]  # until 08:00 WIB
    assert wa.bus.outbound == []

    wa.clock.advance(10 * HOUR - 1)
    assert timers.fire_due() == 0
    wa.clock.advance(1)
    assert timers.fire_due() == 1
    assert wa.bus.outbound == [late]  # back on the bus, the normal way with its retries
    assert len(wa.relay.governor.held) == 0
    wa.relay.send(wa.bus.outbound[0])
    assert _sent(wa)[-1] == "Kak, promo pulsa malam ini"


def test_held_follow_ups_survive_a_relay_restart(wa: Any, timers: FakeTimers) -> None:
    _wrote(wa, 1)
    _at_wib(wa, 23, 30)
    wa.relay.send(_followup(1, "Kak, promo data besok pagi"))
    wa.relay.shutdown()

    restarted = Relay(
        FakeClient(clock=wa.clock),
        bus=wa.bus,
        media=wa.media,
        settings=load_settings(),
        clock=wa.clock,
        cache=wa.cache,
    )
    later = FakeTimers(wa.clock)
    restarted.schedule = later
    restarted.attach()
    restarted.client.dispatch(ConnectedEv())
    assert later.delays == [8.5 * HOUR]
    wa.clock.advance(8.5 * HOUR)
    later.fire_due()
    assert [m.text for m in wa.bus.outbound] == ["Kak, promo data besok pagi"]


def test_at_most_two_follow_ups_per_topic_per_customer(wa: Any) -> None:
    wa.relay.governor.policy = PacingPolicy.from_settings(
        load_settings(wa_proactive_daily_cap=200, wa_warmup_days=1)
    )
    _wrote(wa, 1, 2)
    wa.relay.send(_followup(1, "Kak, tagihan PLN bulan ini sudah keluar", topic="pln-jan"))
    wa.relay.send(_followup(1, "Kak, mengingatkan tagihan PLN ya", topic="pln-jan"))
    wa.relay.send(_followup(1, "Kak, tagihan PLN jatuh tempo besok", topic="pln-jan"))
    assert len(_sent(wa)) == 2
    wa.relay.send(_followup(1, "Kak, ada promo paket data", topic="promo-data"))
    wa.relay.send(_followup(2, "Kak Sari, tagihan PLN bulan ini sudah keluar", topic="pln-jan"))
    assert _sent(wa)[2:] == [
        "Kak, ada promo paket data",
        "Kak Sari, tagihan PLN bulan ini sudah keluar",
    ]


def test_the_same_text_never_goes_to_a_second_chat(wa: Any) -> None:
    _wrote(wa, 1, 2)
    wa.relay.send(_followup(1, "Promo pulsa 50rb hari ini!", topic="promo"))
    wa.relay.send(_followup(2, "promo  PULSA 50rb hari ini!", topic="promo"))
    assert _sent(wa) == ["Promo pulsa 50rb hari ini!"]
    wa.relay.send(_followup(2, "Kak Budi, promo pulsa 50rb hari ini!", topic="promo"))
    assert _sent(wa)[1:] == ["Kak Budi, promo pulsa 50rb hari ini!"]


def test_a_follow_up_needs_a_topic_and_a_chat_that_wrote_first(wa: Any) -> None:
    _wrote(wa, 1)
    wa.relay.send(_followup(1, "Kak, ada promo", topic=None))
    wa.relay.send(_followup(9, "Kak, ada promo buat kakak"))
    _at_wib(wa, 22)
    wa.relay.send(_followup(9, "Kak, ada promo malam ini"))  # refused, not held
    assert _sent(wa) == []
    assert len(wa.relay.governor.held) == 0


def test_the_daily_cap_grows_slowly_on_a_new_number(wa: Any) -> None:
    _wrote(wa, *range(1, 11))
    for n in range(1, 4):
        wa.relay.send(_followup(n, f"Kak {n}, stok voucher game baru", topic="game"))
    assert len(_sent(wa)) == 2  # day one: 20 over 14 days starts at 2
    _at_wib(wa, 9, day=1)
    for n in range(3, 8):
        wa.relay.send(_followup(n, f"Kak {n}, voucher game diskon", topic="game"))
    assert len(_sent(wa)) == 2 + 3  # day two: 3
    # Transactional status never counts and is never capped by it.
    wa.relay.send(OutboundMessage(chat=_chat(9), text="Deposit diterima", kind="notification"))
    assert _sent(wa)[-1] == "Deposit diterima"


def test_the_warm_up_schedule() -> None:
    policy = PacingPolicy.from_settings(load_settings())
    assert [policy.daily_cap(d) for d in range(16)] == [
        2,
        3,
        5,
        6,
        8,
        9,
        10,
        12,
        13,
        15,
        16,
        18,
        19,
        20,
        20,
        20,
    ]
    assert PacingPolicy.from_settings(load_settings(wa_proactive_daily_cap=0)).daily_cap(30) == 0


def test_quiet_hours_windows() -> None:
    night = QuietHours.parse("21:00-08:00", "Asia/Jakarta")
    at = datetime(2026, 1, 1, 21, 0, tzinfo=WIB)
    assert night.ends_after(at) == datetime(2026, 1, 2, 8, 0, tzinfo=WIB)
    assert night.ends_after(at.replace(hour=7, minute=59)) == at.replace(hour=8, minute=0)
    assert night.ends_after(at.replace(hour=8)) is None
    assert night.ends_after(at.replace(hour=20, minute=59)) is None
    # In UTC the same window is 14:00-01:00.
    assert night.ends_after(datetime(2026, 1, 1, 14, 30, tzinfo=ZoneInfo("UTC"))) is not None
    lunch = QuietHours.parse("12:00-13:00", "Asia/Makassar")
    assert lunch.ends_after(datetime(2026, 1, 1, 12, 30, tzinfo=ZoneInfo("Asia/Makassar")))
    assert QuietHours.parse("00:00-00:00", "Asia/Jakarta").ends_after(at) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WA_QUIET_HOURS", "25:00-08:00"),
        ("WA_QUIET_HOURS", "21:00"),
        ("WA_TIMEZONE", "Mars/Olympus"),
        ("WA_FOLLOWUPS_PER_TOPIC", "3"),
        ("WA_PROACTIVE_DAILY_CAP", "-1"),
        ("WA_WARMUP_DAYS", "0"),
    ],
)
def test_bad_proactive_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()


def test_the_proactive_settings_are_documented_with_their_defaults() -> None:
    env = (ROOT / ".env.example").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    settings = load_settings()
    for name in (
        "wa_quiet_hours",
        "wa_timezone",
        "wa_followups_per_topic",
        "wa_proactive_daily_cap",
        "wa_warmup_days",
    ):
        default = str(getattr(settings, name))
        assert re.search(rf"^{name.upper()}={re.escape(default)}$", env, re.M), name
        assert re.search(rf"^\| `{name.upper()}` \|.*\| `{re.escape(default)}` \|", readme, re.M)


def test_follow_ups_share_the_proactive_per_minute_cap(wa: Any) -> None:
    wa.relay.governor.policy = PacingPolicy.from_settings(
        load_settings(wa_proactive_daily_cap=200, wa_warmup_days=1)
    )
    _wrote(wa, 1, 2, 3, 4, 5)
    for n in range(1, 6):
        wa.relay.send(_followup(n, f"Kak {n}, paket data favorit kakak lagi promo"))
    times = [t for t, _, _ in wa.client.named("send_message")]
    per_minute = wa.relay.governor.policy.proactive_per_minute
    assert len(times) == 5 == per_minute + 1
    assert times[per_minute] - times[0] >= 60.0
