"""Random multi-fault runs: Hypothesis drives customers, the supplier, the jobs and the admin
in any order, arms faults of every kind some calls ahead, and checks the invariants once the
world has settled. Seeded (`FAULTS_SEED`, a fixed default) so CI runs the same examples;
`FAULTS_LONG=1` runs many more.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, rule, run_state_machine_as_test

from faults.inject import KINDS, FaultKind, Faults
from faults.invariants import violations
from faults.runner import retire
from faults.scenarios import pay_deposits, supplier_works
from faults.tally import TALLY
from faults.world import ADMIN, JOBS, Shared, World
from shared.sandbox.orders import complete_transaction

pytestmark = pytest.mark.postgres

LONG = os.environ.get("FAULTS_LONG") == "1"
SEED = int(os.environ.get("FAULTS_SEED", "20261203"))

REQUESTS = [
    "pulsa telkomsel 10rb ke 081234567890",
    "pulsa telkomsel 20rb ke 081234569992",  # stays pending at the supplier
    "pulsa telkomsel 10rb ke 081234569990",  # the supplier fails it
    "tf 20rb ke dana 081234567890",
    "cek tagihan PLN 123456789012",
    "deposit 50rb",
    "saldo aku berapa?",
    "salah nomor, ke 081311112222 aja",
    "kok belum masuk kak?",
]


def _shop(shared: Shared) -> type[RuleBasedStateMachine]:
    class Shop(RuleBasedStateMachine):
        customers = Bundle("customers")

        def __init__(self) -> None:
            super().__init__()
            self.world = World(shared, Faults())

        @rule(target=customers, saldo=st.sampled_from([0, 15_000, 50_000, 500_000]))
        def a_customer_arrives(self, saldo: int) -> str:
            return self.world.new_customer(saldo)

        @rule(phone=customers, text=st.sampled_from(REQUESTS))
        def asks(self, phone: str, text: str) -> None:
            self.world.say(phone, text)

        @rule(phone=customers, answer=st.sampled_from(["ya", "ya", "batal"]))
        def answers(self, phone: str, answer: str) -> None:
            self.world.say(phone, answer)

        @rule()
        def pays_the_qris(self) -> None:
            pay_deposits(self.world)

        @rule(seconds=st.sampled_from([1, 5, 31, 301]))
        def time_passes(self, seconds: int) -> None:
            supplier_works(self.world, seconds)

        @rule(outcome=st.sampled_from(["success", "failed"]))
        def the_supplier_finishes_one(self, outcome: str) -> None:
            engine = self.world.engine
            with engine.state.lock:
                waiting = [
                    tx
                    for tx in engine.state.table("transactions").values()
                    if tx["status"] == "pending"
                ]
                if waiting:
                    complete_transaction(engine, waiting[0], outcome)
            self.world.supplier_tick()

        @rule()
        def a_webhook_arrives_again(self) -> None:
            if self.world.webhook_bodies:
                self.world.replay_webhook()

        @rule(name=st.sampled_from(JOBS))
        def the_scheduler_runs(self, name: str) -> None:
            self.world.job(name)

        @rule(force=st.booleans())
        def the_admin_refunds_the_last_order(self, force: bool) -> None:
            records = list(self.world.engine.state.table("transactions").values())
            if records:
                ref = records[-1]["reff_id"]
                self.world.say(ADMIN, f"/refund {ref}" + (" paksa" if force else ""))

        @rule(ahead=st.integers(1, 12), kind=st.sampled_from(KINDS))
        def a_fault_is_coming(self, ahead: int, kind: FaultKind) -> None:
            self.world.faults.plan[self.world.faults.calls + ahead] = kind

        def teardown(self) -> None:
            self.world.settle()
            broken = violations(self.world)
            TALLY["random runs"] += 1
            TALLY["fault points"] += len(self.world.faults.fired)
            TALLY["deaths"] += sum(1 for *_, kind in self.world.faults.fired if kind == "die")
            retire(shared, self.world)
            assert not broken, f"faults {self.world.faults.fired}: " + "; ".join(broken)

    return Shop


def test_random_faults_keep_the_invariants(world_shared: Shared) -> None:
    run_state_machine_as_test(
        _shop(world_shared),
        settings=settings(
            max_examples=400 if LONG else 60,
            stateful_step_count=40,
            deadline=None,
            database=None,
            derandomize=not LONG,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        ),
    )
