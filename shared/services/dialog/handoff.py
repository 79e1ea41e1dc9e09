"""A person takes over: when asked, after repeated anger, or after three misunderstandings.

The customer is told a person will reply, the owner gets an alert with the chat's last lines,
and the bot stays quiet in that chat exactly as when the owner types there
(`shared.services.takeover`, TAKEOVER_MINUTES). Counters of misunderstandings, anger and
complaints live in the cache for a few minutes per customer.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from shared.log import hash_id
from shared.services import replies
from shared.services.dialog.turn import Turn
from shared.services.takeover import pause

log = logging.getLogger(__name__)

UNKNOWN_LIMIT = 3
ANGER_LIMIT = 2
WINDOW_SECONDS = 10 * 60
UNKNOWN_WINDOW_SECONDS = 30 * 60
ALERT_LINES = 8
LINE_CHARS = 160


def hand_off(turn: Turn, why: str) -> None:
    """Tell the customer a person comes, alert the owner, and pause the bot in this chat."""
    components = turn.components
    minutes = components.settings.takeover_minutes
    alert = replies.owner_handoff_alert(
        who=_who(turn), why=why, minutes=minutes, lines=_last_lines(turn)
    )
    components.notifier.to_owner(alert)
    pause(components, turn.customer_id, turn.now + timedelta(minutes=minutes))
    _forget(turn)
    log.info("chat %s handed to a person: %s", hash_id(turn.customer_id), why)
    turn.say(replies.handing_off())


def note_unknown(turn: Turn) -> bool:
    """Count a message the bot could not read; True when it is the third in a row."""
    count = turn.components.cache.incr(_key("unknown", turn), ttl_seconds=UNKNOWN_WINDOW_SECONDS)
    return count >= UNKNOWN_LIMIT


def understood(turn: Turn) -> None:
    """A message was understood: the misunderstandings in a row start again from zero."""
    turn.components.cache.delete(_key("unknown", turn))


def note_anger(turn: Turn) -> bool:
    """Count an angry message; True when it is the second sign of upset within a few minutes.

    A complaint a moment before counts: "kok belum masuk?" then "parah" is one upset customer.
    """
    cache = turn.components.cache
    count = cache.incr(_key("anger", turn), ttl_seconds=WINDOW_SECONDS)
    complaints = int(cache.get(_key("complaint", turn)) or 0)
    return count + complaints >= ANGER_LIMIT


def note_complaint(turn: Turn) -> bool:
    """Count a complaint; True when another one came within the last few minutes."""
    count = turn.components.cache.incr(_key("complaint", turn), ttl_seconds=WINDOW_SECONDS)
    return count >= 2  # noqa: PLR2004 -- the second complaint offers a person


def _key(kind: str, turn: Turn) -> str:
    return f"{kind}:{turn.customer_id}"


def _forget(turn: Turn) -> None:
    for kind in ("unknown", "anger", "complaint"):
        turn.components.cache.delete(_key(kind, turn))


def _who(turn: Turn) -> str:
    phone = turn.message.sender_phone or ""
    shown = "0" + phone[2:] if phone.startswith("62") else phone
    name = turn.message.push_name
    return f"{shown} ({name})" if name and shown else shown or name or "pelanggan"


def _last_lines(turn: Turn) -> list[str]:
    """The chat's last lines, oldest first, as the owner reads them."""
    rows = turn.components.store.recent_messages(turn.customer_id, ALERT_LINES)
    lines = []
    for row in rows:
        text = " ".join((row.content_text or f"[{row.type}]").split())
        mark = "👤" if row.direction == "inbound" else "🤖"
        lines.append(f"{mark} {text[:LINE_CHARS]}")
    if not any(turn.text in line for line in lines):
        lines.append(f"👤 {turn.text[:LINE_CHARS]}")
    return lines
