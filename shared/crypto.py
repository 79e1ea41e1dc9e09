"""Encryption at rest for Gemini API keys (Fernet), keyed from APP_SECRET.

Two independent keys are derived from the one secret with HKDF: one encrypts, the other makes a
keyed fingerprint so a duplicate key is recognised without storing anything that reveals it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.errors import ConfigError


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode("utf-8")
    )


class KeyBox:
    """Encrypts, decrypts and fingerprints API keys with keys derived from one app secret."""

    def __init__(self, app_secret: str) -> None:
        if not app_secret:
            raise ConfigError("APP_SECRET is empty")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(app_secret, b"salesbot:api-key")))
        self._mac_key = _derive(app_secret, b"salesbot:api-key-fingerprint")

    def encrypt(self, plaintext: str) -> str:
        """A Fernet token (URL-safe text) for the key."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """The key back.

        Raises:
            ConfigError: the token was made with another APP_SECRET or is damaged.
        """
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise ConfigError(
                "a stored API key cannot be decrypted: APP_SECRET differs from the one that "
                "encrypted it"
            ) from exc

    def fingerprint(self, plaintext: str) -> str:
        """A keyed hash identifying the key (stable for one APP_SECRET)."""
        return hmac.new(self._mac_key, plaintext.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
