"""Gemini keys are encrypted before they reach the database and come back intact."""

from __future__ import annotations

import psycopg
import pytest

from shared.adapters.postgres.rpc import PostgresRpc
from shared.crypto import KeyBox
from shared.errors import ConfigError
from shared.store import Store


def test_an_api_key_is_stored_encrypted_and_round_trips(database_url: str) -> None:
    box = KeyBox("app-secret-for-tests")
    plaintext = "gemini-test-key-not-real-0123456789"
    store = Store(PostgresRpc(database_url, max_size=1))
    try:
        added = store.add_api_key(
            ciphertext=box.encrypt(plaintext), fingerprint=box.fingerprint(plaintext)
        )
        with psycopg.connect(database_url) as conn:
            row = conn.execute(
                "SELECT key_ciphertext, key_fingerprint FROM api_keys WHERE id = %s", (added.id,)
            ).fetchone()
        assert row is not None
        ciphertext, fingerprint = row
        assert plaintext not in ciphertext
        assert plaintext not in fingerprint
        stored = next(k for k in store.list_api_keys() if k.id == added.id)
        assert box.decrypt(stored.key_ciphertext) == plaintext
    finally:
        store.close()


def test_another_secret_cannot_read_the_key_and_fingerprints_differ() -> None:
    box, other = KeyBox("secret-one"), KeyBox("secret-two")
    token = box.encrypt("AIza-key")
    with pytest.raises(ConfigError, match="APP_SECRET"):
        other.decrypt(token)
    assert box.fingerprint("AIza-key") == box.fingerprint("AIza-key")
    assert box.fingerprint("AIza-key") != other.fingerprint("AIza-key")
    assert box.encrypt("AIza-key") != token  # fresh IV every time
