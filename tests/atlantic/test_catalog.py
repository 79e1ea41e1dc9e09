"""The sandbox catalogue: realistic, deterministic, shaped like the real price list."""

from __future__ import annotations

from collections import Counter

from shared.sandbox.catalog import postpaid_items, prepaid_items

FIELDS = {"code", "name", "category", "type", "provider", "price", "note", "status", "img_url"}


def test_default_catalogue_is_large_unique_and_price_list_shaped() -> None:
    items = prepaid_items()
    assert len(items) >= 1_500
    assert len({i["code"] for i in items}) == len(items)
    for item in items:
        assert set(item) == FIELDS
        assert all(isinstance(v, str) for v in item.values())
        assert item["price"].isdigit()
        assert int(item["price"]) > 0
        assert item["status"] in {"available", "empty"}


def test_catalogue_is_deterministic_and_has_a_few_empty_items() -> None:
    assert prepaid_items() == prepaid_items()
    empty = sum(i["status"] == "empty" for i in prepaid_items())
    assert 5 <= empty <= 100


def test_every_operator_sells_pulsa_and_data() -> None:
    items = prepaid_items()
    for operator in ("TELKOMSEL", "INDOSAT", "XL", "AXIS", "TRI", "SMARTFREN", "by.U"):
        mine = [i for i in items if i["provider"] == operator]
        assert any(i["category"] == "Pulsa Reguler" for i in mine), operator
        assert any(i["type"] == "Data Internet" for i in mine), operator


def test_real_names_and_denominations_are_present() -> None:
    by_name = {i["name"]: i for i in prepaid_items()}
    assert by_name["MOBILELEGEND - 86 Diamond"]["provider"] == "MOBILE LEGENDS"
    assert by_name["FREE FIRE - 70 Diamond"]["category"] == "Games"
    assert "Netflix Mingguan" in by_name
    assert "SPOTIFY 1 Bulan" in by_name
    assert "Viu 1 Bulan" in by_name
    pln = [i for i in prepaid_items() if i["category"] == "PLN"]
    assert {i["name"] for i in pln} >= {"PLN 20.000", "PLN 1.000.000"}
    # PLN tokens cost slightly above face value, like the official PLN100 example.
    assert all(100 <= int(i["price"]) - int(i["name"][4:].replace(".", "")) <= 150 for i in pln)
    providers = Counter(i["provider"] for i in prepaid_items())
    for name in ("DANA", "GOPAY", "OVO", "i.saku", "GOOGLE PLAY US REGION", "canva", "DUOLINGGO"):
        assert providers[name] > 0, name


def test_size_gives_exactly_that_many_unique_items() -> None:
    big = prepaid_items(10_000)
    assert len(big) == 10_000
    assert len({i["code"] for i in big}) == 10_000
    small = prepaid_items(50)
    assert len(small) == 50
    assert len({i["category"] for i in small}) >= 5


def test_postpaid_list_has_the_official_codes() -> None:
    codes = {i["code"]: i for i in postpaid_items()}
    assert {"PPLN", "BPJS", "PINT1", "HP1", "HP3"} <= set(codes)
    assert codes["HP3"]["name"] == "Smartfren Postpaid"
    assert all(i["price"].isdigit() for i in codes.values())
