"""One fault at every boundary call of every scenario, of every kind; the invariants must hold.

A clean run of a scenario counts its boundary calls (store RPCs, cache ops, publishes, supplier
requests, media); then the scenario runs again once per call and per fault kind, with that one
call failing, and the world settles before the invariants are checked. `FAULTS_LONG=1` also
runs every pair of faults a few calls apart.
"""

from __future__ import annotations

import os

import pytest

from faults.inject import KINDS, FaultKind
from faults.runner import Outcome, run
from faults.scenarios import SCENARIOS
from faults.tally import TALLY
from faults.world import Shared

pytestmark = pytest.mark.postgres

LONG = os.environ.get("FAULTS_LONG") == "1"


def _plans(calls: int) -> list[dict[int, FaultKind]]:
    plans: list[dict[int, FaultKind]] = [{k: kind} for k in range(1, calls + 1) for kind in KINDS]
    if LONG:
        plans += [
            {k: first, k + gap: second}
            for k in range(1, calls + 1)
            for gap in (1, 3, 7)
            for first in KINDS
            for second in KINDS
        ]
    return plans


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_fault_point_keeps_the_invariants(world_shared: Shared, scenario: str) -> None:
    clean = run(world_shared, scenario)
    assert clean.broken == [], clean.describe()
    assert clean.calls > 10, f"{scenario} reached only {clean.calls} boundary calls"
    broken: list[Outcome] = []
    for plan in _plans(clean.calls):
        outcome = run(world_shared, scenario, plan)
        TALLY["fault points"] += len(plan)
        TALLY["runs"] += 1
        TALLY["deaths"] += sum(1 for _n, _where, kind in outcome.fired if kind == "die")
        if outcome.broken:
            broken.append(outcome)
    TALLY["scenarios"] += 1
    TALLY["violations"] += len(broken)
    assert not broken, f"{len(broken)} runs broke an invariant:\n" + "\n".join(
        o.describe() for o in broken[:15]
    )
