"""Who is using the console: one-time links traded for sessions, the cookie, CSRF, headers.

- A link (`/login` on WhatsApp, shared.services.console_login) is opened with a POST from its
  own confirmation page, so a link previewer that fetches it cannot use it up, and the
  `SameSite=Strict` cookie is then set by a same-site request (one set while following a link
  from another site would not be sent on the redirect that follows).
- The cookie holds a random session id signed with a key derived from APP_SECRET; the store
  keeps only the id's hash, the admin's number and the expiry, so logout ends the session for
  good and a forged or stale cookie costs no database call.
- Every state-changing form carries a CSRF token derived from the session id, and POSTs that
  a browser marks as cross-site (Sec-Fetch-Site, Origin) are refused whatever they carry.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer

from shared.log import hash_id
from shared.services.console_login import token_hash
from shared.store import Store
from shared.store_console import LoginRedeemed

log = logging.getLogger(__name__)

COOKIE = "salesbot_console"
SESSION_SECONDS = 12 * 3600

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The login link's token is in the URL: never hand it on to another site. (`no-referrer`
    # would also make browsers send `Origin: null` on our own form posts.)
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass(frozen=True, kw_only=True)
class Admin:
    """The admin behind a request's session."""

    phone: str
    session_id: str
    csrf: str


class Sessions:
    """Opens, reads and ends console sessions for the admins `admins()` names right now."""

    def __init__(
        self,
        store: Store,
        secret: str,
        *,
        admins: Callable[[], frozenset[str]],
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._cookie = URLSafeTimedSerializer(secret, salt="salesbot:console-session")
        self._csrf = Signer(secret, salt="salesbot:console-csrf")
        self._notices = URLSafeTimedSerializer(secret, salt="salesbot:console-notice")
        self._admins = admins
        self._now = now

    def open(self, token: str) -> tuple[LoginRedeemed, str | None]:
        """Trade a link's token for a session: the store's answer and the cookie value."""
        session_id = secrets.token_urlsafe(32)
        result = self._store.console_redeem_login(
            token_hash=token_hash(token),
            session_hash=token_hash(session_id),
            session_seconds=SESSION_SECONDS,
            now=self._now(),
        )
        if result.outcome != "done" or result.phone not in self._admins():
            log.info("console link refused: %s", result.reason or "not an admin any more")
            return result, None
        log.info("console session opened for admin %s", hash_id(result.phone or ""))
        return result, self._cookie.dumps(session_id)

    def admin(self, cookie: str | None) -> Admin | None:
        """The admin of a valid, live session cookie, or None."""
        if not cookie:
            return None
        try:
            session_id = str(self._cookie.loads(cookie, max_age=SESSION_SECONDS))
        except BadSignature:
            return None
        session = self._store.console_session(token_hash(session_id), self._now())
        if session is None or session.phone not in self._admins():
            return None
        return Admin(phone=session.phone, session_id=session_id, csrf=self.csrf_for(session_id))

    def close(self, admin: Admin) -> None:
        """Logout: the session ends in the store, whatever copy of the cookie is left."""
        self._store.console_end_session(token_hash(admin.session_id))
        log.info("console session closed for admin %s", hash_id(admin.phone))

    def csrf_for(self, session_id: str) -> str:
        """The CSRF token of a session (stable for the session's life)."""
        return self._csrf.get_signature(session_id).decode("ascii")

    def csrf_ok(self, admin: Admin, given: str | None) -> bool:
        """Whether a form carried this session's CSRF token."""
        return bool(given) and hmac.compare_digest(admin.csrf.encode(), str(given).encode())

    def notice(self, text: str) -> str:
        """A result message to show after a redirect, signed so nobody can forge one."""
        return self._notices.dumps(text)

    def read_notice(self, signed: str | None) -> str | None:
        """The message of a `notice` made in the last two minutes, else None."""
        if not signed:
            return None
        try:
            return str(self._notices.loads(signed, max_age=120))
        except BadSignature:
            return None


def same_site(headers: Mapping[str, str], host: str, console_url: str) -> bool:
    """False for a request the browser says came from another site (cross-site form posts)."""
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        return False
    origin = headers.get("Origin")
    if origin is None:
        return True
    allowed = {host, urlsplit(console_url).netloc}
    return urlsplit(origin).netloc in allowed
