"""Prepaid top-ups: find the product, ask for the target, then show the quote card."""

from __future__ import annotations

import re
from datetime import timedelta

from shared.domain.catalog import Product
from shared.domain.targets import game_id_labels
from shared.services import receipts, replies
from shared.services.dialog import catalog, products
from shared.services.dialog.state import Choice, DialogState, SlotValue
from shared.services.dialog.turn import Turn

DUPLICATE_WINDOW = timedelta(minutes=5)


def topup_create(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Fill product and target one question at a time, then quote."""
    slots = _with_target_label(turn, slots)
    product = _product(turn, slots)
    if product is None:
        return
    if not product.available:
        alternative = products.alternative(turn.components, product)
        turn.say(
            replies.product_empty(
                product.name, products.option(alternative) if alternative else None
            )
        )
        if alternative is not None:
            turn.state = DialogState(
                intent="topup_create",
                slots={k: v for k, v in slots.items() if k in {"target", "target_label"}},
                choices=[Choice(label=alternative.name, slots={"code": alternative.code})],
            )
        return
    target = str(slots.get("target") or "").strip()
    if not target:
        turn.state = DialogState(
            intent="topup_create", slots={**slots, "code": product.code}, asking="target"
        )
        turn.say(replies.ask(products.target_question(product)))
        return
    problem = products.target_problem(product, target)
    if problem:
        turn.state = DialogState(
            intent="topup_create", slots={"code": product.code}, asking="target"
        )
        turn.say(problem)
        return
    label = str(slots.get("target_label") or "")
    propose_topup(turn, product, products.normalise_target(product, target), label=label)


def propose_topup(turn: Turn, product: Product, target: str, *, label: str = "") -> None:
    """Create the quote (locked price) and show the confirmation card.

    `label` is how the customer wrote the target (a game id with its zone, `12345678 (1234)`);
    the card shows it when it spells the same digits, so the customer can proofread both parts.
    """
    components = turn.components
    store = components.store
    shown = label if label and re.sub(r"\D", "", label) == target else target
    warning = _duplicate(turn, product, target, shown)
    payload = {"code": product.code, "target": target, "name": product.name}
    if shown != target:
        payload["target_label"] = shown
    quote = store.create_quote(
        customer_id=turn.customer_id,
        kind="topup",
        payload=payload,
        amount=product.sell_price,
        supplier_price=product.supplier_price,
        ttl_seconds=components.settings.quote_ttl_seconds,
        now=turn.now,
    )
    balance = store.get_balance(turn.customer_id).balance
    card = receipts.quote_card(
        receipts.QuoteCard(
            title=warning or "Cek dulu ya kak",
            lines=[("Produk", product.name), ("Tujuan", shown)],
            price=quote.amount,
            balance=balance,
            ttl_minutes=max(components.settings.quote_ttl_seconds // 60, 1),
        )
    )
    turn.state = DialogState(quote_id=quote.id, quote_intent="topup_create")
    turn.say(card)


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


def _with_target_label(turn: Turn, slots: dict[str, SlotValue]) -> dict[str, SlotValue]:
    """Remember how this message wrote a game id with its zone, for the quote card."""
    target = str(slots.get("target") or "")
    digits = re.sub(r"\D", "", target)
    # The model may pass the target as written ("12345678 (1234)") rather than the message.
    label = game_id_labels(f"{turn.text}\n{target}").get(digits) if digits else None
    return {**slots, "target_label": label} if label else slots


def _duplicate(turn: Turn, product: Product, target: str, shown: str) -> str | None:
    """The PPOB "#2" rule: the same product to the same target a few minutes ago."""
    for item in turn.components.store.history(turn.customer_id, limit=5):
        if item.kind != "order" or item.status == "failed" or item.target != target:
            continue
        if item.label != product.name:
            continue
        age = turn.now - item.created_at
        if age <= DUPLICATE_WINDOW:
            minutes = max(int(age.total_seconds() // 60), 1)
            return receipts.duplicate_warning(product.name, shown, minutes)
    return None
