"""The parser reads targets in any script, never a negative amount, and the deposit method."""

from __future__ import annotations

import pytest

from shared.domain.parser import parse


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        (
            "pulsa tsel 10rb ０８１２３４５６７８９０",
            "topup_create",
            {"brand": "TELKOMSEL", "target": "081234567890", "amount": 10000},
        ),
        ("pulsa 10rb ٠٨١٢٣٤٥٦٧٨٩٠", "topup_create", {"target": "081234567890"}),
        (
            "token 100rb meter ５３１２３４５６７８９０",
            "topup_create",
            {"brand": "PLN", "target": "531234567890"},
        ),
        ("ml 86 12345678 1234", "topup_create", {"target": "123456781234", "product": "86"}),
        ("ff 100 123456789", "topup_create", {"target": "123456789", "product": "100"}),
        ("deposit -50000", "deposit_create", {}),
        ("deposit −50rb", "deposit_create", {}),
        ("deposit 50rb via bca va", "deposit_create", {"amount": 50000, "method": "bca"}),
        ("depo 100k pake dana", "deposit_create", {"amount": 100000, "method": "dana"}),
        ("deposit 50rb lewat ovo", "deposit_create", {"amount": 50000, "method": "ovo"}),
        ("deposit 50k via qris", "deposit_create", {"amount": 50000, "method": "qris"}),
        ("deposit 50rb via jenius", "deposit_create", {"amount": 50000, "method": "jenius"}),
        ("isi saldo dana 50rb", "topup_create", {"brand": "DANA", "amount": 50000}),
    ],
)
def test_the_parser_reads_targets_amounts_and_methods(
    text: str, intent: str, slots: dict[str, object]
) -> None:
    result = parse(text)
    assert result.intent == intent
    for key, value in slots.items():
        assert result.slots.get(key) == value, (key, result.slots)
    if not slots:
        assert "amount" not in result.slots


def test_sending_money_to_a_bank_account_is_a_transfer() -> None:
    result = parse("kirim 100rb ke bri 0123456789012 an Siti")
    assert result.intent == "transfer_create"
    assert result.slots == {
        "bank": "bri",
        "account_no": "0123456789012",
        "account_name": "Siti",
        "amount": 100_000,
    }
    assert parse("kirim pulsa 10rb ke 081234567890").intent == "topup_create"
