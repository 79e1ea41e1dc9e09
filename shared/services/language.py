"""The language of the current turn, and the customer's language between turns.

A customer who writes English gets English for the whole turn — questions, cards, receipts —
and for the notifications that follow it (a receipt arriving by webhook); Indonesian stays the
default. The turn's language lives in a context variable set around the dialog (and around a
notification's rendering), so text functions pick their wording without every caller passing
it; the customer's language is remembered in the cache for a day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from shared.domain.language import Language, detect

if TYPE_CHECKING:
    from shared.ports import Cache

REMEMBER_SECONDS = 24 * 3600
_CURRENT: ContextVar[Language] = ContextVar("reply_language", default="id")


def current() -> Language:
    """The language replies are written in right now."""
    return _CURRENT.get()


def english() -> bool:
    """Whether replies are written in English right now."""
    return _CURRENT.get() == "en"


def say(indonesian: str, english_text: str) -> str:
    """The text in the current language."""
    return english_text if english() else indonesian


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Write replies in `language` inside the block."""
    token = _CURRENT.set(language)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _key(customer_id: str) -> str:
    return f"lang:{customer_id}"


def remembered(cache: Cache, customer_id: str) -> Language:
    """The customer's language as last seen (Indonesian when unknown)."""
    return "en" if cache.get(_key(customer_id)) == "en" else "id"


def of_message(cache: Cache, customer_id: str, text: str) -> Language:
    """The language of this message, else the customer's; remembers a change."""
    found = detect(text)
    if found is None:
        return remembered(cache, customer_id)
    if found == "en":
        cache.set(_key(customer_id), "en", ttl_seconds=REMEMBER_SECONDS)
    elif cache.get(_key(customer_id)) is not None:
        cache.delete(_key(customer_id))
    return found
