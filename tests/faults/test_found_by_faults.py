"""The faults this suite found, each pinned by where it strikes (not by call number, which moves
as the code changes). Every case here broke an invariant before its fix.
"""

from __future__ import annotations

import pytest

from faults.inject import FaultKind
from faults.runner import run
from faults.world import Shared

pytestmark = pytest.mark.postgres

FOUND: list[tuple[str, str, str, int, FaultKind]] = [
    # (what broke, scenario, boundary, its n-th call, kind)
    (
        "an order held and never sent: its process died before claiming the submission",
        "buy_with_saldo",
        "rpc mark_order_submitted",
        1,
        "die",
    ),
    (
        "an order claimed, then a failed read of it left it claimed and never sent",
        "buy_with_saldo",
        "rpc get_order",
        2,
        "error",
    ),
    (
        "a webhook the receiver could not record was never found: the reconciler ran on the"
        " wall clock, not the process's",
        "buy_with_saldo",
        "rpc record_supplier_event",
        1,
        "error",
    ),
    (
        "a recorded webhook whose hand-off was lost was never swept (same clock)",
        "buy_with_saldo",
        "publish atl-events",
        1,
        "error",
    ),
    (
        "a deposit whose invoice never came back stayed pending for ever",
        "a_deposit",
        "atlantic /deposit/create",
        1,
        "die",
    ),
    (
        "a deposit recorded with its answer lost stayed pending for ever",
        "a_deposit",
        "rpc create_deposit",
        1,
        "lost",
    ),
    (
        "a transfer held and never sent: its process died before claiming it",
        "a_transfer",
        "rpc mark_transfer_submitted",
        1,
        "die",
    ),
    (
        "a transfer claimed and never sent stayed pending with nobody told",
        "a_transfer",
        "rpc mark_transfer_submitted",
        1,
        "lost",
    ),
    (
        "an order claimed and never sent stayed pending with nobody told",
        "buy_with_saldo",
        "atlantic /transaksi/create",
        1,
        "die",
    ),
]


@pytest.mark.parametrize(
    ("scenario", "where", "nth", "kind"),
    [case[1:] for case in FOUND],
    ids=[case[0][:60] for case in FOUND],
)
def test_a_fault_found_before_keeps_the_invariants(
    world_shared: Shared, scenario: str, where: str, nth: int, kind: FaultKind
) -> None:
    outcome = run(world_shared, scenario, at={(where, nth): kind})
    assert outcome.fired, f"{where} #{nth} was never reached in {scenario}"
    assert outcome.broken == [], outcome.describe()
