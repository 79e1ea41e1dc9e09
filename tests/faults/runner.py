"""One run: a fresh world, a scenario with its planned faults, settling, the invariants."""

from __future__ import annotations

from dataclasses import dataclass, field

from faults.inject import FaultKind, Faults
from faults.invariants import violations
from faults.scenarios import SCENARIOS
from faults.world import Shared, World


@dataclass
class Outcome:
    """What one run did and broke."""

    scenario: str
    plan: dict[int, FaultKind]
    calls: int
    fired: list[tuple[int, str, FaultKind]] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    def describe(self) -> str:
        faults = ", ".join(f"{kind} at call {n} ({where})" for n, where, kind in self.fired)
        return f"{self.scenario} with {faults or 'no fault'}: " + "; ".join(self.broken)


def run(
    shared: Shared,
    scenario: str,
    plan: dict[int, FaultKind] | None = None,
    *,
    at: dict[tuple[str, int], FaultKind] | None = None,
) -> Outcome:
    """Drive `scenario` with the planned faults (by call number or by place), let the world
    settle, and check every invariant."""
    faults = Faults(plan=dict(plan or {}), at=dict(at or {}))
    world = World(shared, faults)
    try:
        SCENARIOS[scenario](world)
    except Exception as exc:  # noqa: BLE001 - a scenario step the harness could not take
        return Outcome(scenario, faults.plan, faults.calls, faults.fired, [f"harness: {exc!r}"])
    calls = faults.calls
    world.settle()
    outcome = Outcome(scenario, faults.plan, calls, faults.fired, violations(world))
    retire(shared, world)
    return outcome


def retire(shared: Shared, world: World) -> None:
    """Close what a run leaves open on purpose (an order its supplier keeps pending), so that
    the next runs' reconcilers, sweeps and drains, which see the whole database as in
    production, do not spend their time on a world that is gone."""
    mine = "customer_id IN (SELECT customer_id FROM customer_identities WHERE value = ANY(%s))"
    for statement in (
        f"UPDATE orders SET status = 'failed' WHERE status = 'pending' AND {mine}",
        f"UPDATE transfers SET status = 'failed' WHERE status = 'pending' AND {mine}",
        f"UPDATE deposits SET status = 'expired' WHERE status <> 'success' AND {mine}",
    ):
        shared.sql(statement, world.phones)
    shared.sql("UPDATE outbox SET state = 'sent' WHERE state = 'pending'")
    shared.sql(
        "UPDATE supplier_events SET state = 'settled', result = 'retired', settled_at = now()"
        " WHERE state = 'received'"
    )
