"""Conversation memory for the model: recent turns verbatim, older ones as a rolling summary.

Built from the message log (what the customer and the bot said, oldest first) within a size
budget in characters, which keeps the request body of a typical turn small (bench:
`bench/bench_gemini_body.py`). The newest turns are kept whole while they fit; what is older is
folded into a short summary of the customer's earlier requests that rides in the system prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from google.genai import types

HISTORY_BUDGET_CHARS = 1_500
SUMMARY_BUDGET_CHARS = 300
_SNIPPET_CHARS = 60


@dataclass(frozen=True, kw_only=True)
class LoggedMessage:
    """One line of the message log: who said it and the text (a transcript for voice notes)."""

    role: Literal["customer", "bot"]
    text: str


@dataclass(frozen=True, kw_only=True)
class Memory:
    """What goes into the request: recent turns as contents, and the summary of the rest."""

    recent: list[LoggedMessage]
    summary: str | None


def recall(
    log: Sequence[LoggedMessage],
    *,
    budget_chars: int = HISTORY_BUDGET_CHARS,
    summary: str | None = None,
) -> Memory:
    """Split the log into recent turns within `budget_chars` and a summary of older ones.

    Args:
        log: the conversation so far, oldest first, without the current message.
        budget_chars: how many characters of recent turns to send verbatim.
        summary: a summary kept from earlier turns, extended with what falls out now.
    """
    kept: list[LoggedMessage] = []
    used = 0
    cut = len(log)
    for index in range(len(log) - 1, -1, -1):
        size = len(log[index].text)
        if used + size > budget_chars:
            break
        kept.append(log[index])
        used += size
        cut = index
    kept.reverse()
    while kept and kept[0].role == "bot":  # Gemini expects the conversation to open with user
        kept.pop(0)
    older = [m.text for m in log[:cut] if m.role == "customer"]
    return Memory(recent=kept, summary=_fold(summary, older))


def _fold(summary: str | None, older: list[str]) -> str | None:
    snippets = [" ".join(t.split())[:_SNIPPET_CHARS] for t in older if t.strip()]
    text = "; ".join([s for s in [summary, *snippets] if s])
    if not text:
        return None
    # Keep the most recent part of the summary when it outgrows its budget.
    return text if len(text) <= SUMMARY_BUDGET_CHARS else "…" + text[-SUMMARY_BUDGET_CHARS:]


def to_contents(recent: Sequence[LoggedMessage]) -> list[types.Content]:
    """The recent turns as google-genai contents, consecutive same-role lines merged."""
    from google.genai import types  # noqa: PLC0415

    contents: list[types.Content] = []
    for message in recent:
        role = "user" if message.role == "customer" else "model"
        part = types.Part.from_text(text=message.text)
        if contents and contents[-1].role == role:
            (contents[-1].parts or []).append(part)
        else:
            contents.append(types.Content(role=role, parts=[part]))
    return contents
