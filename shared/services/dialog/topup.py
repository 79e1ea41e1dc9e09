"""Prepaid top-ups: find the product, check the target, then show the quote card.

What the customer confirms is what is bought (design.md §5): a pulsa or data request that names
no operator takes the operator of the number's prefix; one that names an operator the number
does not belong to gets one short question ("0857 itu nomor Indosat kak, mau isi Indosat atau
tetap Telkomsel?") and never a silent quote. Every target is checked for its product's kind
(`target_check`) before a quote exists.
"""

from __future__ import annotations

import re
from datetime import timedelta

from shared.domain.aliases import words
from shared.domain.catalog import Product
from shared.domain.money_text import find_amounts
from shared.domain.targets import (
    Operator,
    extract_identifiers,
    game_target,
    operator_named,
    operator_of,
)
from shared.services import receipts, replies, stories
from shared.services.dialog import catalog, products, target_check
from shared.services.dialog.quote_card import show_quote
from shared.services.dialog.state import Choice, DialogState, SlotValue
from shared.services.dialog.turn import Turn
from shared.services.language import say

DUPLICATE_WINDOW = timedelta(minutes=5)
# What a request may carry over into the request behind a quote (for corrections).
REQUEST_KEYS = ("brand", "product", "amount", "target", "method")


def _operator_unclear() -> str:
    return say("Maksudnya yang mana kak? 🙏", "Which one do you mean? 🙏")


# Categories that are a phone's pulsa or data: the number's operator fills in the brand.
PHONE_CATEGORIES = {None, "Pulsa", "Data"}


def topup_create(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Fill product and target one question at a time, check them, then quote."""
    answered = _answered(turn, slots)
    if answered is None:
        return
    slots = answered
    product = _product(turn, _with_operator(slots))
    if product is None:
        return
    if not product.available:
        _offer_alternative(turn, product, slots)
        return
    raw = str(slots.get("target") or "").strip()
    if not raw:
        turn.state = DialogState(
            intent="topup_create", slots={**slots, "code": product.code}, asking="target"
        )
        turn.say(replies.ask(products.target_question(product)))
        return
    target = target_check.normalise(product, raw)
    problem = target_check.problem(product, target)
    if problem:
        _ask_target_again(turn, product, target, slots, problem)
        return
    conflict = target_check.operator_conflict(product, target)
    if conflict is not None and not slots.get("operator_ok"):
        _ask_operator(turn, product, target, conflict, slots)
        return
    warning = None
    if conflict is not None:
        warning = say(
            f"{target[:4]} itu nomor {conflict.title}; sesuai permintaan kakak tetap "
            f"{_brand_title(product.provider)}.",
            f"{target[:4]} is a {conflict.title} number; as you asked, it stays "
            f"{_brand_title(product.provider)}.",
        )
    propose_topup(turn, product, target, request={**slots, "target": target}, warning=warning)


def propose_topup(
    turn: Turn,
    product: Product,
    target: str,
    *,
    request: dict[str, SlotValue] | None = None,
    warning: str | None = None,
) -> None:
    """Create the quote (locked price) and show the confirmation card.

    `target` is already in its one canonical form (see `target_check.normalise`): the card,
    the supplier request and the receipt all show exactly it. `request` is what the customer
    asked for, kept with the open quote so a correction ("ganti 50rb aja") can change one part
    of it and quote again.
    """
    duplicate = _duplicate(turn, product, target)
    kept = {k: v for k, v in (request or {}).items() if k in REQUEST_KEYS}
    show_quote(
        turn,
        kind="topup",
        payload={"code": product.code, "target": target, "name": product.name},
        amount=product.sell_price,
        supplier_price=product.supplier_price,
        title=duplicate or say("Cek dulu ya kak", "Please check"),
        lines=[("Produk", product.name), ("Tujuan", target)],
        intent="topup_create",
        request={**kept, "code": product.code, "target": target},
        warning=warning,
    )


def _product(turn: Turn, slots: dict[str, SlotValue]) -> Product | None:
    """The product the customer means, or None after asking / offering choices."""
    code = slots.get("code")
    if code:
        known = products.get(turn.components, str(code))
        if known is not None:
            return known
    query = products.query_of(slots)
    if not query:
        turn.state = DialogState(intent="topup_create", slots=slots, asking="product")
        turn.say(replies.ask("product"))
        return None
    found = products.find(turn.components, query, limit=catalog.MAX_SHOWN)
    chosen = products.obvious(found.items, slots)
    wanted = products.obvious(found.sold_out, slots) if found.sold_out else None
    if wanted is not None and (
        chosen is None or products.closeness(wanted, query) >= products.closeness(chosen, query)
    ):
        return wanted  # what they asked for is sold out: the caller offers an alternative
    if chosen is not None:
        return chosen
    if not found.items:
        turn.say(replies.nothing_found(query))
        return None
    catalog.offer(
        turn,
        found.items,
        title=products.title_of(slots, found.items),
        more=found.more,
        slots=slots,
    )
    return None


def _with_operator(slots: dict[str, SlotValue]) -> dict[str, SlotValue]:
    """Pulsa or data for a number, no operator named: the number's operator is the brand."""
    if slots.get("code") or slots.get("brand") not in PHONE_CATEGORIES:
        return slots
    phone = extract_identifiers(str(slots.get("target") or "")).phones
    operator = operator_of(phone[0]) if phone else None
    if operator is None:
        return slots
    words_said = str(slots.get("product") or "")
    return {**slots, "brand": operator.name, "product": words_said or "pulsa"}


def _offer_alternative(turn: Turn, product: Product, slots: dict[str, SlotValue]) -> None:
    """What they asked for is sold out: say so and offer the closest available product."""
    alternative = products.alternative(turn.components, product)
    if alternative is not None and target_check.kind_of(product) == "phone":
        operator = operator_named(product.provider)
        if operator is None or alternative.provider not in operator.brands:
            alternative = None  # another operator's pulsa would not reach this number
    turn.say(
        replies.product_empty(product.name, products.option(alternative) if alternative else None)
    )
    if alternative is not None:
        turn.state = DialogState(
            intent="topup_create",
            slots={k: v for k, v in slots.items() if k == "target"},
            choices=[Choice(label=alternative.name, slots={"code": alternative.code})],
        )


def _ask_target_again(
    turn: Turn, product: Product, target: str, slots: dict[str, SlotValue], problem: str
) -> None:
    """The target cannot be right: one clear question, keeping everything else."""
    kept: dict[str, SlotValue] = {"code": product.code}
    asking = "target"
    if problem == target_check.ZONE_MISSING:
        kept["player_id"] = target
        asking = "zone"
    for key in ("amount", "brand", "product"):
        if key in slots:
            kept[key] = slots[key]
    turn.state = DialogState(intent="topup_create", slots=kept, asking=asking)
    turn.say(target_check.said(problem))


def _ask_operator(
    turn: Turn,
    product: Product,
    target: str,
    number_operator: Operator,
    slots: dict[str, SlotValue],
) -> None:
    """The number belongs to another operator than the product: ask, never quote silently."""
    switch = _counterpart(turn, product, number_operator, slots)
    named = _brand_title(product.provider)
    options: list[replies.Option] = []
    choices: list[Choice] = []
    if switch is not None:
        options.append(products.option(switch))
        choices.append(Choice(label=switch.name, slots={"code": switch.code}))
    options.append(products.option(product))
    choices.append(Choice(label=product.name, slots={"code": product.code, "operator_ok": 1}))
    turn.say(
        say(
            f"{target[:4]} itu nomor {number_operator.title} kak, mau isi "
            f"{number_operator.title} atau tetap {named}?\n{replies.numbered(options)}\n"
            "Balas nomornya ya 😊",
            f"{target[:4]} is a {number_operator.title} number. Top up {number_operator.title} "
            f"or keep {named}?\n{replies.numbered(options)}\nReply with a number 😊",
        )
    )
    state_slots: dict[str, SlotValue] = {
        "target": target,
        "asked_target": target,
        "keep_code": product.code,
    }
    if switch is not None:
        state_slots["switch_code"] = switch.code
    turn.state = DialogState(
        intent="topup_create", slots=state_slots, asking="brand", choices=choices
    )


def _answered(turn: Turn, slots: dict[str, SlotValue]) -> dict[str, SlotValue] | None:
    """Slots with the answer to our own last question folded in (None: asked again).

    Our questions are the operator question (`keep_code`) and the missing zone (`player_id`).
    """
    if "player_id" in slots and "zone" in slots:
        return _zone_answered(slots)
    if slots.get("keep_code") and not slots.get("code"):
        return _operator_answered(turn, slots)
    internal = {"keep_code", "switch_code", "asked_target", "player_id", "zone"}
    return {k: v for k, v in slots.items() if k not in internal}


def _operator_answered(turn: Turn, slots: dict[str, SlotValue]) -> dict[str, SlotValue] | None:
    """The answer to "0857 itu nomor Indosat kak, mau isi Indosat atau tetap Telkomsel?".

    Naming the product's own brand again keeps it (the customer was told); naming the number's
    operator switches; a new number keeps the product asked for and is checked again; a new
    amount asks again at that amount. Anything else asks the question again.
    """
    answer = str(slots.get("brand") or "")
    found = extract_identifiers(answer)
    target = str(slots.get("target") or "")
    kept = products.get(turn.components, str(slots["keep_code"]))
    if found.phones or target != slots.get("asked_target") or kept is None:
        new_target = found.phones[0] if found.phones else target
        return {"code": str(slots["keep_code"]), "target": new_target}
    brand = target_check.phone_brand_in(answer)
    amounts = [a.value for a in find_amounts(found.masked) if a.has_unit]
    if amounts:
        words_said = "data" if kept.category.lower() == "data" else "pulsa"
        brand = brand or kept.provider
        return {"brand": brand, "product": words_said, "amount": amounts[0], "target": target}
    for key, extra in (("keep_code", {"operator_ok": 1}), ("switch_code", {})):
        code = slots.get(key)
        product = products.get(turn.components, str(code)) if code else None
        if brand is not None and product is not None and product.provider == brand:
            return {"code": product.code, "target": target, **extra}
    if brand is not None:
        return {"brand": brand, "product": "pulsa", "target": target}
    number_operator = operator_of(target)
    turn.say(_operator_unclear())
    if number_operator is not None:
        _ask_operator(turn, kept, target, number_operator, {})
    return None


def _zone_answered(slots: dict[str, SlotValue]) -> dict[str, SlotValue]:
    """`1234` after "Zone ID-nya?": the id we kept plus this zone; a whole id+zone replaces it."""
    answer = str(slots.get("zone") or "")
    whole = extract_identifiers(answer, zones=True).game_ids
    zone = re.sub(r"\D", "", answer)
    target = whole[0] if whole else game_target(str(slots["player_id"]), zone)
    rest = {k: v for k, v in slots.items() if k not in {"player_id", "zone", "target"}}
    return {**rest, "target": target}


def _counterpart(
    turn: Turn, product: Product, operator: Operator, slots: dict[str, SlotValue]
) -> Product | None:
    """The same pulsa/data of the number's own operator ("Telkomsel 10.000" -> "Indosat …")."""
    own = set(words(product.provider)) | set(words(_brand_title(product.provider)))
    rest = " ".join(w for w in words(product.name) if w not in own)
    amount = slots.get("amount")
    nominal = amount if isinstance(amount, int) else nominal_of(product.name)
    query = f"{operator.name} {rest}"
    found = products.find(turn.components, query, limit=catalog.MAX_SHOWN)
    wanted: dict[str, SlotValue] = {"product": rest}
    if nominal:
        wanted["amount"] = nominal
    same = [p for p in found.items if p.provider in operator.brands]
    chosen = products.obvious(same, wanted)
    return chosen if chosen is not None and chosen.category == product.category else None


def nominal_of(name: str) -> int | None:
    """`Telkomsel 10.000` -> 10000: the face value written in a pulsa product's name."""
    match = re.search(r"\b\d{1,3}(?:\.\d{3})+\b", name)
    return int(match.group().replace(".", "")) if match else None


def _brand_title(provider: str) -> str:
    operator = operator_named(provider)
    return operator.title if operator is not None and operator.name == provider else provider


def _duplicate(turn: Turn, product: Product, target: str) -> str | None:
    """The PPOB "#2" rule: the same product to the same target a few minutes ago."""
    for item in turn.components.store.history(turn.customer_id, limit=5):
        if item.kind != "order" or item.status == "failed" or item.target != target:
            continue
        if item.label != product.name:
            continue
        if turn.now - item.created_at <= DUPLICATE_WINDOW:
            # "barusan" for seconds, "3 menit lalu" after: from the order's own timestamp.
            when = stories.ago(turn.now, item.created_at)
            return receipts.duplicate_warning(product.name, target, when)
    return None
