"""One-time links into the owner's web console, asked for on WhatsApp with `/login`.

A link carries a random token; the store keeps only its SHA-256 hash, the admin's number and an
expiry a few minutes away. Opening the link (shared/webconsole) trades it, once, for a session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from shared.store import Store

LINK_TTL_SECONDS = 300
LINK_PATH = "/login/"


def token_hash(token: str) -> str:
    """What the store keeps of a link or session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_login_link(store: Store, *, phone: str, base_url: str, now: datetime) -> str:
    """A new one-time console link for the admin `phone` (62… digits)."""
    token = secrets.token_urlsafe(32)
    store.console_create_login(
        token_hash=token_hash(token), phone=phone, ttl_seconds=LINK_TTL_SECONDS, now=now
    )
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


def login_message(link: str) -> str:
    """The WhatsApp reply that carries the link."""
    minutes = LINK_TTL_SECONDS // 60
    return (
        f"🔐 Link masuk konsol toko (sekali pakai, berlaku {minutes} menit):\n{link}\n\n"
        "Jangan teruskan link ini ke siapa pun."
    )
