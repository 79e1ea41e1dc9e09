"""A deterministic, realistic Atlantic price list for the sandbox, tests and benchmarks.

`prepaid_items()` returns items shaped exactly like `/layanan/price_list?type=prabayar` entries
(every value a string, price a digit string); `postpaid_items()` the `pascabayar` list, whose
`price` is the admin fee. The same call always returns the same list: prices and the few `empty`
items are derived from a CRC of the product code, never from `random` or the clock.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

from shared.sandbox import catalog_data as data

Item = dict[str, str]

IMG_BASE = "https://atlantich2h.com/assets/images/layanan/"

# Extra product lines used only when a benchmark asks for more items than the base catalogue.
_VARIANTS = (
    "Promo", "Flash Sale", "Spesial", "Hemat", "Plus", "Extra", "Lite", "Max", "Bundling",
    "Kilat", "Reguler", "Premium",
)  # fmt: skip


def _crc(code: str) -> int:
    return zlib.crc32(code.encode())


def _rupiah(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _slug(provider: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", provider.lower()).strip("-")


def _item(  # noqa: PLR0917 -- one positional argument per price-list column
    code: str, name: str, category: str, type_: str, provider: str, price: int, note: str
) -> Item:
    return {
        "code": code,
        "name": name,
        "category": category,
        "type": type_,
        "provider": provider,
        "price": str(max(price, 1)),
        "note": note,
        # A few sold-out items, never PLN tokens (the demo's most common purchase).
        "status": "empty" if _crc(code) % 41 == 7 and category != "PLN" else "available",
        "img_url": f"{IMG_BASE}{_slug(provider)}.png",
    }


def _phone_items() -> Iterator[Item]:
    for provider, prefix in data.OPERATORS.items():
        title = data.OPERATOR_TITLES[provider]
        note = f"masukkan nomor HP {title} tujuan"
        for nominal in data.PULSA_NOMINALS:
            code = f"{prefix}{nominal // 1000}"
            price = nominal + 150 + _crc(code) % 1_350 + nominal // 200
            name = f"{title} {_rupiah(nominal)}"
            yield _item(code, name, "Pulsa Reguler", "Umum", provider, price, note)
        for nominal in data.TRANSFER_NOMINALS:
            code = f"{prefix}TF{nominal // 1000}"
            name = f"{title} Pulsa Transfer {_rupiah(nominal)}"
            price = nominal * 94 // 100
            yield _item(code, name, "Pulsa Transfer", "Pulsa Transfer", provider, price, note)
        for q_index, quota in enumerate(data.DATA_QUOTAS):
            gigabytes = 0.5 if quota.endswith("MB") else float(quota.split()[0])
            for days in data.DATA_VALIDITY_DAYS:
                code = f"{prefix}D{q_index}{days}"
                per_gb = {1: 2_500, 3: 3_200, 7: 4_000, 14: 4_600, 30: 5_200}[days]
                price = int(gigabytes * per_gb) + 1_000 + _crc(code) % 2_000
                name = f"{title} Data {quota} / {days} Hari"
                yield _item(code, name, "Data", "Data Internet", provider, price, note)
        for x_index, (type_, label, base) in enumerate(data.DATA_EXTRAS):
            code = f"{prefix}P{x_index}"
            price = base + _crc(code) % 1_000
            yield _item(code, f"{title} {label}", "Data", type_, provider, price, note)
        for nominal in (5_000, 10_000, 25_000):
            code = f"{prefix}VD{nominal // 1000}"
            name = f"Voucher {title} Data {nominal // 5000} GB"
            yield _item(code, name, "Voucher", "Voucher", provider, nominal + 500, note)


def _emoney_items() -> Iterator[Item]:
    for e_index, provider in enumerate(data.EMONEY):
        prefix = re.sub(r"[^A-Z]", "", provider.upper())[:5] + f"E{e_index}"
        note = f"masukkan nomor HP yang terdaftar di {provider}"
        for nominal in data.EMONEY_NOMINALS:
            code = f"{prefix}{nominal // 1000}"
            price = nominal + 900 + _crc(code) % 600
            name = f"{provider} {_rupiah(nominal)}"
            yield _item(code, name, "E-Money", "Umum", provider, price, note)


def _pln_items() -> Iterator[Item]:
    note = "masukkan nomor meter/id pelanggan"
    for nominal in data.PLN_NOMINALS:
        code = f"PLN{nominal // 1000}"
        price = nominal + 100 + _crc(code) % 51
        yield _item(code, f"PLN {_rupiah(nominal)}", "PLN", "Umum", "PLN", price, note)


def _game_code(provider: str) -> str:
    if provider.startswith("MOBILE LEGENDS"):
        return "ML" if provider == "MOBILE LEGENDS" else "MLG"
    if provider == "FREE FIRE":
        return "FF"
    words = re.findall(r"[A-Za-z0-9]+", provider)
    return "".join(w[0] for w in words).upper()[:4] + "G"


def _game_items() -> Iterator[Item]:
    for provider, (prefix, unit, rate, denoms) in data.GAMES_DETAILED.items():
        note = (
            "masukkan ID + Zone ID, contoh 12345678(1234)"
            if provider.startswith("MOBILE LEGENDS")
            else f"masukkan ID player {provider}"
        )
        code_prefix = _game_code(provider)
        for amount in denoms:
            code = f"{code_prefix}{amount}"
            price = int(amount * rate * (0.97 + (_crc(code) % 7) / 100))
            name = f"{prefix} - {amount} {unit}"
            yield _item(code, name, "Games", "Umum", provider, price, note)
    yield _item(
        "MLWDP", "MOBILELEGEND - Weekly Diamond Pass", "Games", "Membership", "MOBILE LEGENDS",
        27_500, "masukkan ID + Zone ID, contoh 12345678(1234)",
    )  # fmt: skip
    yield _item(
        "FFMM", "FREE FIRE - Member Mingguan", "Games", "Membership", "FREE FIRE", 28_000,
        "masukkan ID player FREE FIRE",
    )  # fmt: skip
    yield _item(
        "HOKW", "Honor of Kings Weekly Card", "Games", "Membership", "Honor of Kings", 12_325,
        "Honor of Kings Weekly Card",
    )  # fmt: skip
    for g_index, provider in enumerate(data.GAMES_GENERIC):
        unit = data.GENERIC_UNITS[g_index % len(data.GENERIC_UNITS)]
        code_prefix = f"{_game_code(provider)}{g_index}"
        note = f"masukkan ID player {provider}"
        for d_index, amount in enumerate(data.GENERIC_DENOMS):
            code = f"{code_prefix}X{d_index}"
            price = int(amount * 250 * (0.95 + (_crc(code) % 11) / 100))
            name = f"{provider} - {amount} {unit}"
            yield _item(code, name, "Games", "Umum", provider, price, note)


def _streaming_items() -> Iterator[Item]:
    for s_index, (provider, (category, plans)) in enumerate(data.STREAMING.items()):
        prefix = re.sub(r"[^A-Z]", "", provider.upper())[:4] + f"S{s_index}"
        note = "akun/kode dikirim lewat SN, masukkan nomor HP atau email"
        for p_index, (label, base) in enumerate(plans):
            code = f"{prefix}{p_index}"
            price = base + _crc(code) % 2_500
            yield _item(code, f"{provider} {label}", category, "Membership", provider, price, note)


def _voucher_items() -> Iterator[Item]:
    for v_index, (provider, nominals) in enumerate(data.VOUCHERS.items()):
        dollars = provider.endswith("US REGION")
        for nominal in nominals:
            code = f"VC{v_index}{nominal}"
            face = nominal * 16_400 if dollars else nominal
            label = f"${nominal}" if dollars else _rupiah(nominal)
            price = face + face // 50 + _crc(code) % 500
            note = "kode voucher dikirim lewat SN, isi dengan nomor HP kamu"
            yield _item(code, f"{provider} {label}", "Voucher", "Voucher", provider, price, note)


def _base_items() -> list[Item]:
    return [
        *_phone_items(),
        *_emoney_items(),
        *_pln_items(),
        *_game_items(),
        *_streaming_items(),
        *_voucher_items(),
    ]


def _variants(base: list[Item], count: int) -> Iterator[Item]:
    """Deterministic extra items (named promo lines of real products) for big benchmarks."""
    for n in range(count):
        source = base[n % len(base)]
        round_ = n // len(base)
        label = _VARIANTS[round_ % len(_VARIANTS)]
        code = f"{source['code']}V{round_ + 1}"
        price = int(source["price"]) * (90 + _crc(code) % 25) // 100
        yield _item(
            code,
            f"{source['name']} {label}" + (f" {round_ // len(_VARIANTS) + 1}" if round_ else ""),
            source["category"],
            source["type"],
            source["provider"],
            price,
            source["note"],
        )


def prepaid_items(size: int | None = None) -> list[Item]:
    """The prepaid price list: about 1,600 items, or exactly `size` items when given.

    A smaller `size` keeps an even spread over every category; a larger one adds promo lines
    of the real products, for search benchmarks at 10,000+ items.
    """
    base = _base_items()
    if size is None or size == len(base):
        return base
    if size <= 0:
        return []
    if size < len(base):
        return [base[i * len(base) // size] for i in range(size)]
    return base + list(_variants(base, size - len(base)))


def postpaid_items() -> list[Item]:
    """The postpaid (pascabayar) price list; `price` holds the admin fee."""
    return [
        {
            "code": code,
            "name": name,
            "category": category,
            "type": "Pascabayar",
            "provider": provider,
            "price": str(admin),
            "note": "masukkan nomor pelanggan/id tagihan",
            "status": "available",
            "img_url": f"{IMG_BASE}{_slug(provider)}.png",
        }
        for code, name, category, provider, admin in data.POSTPAID
    ]
