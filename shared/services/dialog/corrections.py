"""A message that changes the open quote: drop that quote and show a new card with the change.

While a quote is open, `salah nomor, ke 0813… aja`, `ganti 50rb aja`, `yg 20rb aja`,
`ke nomor ini aja 0813…`, `ya tapi ke 0813…` or `pake dana aja` change its target, amount,
operator or deposit method. `read` finds such a change in a message (no I/O); `correct` cancels
the open quote and runs the same request again with the change, so the customer sees a new card
and YA confirms that one (a `ya` that carries a change is a change, not a confirmation). A
message that is a whole new request of its own (another product, a transfer, a deposit) is
not a change: the rules tier answers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.domain.aliases import aliases, words
from shared.domain.money_text import find_amounts
from shared.domain.parser import parse
from shared.domain.targets import ascii_digits, extract_identifiers, operator_named
from shared.errors import SalesbotError, SupplierError
from shared.services import receipts, replies
from shared.services.dialog import (
    bills,
    deposits,
    payment_methods,
    products,
    target_check,
    topup,
    transfers,
)
from shared.services.dialog.state import DialogState, SlotValue
from shared.services.dialog.turn import Turn
from shared.services.language import say
from shared.store_models import Quote


def _changed() -> str:
    return say("Siap kak, aku ganti ya 👇", "Sure, changed 👇")


# Intents that are a request of their own, never a change to the open quote.
_OWN_REQUESTS = {
    "transfer_create",
    "transfer_check",
    "deposit_create",
    "deposit_status",
    "bill_check",
    "bill_pay",
    "budget_filter",
    "order_status",
    "history",
    "balance",
    "help",
    "confirm",
    "cancel",
}
_VIA = frozenset({"via", "pake", "pakai", "pakek", "lewat", "lwt", "bayar", "pakainya", "pakenya"})
# "yg 20 aja": a bare number this small is a denomination in thousands (or a game's count),
# but only with a word that says it replaces something ("2" alone is no change).
_CUES = frozenset({"yg", "yang", "aja", "saja", "ganti", "jadi", "deh", "ubah", "eh", "salah"})
_BARE_DENOMINATION = re.compile(r"(?<![\d.,])(\d{1,4})(?![\d.,])")


@dataclass(kw_only=True)
class Change:
    """What a message changes: only the parts it names."""

    target: str | None = None
    amount: int | None = None
    count: str | None = None
    brand: str | None = None
    method: str | None = None
    account_name: str | None = None

    @property
    def empty(self) -> bool:
        """Nothing to change."""
        return not (self.target or self.amount or self.count or self.brand or self.method)


def read(text: str) -> Change | None:
    """The change a message makes to an open quote, or None when it is not a change."""
    plain = ascii_digits(text)
    parsed = parse(plain)
    if parsed.intent in _OWN_REQUESTS:
        return None
    if parsed.intent == "topup_create" and "brand" in parsed.slots and "target" in parsed.slots:
        return None  # "pulsa 10rb 0857…": a whole new request, read afresh by the rules
    brand = str(parsed.slots.get("brand") or "")
    if brand and aliases().group_of(brand) not in {None, "operator"} and not _method_in(plain):
        return None  # "dana 50rb 0812…": another product altogether
    ids = extract_identifiers(plain, names=True, zones=True)
    change = Change(
        target=_first(ids.phones, ids.game_ids, ids.numbers),
        brand=target_check.phone_brand_in(plain),
        method=_method_in(plain),
        account_name=ids.account_name,
    )
    amounts = [a for a in find_amounts(ids.masked) if a.has_unit]
    if amounts:
        change.amount = amounts[0].value
    elif _CUES & set(words(plain)):
        bare = _BARE_DENOMINATION.search(ids.masked)
        change.count = bare.group(1) if bare else None
    return None if change.empty else change


def changes_quote(turn: Turn, text: str) -> bool:
    """Whether `text` changes the quote whose card the customer saw last."""
    return read(text) is not None and _shown_quote(turn) is not None


def correct(turn: Turn, text: str) -> None:
    """Cancel the shown quote and quote its request again with the change `text` makes."""
    change, quote = read(text), _shown_quote(turn)
    if change is not None and quote is not None:
        _apply(turn, quote, change)


def _shown_quote(turn: Turn) -> Quote | None:
    quote_id = turn.state.quote_id
    quote = turn.components.store.get_quote(quote_id) if quote_id else None
    return quote if quote is not None and quote.customer_id == turn.customer_id else None


def _apply(turn: Turn, quote: Quote, change: Change) -> None:
    store = turn.components.store
    request = dict(turn.state.slots) or _request_of(quote)
    if change.method and not _method_known(turn, change.method):
        return
    if quote.status == "open":
        store.cancel_open_quotes(turn.customer_id)
    turn.state = DialogState()
    turn.say(_changed())
    method = change.method or _str(request.get("method"))
    if quote.kind == "topup":
        topup.topup_create(turn, _topup_request(turn, request, change))
    elif quote.kind == "transfer":
        transfers.transfer_create(turn, _transfer_request(request, change))
    elif quote.kind == "bill":
        customer_no = change.target or str(request.get("customer_no") or request.get("target"))
        slots: dict[str, SlotValue] = {"code": request.get("code", ""), "customer_no": customer_no}
        bills.bill_check(turn, {**slots, **({"method": method} if method else {})})
    else:
        try:
            deposits.quote_deposit(turn, change.amount or quote.amount, method)
        except SupplierError:
            turn.say(replies.busy())
        except SalesbotError as exc:  # the method's limits or an unknown method, in words
            turn.say(str(exc))


def _topup_request(
    turn: Turn, request: dict[str, SlotValue], change: Change
) -> dict[str, SlotValue]:
    """The top-up request with the change; the product is chosen again when it must change.

    Another nominal, another operator, or a new number whose operator the customer never named
    means another product: the code is dropped and the request searched again (an unnamed
    operator is the new number's). A new number for a named operator keeps the product, and
    the operator check asks when the number is another operator's.
    """
    new = dict(request)
    if change.method:
        new["method"] = change.method
    if change.target:
        new["target"] = change.target
    product = products.get(turn.components, str(request.get("code") or ""))
    if product is None:
        return new
    kind = target_check.kind_of(product)
    if kind == "game" and change.count:
        return _without_code(new) | {"brand": product.provider, "product": change.count}
    amount = change.amount or _count_amount(change.count, kind)
    said = str(request.get("brand") or "")
    named = said if operator_named(said) is not None else None
    reinfer = kind == "phone" and change.target is not None and named is None
    if not (amount or change.brand or reinfer):
        return new
    new = _without_code(new)
    new["product"] = "data" if product.category.lower() == "data" else "pulsa"
    nominal = amount or request.get("amount") or topup.nominal_of(product.name)
    if nominal:
        new["amount"] = nominal
    brand = change.brand or named or (None if kind == "phone" else product.provider)
    if brand:
        new["brand"] = brand
    else:
        new.pop("brand", None)
    return new


def _without_code(request: dict[str, SlotValue]) -> dict[str, SlotValue]:
    return {k: v for k, v in request.items() if k != "code"}


def _transfer_request(request: dict[str, SlotValue], change: Change) -> dict[str, SlotValue]:
    new = dict(request)
    if change.method:
        new["method"] = change.method
    if change.target:
        new["account_no"] = change.target
    if change.amount:
        new["amount"] = change.amount
    if change.account_name:
        new["account_name"] = change.account_name
    return new


def _request_of(quote: Quote) -> dict[str, SlotValue]:
    """The request behind a quote made without one kept (a proposal, a re-quote)."""
    payload = quote.payload
    keys = {
        "code": "code",
        "target": "target",
        "bank_code": "bank",
        "account_number": "account_no",
        "nominal": "amount",
        "given_name": "account_name",
        "method": "method",
    }
    request: dict[str, SlotValue] = {}
    for key, slot in keys.items():
        value = payload.get(key)
        if isinstance(value, int | str) and value != "":
            request[slot] = value
    return request


def _method_in(text: str) -> str | None:
    """A deposit method said after "pake"/"via"/"lewat" (`pake dana aja` -> dana), or qris."""
    tokens = words(text)
    if "qris" in tokens:
        return "qris"
    for before, word in zip(tokens, tokens[1:], strict=False):
        if before in _VIA and word not in {"apa", "aja", "saja", "yg", "yang"}:
            return word
    return None


def _method_known(turn: Turn, said: str) -> bool:
    """Whether the supplier offers the method; if not, the methods it does offer are listed."""
    try:
        methods = payment_methods.available(turn.components)
    except SupplierError:
        return True  # checked again when the deposit is made
    if payment_methods.pick(methods, said) is not None:
        return True
    rows = [(m.label, m.lowest, m.max) for m in methods]
    turn.say(receipts.unknown_method(said, rows))
    return False


def _count_amount(count: str | None, kind: str) -> int | None:
    """`yg 20 aja` on pulsa is Rp 20.000."""
    if count is None or kind not in {"phone", "wallet"}:
        return None
    value = int(count)
    return value * 1_000 if 0 < value <= 1_000 else None


def _first(*candidates: list[str]) -> str | None:
    return next((values[0] for values in candidates if values), None)


def _str(value: object) -> str | None:
    return None if value in (None, "") else str(value)
