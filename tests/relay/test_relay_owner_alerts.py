"""Owner and admin chats are never "cold": their alerts always pass the governor (item 9).

The cold-chat rule refuses sends to chats that never wrote first (whatsapp.md §1.3). Owner alerts
go to OWNER_NUMBER and the ADMIN_NUMBERS by phone JID, whether or not that chat wrote lately, and
whether the owner writes from a phone chat or from a LID chat.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakes.memory_cache import MemoryCache
from fakes.neonize_client import FakeClient, FakeClock, message_event
from neonize.events import ConnectedEv  # noqa: TID251
from neonize.proto import Neonize_pb2 as N  # noqa: TID251
from relay.conftest import RecordingBus

from shared.adapters.storage.local import LocalMediaStore
from shared.adapters.whatsapp.relay import Relay
from shared.config import load_settings
from shared.messages import OutboundMessage

OWNER = "62811222333"
ADMIN = "628111000111"


def _relay(tmp_path: Path) -> tuple[Relay, FakeClient]:
    clock = FakeClock()
    client = FakeClient(clock=clock)
    relay = Relay(
        client,
        bus=RecordingBus(),
        media=LocalMediaStore(tmp_path / "media", ttl_seconds=3600),
        settings=load_settings(admin_numbers=f"0{ADMIN[2:]}", owner_number=f"0{OWNER[2:]}"),
        clock=clock,
        cache=MemoryCache(clock),
    )
    relay.attach()
    client.dispatch(ConnectedEv())
    return relay, client


def _sent_to(client: FakeClient) -> list[str]:
    return [f"{args[0].User}@{args[0].Server}" for _, args, _ in client.named("send_message")]


def test_owner_alerts_reach_chats_that_never_wrote(tmp_path: Path) -> None:
    relay, client = _relay(tmp_path)
    for number in (OWNER, ADMIN):
        relay.send(
            OutboundMessage(
                chat=f"{number}@s.whatsapp.net", text="⚠️ supplier down", kind="notification"
            )
        )
    relay.send(
        OutboundMessage(chat="6289999999999@s.whatsapp.net", text="Promo!", kind="notification")
    )
    assert _sent_to(client) == [f"{OWNER}@s.whatsapp.net", f"{ADMIN}@s.whatsapp.net"]


def test_an_admin_writing_from_a_lid_chat_still_gets_alerts_by_phone(tmp_path: Path) -> None:
    relay, client = _relay(tmp_path)
    lid = N.JID(User="99887766554433", Server="lid")
    client.dispatch(
        message_event(
            msg_id="ADM1",
            chat=lid,
            sender=lid,
            sender_alt=N.JID(User=ADMIN, Server="s.whatsapp.net"),
            text="/saldo",
        )
    )
    relay.send(
        OutboundMessage(chat=f"{ADMIN}@s.whatsapp.net", text="⚠️ pending", kind="notification")
    )
    relay.send(OutboundMessage(chat="99887766554433@lid", text="Saldo supplier: Rp 1"))
    assert _sent_to(client) == [f"{ADMIN}@s.whatsapp.net", "99887766554433@lid"]


def test_the_exemption_is_only_for_owner_and_admins(wa: Any) -> None:
    wa.relay.send(OutboundMessage(chat=f"{ADMIN}@s.whatsapp.net", text="x", kind="notification"))
    assert wa.client.named("send_message") == []  # no ADMIN_NUMBERS in this relay's settings
