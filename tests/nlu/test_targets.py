"""Targets: the operator of every mobile prefix, number normalisation, PLN and game ids."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from shared.domain.targets import (
    ascii_digits,
    extract_identifiers,
    needs_zone,
    normalise_phone,
    operator_named,
    operator_of,
    pln_number_ok,
)
from shared.sandbox import catalog_data

# The ranges of issue 13, checked against libphonenumber's carrier data (see targets.json).
RANGES: dict[str, list[str]] = {
    "TELKOMSEL": ["0811", "0812", "0813", "0821", "0822", "0823", "0851", "0852", "0853"],
    "INDOSAT": ["0814", "0815", "0816", "0855", "0856", "0857", "0858"],
    "XL": ["0817", "0818", "0819", "0859", "0877", "0878", "0879"],
    "AXIS": ["0831", "0832", "0833", "0838"],
    "TRI": ["0895", "0896", "0897", "0898", "0899"],
    "SMARTFREN": ["0881", "0882", "0883", "0884", "0885", "0886", "0887", "0888", "0889"],
}
OUTSIDE = ["0810", "0820", "0824", "0830", "0834", "0837", "0850", "0854", "0860", "0876"]
OUTSIDE += ["0880", "0890", "0894", "0800", "0870"]


@pytest.mark.parametrize(
    ("prefix", "operator"), [(p, op) for op, prefixes in RANGES.items() for p in prefixes]
)
def test_every_prefix_names_its_operator(prefix: str, operator: str) -> None:
    for number in (
        f"{prefix}123456",
        f"{prefix}1234567",
        f"{prefix}12345678",
        f"{prefix}123456789",
    ):
        found = operator_of(number)
        assert found is not None, number
        assert found.name == operator


@pytest.mark.parametrize("prefix", OUTSIDE)
def test_numbers_outside_every_range_have_no_operator(prefix: str) -> None:
    assert operator_of(f"{prefix}12345678") is None


def test_the_table_holds_exactly_the_ranges_and_cites_a_source_for_each() -> None:
    raw = json.loads(
        resources.files("shared.domain").joinpath("data/targets.json").read_text("utf-8")
    )
    sources = set(raw["sources"])
    table = raw["mobile"]["operators"]
    assert {op: sorted(entry["prefixes"]) for op, entry in table.items()} == {
        op: sorted(prefixes) for op, prefixes in RANGES.items()
    }
    for entry in table.values():
        for cited in entry["prefixes"].values():
            assert {s.strip() for s in cited.split(",")} <= sources


def test_every_phone_provider_of_the_catalogue_belongs_to_one_operator() -> None:
    for provider in catalog_data.OPERATORS:
        operator = operator_named(provider)
        assert operator is not None, provider
    assert operator_named("by.U") == operator_of("085112345678")
    assert operator_named("AXIS") != operator_named("XL")
    assert operator_named("DANA") is None


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("081234567890", "081234567890"),
        ("+62 812-3456-7890", "081234567890"),
        ("62812 3456 7890", "081234567890"),
        ("0812.3456.789", "08123456789"),
        ("0812345678", "0812345678"),
        ("０８１２３４５６７８９０", "081234567890"),
        ("٠٨١٢٣٤٥٦٧٨٩٠", "081234567890"),
        ("0812345678901", "0812345678901"),
        ("62812345", None),
        ("081234567", None),
        ("08123456789012", None),
        ("08123456789012345", None),
        ("021 555 1234", None),
    ],
)
def test_mobile_numbers_are_ten_to_thirteen_digits_from_08(raw: str, phone: str | None) -> None:
    assert normalise_phone(raw) == phone


def test_a_phone_followed_by_an_amount_is_still_the_phone() -> None:
    found = extract_identifiers("tolong pulsain 0877 1234 5678 25rb")
    assert found.phones == ["087712345678"]
    assert "25rb" in found.masked


def test_digits_of_any_script_become_ascii_in_place() -> None:
    text = "pulsa ０８１２ ٠٨١٢ ०८१२ 0812"
    assert ascii_digits(text) == "pulsa 0812 0812 0812 0812"
    assert len(ascii_digits(text)) == len(text)


def test_pln_takes_an_eleven_digit_meter_or_a_twelve_digit_customer_id() -> None:
    assert pln_number_ok("12345678901")
    assert pln_number_ok("531234567890")
    assert not pln_number_ok("1234567890")
    assert not pln_number_ok("1234567890123")


def test_a_zone_is_read_from_a_space_only_for_a_zone_game() -> None:
    assert needs_zone("MOBILE LEGENDS")
    assert not needs_zone("FREE FIRE")
    assert extract_identifiers("ml 86 12345678 1234", zones=True).game_ids == ["123456781234"]
    assert extract_identifiers("ml 86 12345678 1234").game_ids == []
    assert extract_identifiers("ml 86 12345678 (1234)").game_ids == ["123456781234"]
