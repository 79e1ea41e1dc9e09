"""Property: pulsa with no operator named is always the number's own operator's pulsa.

For any mobile number of any operator (every prefix of the table, any length, written with
+62/62/0, spaces or dashes) and any pulsa amount, the product quoted — or offered in its place
when it is sold out — belongs to the operator of the number.
"""

from __future__ import annotations

import json
from importlib import resources

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.targets import operator_of
from shared.sandbox.catalog_data import PULSA_NOMINALS
from shared.services.dialog.state import load_state

from .conftest import Chat

_TABLE = json.loads(
    resources.files("shared.domain").joinpath("data/targets.json").read_text("utf-8")
)
PREFIXES = sorted(p for op in _TABLE["mobile"]["operators"].values() for p in op["prefixes"])


@st.composite
def numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(how the customer writes it, the number as `08…`)."""
    prefix = draw(st.sampled_from(PREFIXES))
    rest = draw(st.text(alphabet="0123456789", min_size=6, max_size=9))
    canonical = prefix + rest
    style = draw(st.sampled_from(["plain", "62", "+62 spaced", "dashes"]))
    if style == "62":
        return "62" + canonical[1:], canonical
    if style == "+62 spaced":
        return f"+62 {canonical[1:4]} {canonical[4:8]} {canonical[8:]}", canonical
    if style == "dashes":
        return f"{canonical[:4]}-{canonical[4:8]}-{canonical[8:]}", canonical
    return canonical, canonical


AMOUNTS = st.sampled_from(PULSA_NOMINALS).flatmap(
    lambda n: st.sampled_from(
        [f"{n // 1000}rb", f"{n // 1000}k", f"{n:,}".replace(",", "."), f"{n // 1000} ribu"]
    )
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    number=numbers(), amount=AMOUNTS, verb=st.sampled_from(["pulsa", "isi pulsa", "beli pulsa"])
)
def test_the_quoted_pulsa_is_the_numbers_operators(
    chat: Chat, number: tuple[str, str], amount: str, verb: str
) -> None:
    written, canonical = number
    operator = operator_of(canonical)
    assert operator is not None
    chat.say("batal")
    chat.say(f"{verb} {amount} {written}")

    components = chat.components
    state = load_state(components.cache, chat.customer_id)
    if state.quote_id:
        quote = components.store.get_quote(state.quote_id)
        assert quote is not None
        assert quote.payload["target"] == canonical
        codes = [str(quote.payload["code"])]
    else:  # sold out: what is offered instead, if anything
        codes = [str(c.slots["code"]) for c in state.choices if "code" in c.slots]
    assert codes, (written, amount)
    for code in codes:
        product = components.catalog.get(code)
        assert product is not None
        assert product.provider == operator.name, (written, amount, product.name)
