"""Money as Indonesians write it becomes integer rupiah; phone numbers and ids never do."""

from __future__ import annotations

import pytest

from shared.domain.money_text import find_amounts, format_rupiah, parse_amount


@pytest.mark.parametrize(
    ("text", "rupiah"),
    [
        ("5000", 5_000),
        ("5.000", 5_000),
        ("Rp5.000", 5_000),
        ("Rp 5.000,-", 5_000),
        ("Rp. 25.000", 25_000),
        ("10.000,00", 10_000),
        ("5rb", 5_000),
        ("5 ribu", 5_000),
        ("50 rebu", 50_000),
        ("5k", 5_000),
        ("5K", 5_000),
        ("1,5jt", 1_500_000),
        ("1.5 juta", 1_500_000),
        ("2,5 jt", 2_500_000),
        ("1.500.000", 1_500_000),
        ("Rp 1500000", 1_500_000),
        ("sejuta", 1_000_000),
        ("setengah juta", 500_000),
        ("seribu", 1_000),
        ("goceng", 5_000),
        ("ceban", 10_000),
        ("2 ceban", 20_000),
        ("gocap", 50_000),
        ("goban", 50_000),
        ("lima ribu", 5_000),
        ("sepuluh ribu", 10_000),
        ("lima belas ribu", 15_000),
        ("dua puluh lima ribu", 25_000),
        ("seratus ribu", 100_000),
        ("seratus lima puluh ribu", 150_000),
        ("tiga juta", 3_000_000),
        ("20an", 20_000),
    ],
)
def test_every_common_way_of_writing_money_is_read(text: str, rupiah: int) -> None:
    assert parse_amount(text) == rupiah


@pytest.mark.parametrize("text", ["081234567890", "123456789", "1.5", "86", "beli 5k", "", "abc"])
def test_what_is_not_exactly_one_written_amount_is_none(text: str) -> None:
    assert parse_amount(text) is None


def test_amounts_are_found_with_their_positions_and_units_glued_to_sizes_are_not_money() -> None:
    text = "kuota 10gb sama pulsa 10rb, budget Rp 50.000"
    found = find_amounts(text)
    assert [a.value for a in found] == [10_000, 50_000]
    assert text[found[0].start : found[0].end] == "10rb"


def test_a_bare_small_number_is_reported_without_a_unit() -> None:
    (only,) = find_amounts("ml 86")
    assert (only.value, only.has_unit) == (86, False)


def test_rupiah_are_written_with_dots() -> None:
    assert format_rupiah(10_500) == "Rp 10.500"
    assert format_rupiah(1_000_000) == "Rp 1.000.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(-500) == "-Rp 500"


@pytest.mark.parametrize(
    ("text", "rupiah"),
    [
        ("Rp 123.456.789", 123_456_789),
        ("Rp 150000000", 150_000_000),
        ("3 goceng", 15_000),
        ("sebelas ribu", 11_000),
        ("dua ratus lima puluh ribu", 250_000),
    ],
)
def test_larger_and_composed_amounts(text: str, rupiah: int) -> None:
    assert parse_amount(text) == rupiah


@pytest.mark.parametrize(
    "text", ["1.000an", "1,5 ceban", "satu dua ribu", "lima lima ribu", "0", "2.5", "1.000,5"]
)
def test_implausible_readings_are_not_amounts(text: str) -> None:
    assert parse_amount(text) is None
