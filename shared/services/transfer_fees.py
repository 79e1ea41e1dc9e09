"""The supplier's transfer fee, as the supplier itself last charged it.

Atlantic has no endpoint that quotes a transfer fee before the transfer: the fee only appears
in the answer to `/transfer/create` (`fee`, `total = nominal + fee`; flat Rp 2,000 in every
documented example). So a transfer quote uses the fee the supplier charged on the last transfer
to that bank (else to any bank, else the documented Rp 2,000), and every create answer is
compared with what the customer was quoted: a different fee is remembered for the next quote,
and a higher one is reported to the owner (the customer pays what they confirmed; the shop
covers the difference).
"""

from __future__ import annotations

import logging

from shared.services.notifications import Notification
from shared.wiring import Components

log = logging.getLogger(__name__)

SETTING_KEY = "transfer_fees"
DOCUMENTED_FEE = 2_000
_ANY = "*"


def _fees(components: Components) -> dict[str, int]:
    raw = components.store.get_setting(SETTING_KEY)
    if not isinstance(raw, dict):
        return {}
    return {str(k): int(v) for k, v in raw.items() if isinstance(v, int) and v >= 0}


def fee_for(components: Components, bank_code: str) -> int:
    """The fee to quote for a transfer to `bank_code`."""
    fees = _fees(components)
    return fees.get(bank_code.lower(), fees.get(_ANY, DOCUMENTED_FEE))


def observe(
    components: Components,
    *,
    bank_code: str,
    quoted_fee: int,
    fee: int,
    total: int | None,
    nominal: int,
    reff_id: str,
) -> None:
    """Compare the supplier's answer with the quote; remember a new fee, alert a higher one."""
    charged = total - nominal if total is not None and total > nominal else fee
    if charged == quoted_fee:
        return
    fees = _fees(components)
    fees[bank_code.lower()] = charged
    fees[_ANY] = charged
    components.store.set_setting(SETTING_KEY, fees)
    log.warning("transfer fee changed: quoted %s, charged %s", quoted_fee, charged)
    if charged > quoted_fee:
        components.notifier.notify(
            Notification(
                kind="owner_alert",
                reff_id=reff_id,
                reason=(
                    f"Biaya transfer supplier naik: dikutip Rp {quoted_fee:,} ke pelanggan, "
                    f"supplier memotong Rp {charged:,}. Selisihnya ditanggung toko; kutipan "
                    "berikutnya memakai biaya baru."
                ).replace(",", "."),
            )
        )
