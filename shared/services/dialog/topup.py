"""Prepaid top-ups: find the product, ask for the target, then show the quote card."""

from __future__ import annotations

from datetime import timedelta

from shared.domain.catalog import Product
from shared.services import receipts, replies
from shared.services.dialog import catalog, products
from shared.services.dialog.state import Choice, DialogState, SlotValue
from shared.services.dialog.turn import Turn

DUPLICATE_WINDOW = timedelta(minutes=5)


def topup_create(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Fill product and target one question at a time, then quote."""
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
                slots={k: v for k, v in slots.items() if k == "target"},
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
    propose_topup(turn, product, products.normalise_target(product, target))


def propose_topup(turn: Turn, product: Product, target: str) -> None:
    """Create the quote (locked price) and show the confirmation card."""
    components = turn.components
    store = components.store
    warning = _duplicate(turn, product, target)
    quote = store.create_quote(
        customer_id=turn.customer_id,
        kind="topup",
        payload={"code": product.code, "target": target, "name": product.name},
        amount=product.sell_price,
        supplier_price=product.supplier_price,
        ttl_seconds=components.settings.quote_ttl_seconds,
        now=turn.now,
    )
    balance = store.get_balance(turn.customer_id).balance
    card = receipts.quote_card(
        receipts.QuoteCard(
            title=warning or "Cek dulu ya kak",
            lines=[("Produk", product.name), ("Tujuan", target)],
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


def _duplicate(turn: Turn, product: Product, target: str) -> str | None:
    """The PPOB "#2" rule: the same product to the same target a few minutes ago."""
    for item in turn.components.store.history(turn.customer_id, limit=5):
        if item.kind != "order" or item.status == "failed" or item.target != target:
            continue
        if item.label != product.name:
            continue
        age = turn.now - item.created_at
        if age <= DUPLICATE_WINDOW:
            minutes = max(int(age.total_seconds() // 60), 1)
            return receipts.duplicate_warning(product.name, target, minutes)
    return None
