"""Greeting, help, small talk, price lookup and the budget filter."""

from __future__ import annotations

from shared.domain.catalog import Product
from shared.domain.followups import is_goodbye
from shared.domain.parser import says_thanks
from shared.services import replies
from shared.services.dialog import products
from shared.services.dialog.state import Choice, DialogState, SlotValue
from shared.services.dialog.turn import Turn

MAX_SHOWN = 5


def greet(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """Answer a greeting in kind."""
    turn.say(replies.greeting(turn.text))


def smalltalk(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """A goodbye or thanks in kind, else a friendly nudge back to business."""
    if is_goodbye(turn.text):
        turn.say(replies.goodbye(turn.text))
    elif says_thanks(turn.text):
        turn.say(replies.thanks())
    else:
        turn.say(replies.smalltalk())


def help_(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """What the bot can do, briefly."""
    turn.say(replies.help_text())


def price_lookup(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Prices of the products matching what the customer named, as numbered options.

    A price question naming nothing ("harganya brp tadi?") is about the product the customer is
    buying right now, or else asks what there is.
    """
    query = products.query_of(slots)
    if not query:
        _price_of_open(turn)
        return
    found = products.find(turn.components, query, limit=MAX_SHOWN)
    if not found.items:
        turn.say(replies.nothing_found(query))
        return
    chosen = products.obvious(found.items, slots)
    if chosen is not None and (len(found.items) == 1 or chosen is found.items[0]):
        # "ML 86": one clear product, so quote its price and go straight to what's missing.
        turn.say(replies.one_price(chosen.name, chosen.sell_price))
        turn.state = DialogState(
            intent="topup_create",
            slots={"code": chosen.code},
            asking="target",
        )
        turn.say(replies.ask(products.target_question(chosen)))
        return
    offer(
        turn,
        found.items,
        title=products.title_of(slots, found.items),
        more=found.more,
        slots=slots,
    )


def _price_of_open(turn: Turn) -> None:
    state = turn.state
    code = state.slots.get("code")
    product = products.get(turn.components, str(code)) if code else None
    if product is not None:
        turn.say(replies.one_price(product.name, product.sell_price, buying=True))
        ask_again(turn)
    elif state.choices:
        turn.say(replies.which_option(len(state.choices)))
    else:
        turn.say(replies.price_menu())


_AMOUNT_QUESTIONS = {
    "deposit_create": replies.how_much_deposit,
    "transfer_create": replies.how_much_transfer,
    "budget_filter": replies.which_budget,
}


def ask_again(turn: Turn) -> None:
    """Ask the open question again after answering something else in between."""
    state = turn.state
    asking = state.asking or ""
    if asking == "amount" and state.intent in _AMOUNT_QUESTIONS:
        turn.say(_AMOUNT_QUESTIONS[state.intent]())
        return
    code = state.slots.get("code")
    product = products.get(turn.components, str(code)) if code else None
    if asking == "target" and product is not None:
        turn.say(replies.ask_again(products.target_question(product), product.name))
        return
    turn.say(replies.ask_again(asking, None))


def budget_filter(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """What fits the customer's budget, cheapest first, spread across categories."""
    budget = slots.get("amount")
    if not isinstance(budget, int):
        turn.state = DialogState(intent="budget_filter", slots=slots, asking="amount")
        turn.say(replies.which_budget())
        return
    brand = slots.get("brand")
    found = products.within_budget(
        turn.components, budget, brand=str(brand) if brand else None, limit=MAX_SHOWN
    )
    if not found:
        turn.say(replies.nothing_in_budget(budget))
        return
    turn.say(replies.budget_list(budget, [products.option(p) for p in found]))
    _remember_choices(turn, found, slots)


def offer(
    turn: Turn,
    found: list[Product],
    *,
    title: str,
    more: bool,
    slots: dict[str, SlotValue],
) -> None:
    """Show numbered products and remember them so a number answers."""
    turn.say(replies.price_list(title, [products.option(p) for p in found], more=more))
    _remember_choices(turn, found, slots)


def _remember_choices(turn: Turn, found: list[Product], slots: dict[str, SlotValue]) -> None:
    # What was asked stays with the list, so "yg 20rb" or "30 hari" narrows within it when no
    # item shown says so.
    keep = {k: v for k, v in slots.items() if k in {"target", "brand", "product", "amount"}}
    turn.state = DialogState(
        intent="topup_create",
        slots=keep,
        choices=[Choice(label=p.name, slots={"code": p.code}) for p in found],
    )
