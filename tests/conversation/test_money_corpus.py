"""The money corpus (`data/money_corpus.jsonl`): no conversation buys what was not asked for.

Every conversation runs through `salesbot chat`; it fails when the ledger holds a purchase whose
operator, target, amount or method differs from what the customer last asked for (wrong), when
an asked-for purchase is absent (missing), or when one quote got more than one shortfall deposit.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import money_corpus

CASES = money_corpus.load()


def test_the_corpus_is_big_and_unique() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conversation_buys_what_was_asked(
    case: dict[str, Any], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = money_corpus.run(case, database_url=database_url, monkeypatch=monkeypatch)
    assert outcome.ok, (
        f"wrong={outcome.wrong} missing={outcome.missing} "
        f"repeated deposits={outcome.repeated_deposits}\n{outcome.transcript}"
    )
