"""The supplier-event inbox (migration 0012) through every store transport."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from shared.store import Store


def _reff() -> str:
    return f"INBOX-{uuid.uuid4().hex[:10]}"


def test_a_recorded_event_is_unsettled_until_marked_and_marked_once(store: Store) -> None:
    reff = _reff()
    first = store.record_supplier_event(
        kind="order", reff_id=reff, supplier_id="TRX9", raw_status="success"
    )
    second = store.record_supplier_event(kind="order", reff_id=reff, raw_status="success")
    assert second > first  # a replay is a row of its own
    [one, two] = store.supplier_events_for(reff)
    assert (one.id, one.kind, one.supplier_id, one.raw_status) == (
        first,
        "order",
        "TRX9",
        "success",
    )
    assert (one.state, one.result, one.settled_at) == ("received", None, None)
    assert (two.id, two.supplier_id) == (second, "")

    later = datetime.now(UTC) + timedelta(minutes=5)
    swept = {e.id for e in store.unsettled_supplier_events(60, now=later, limit=10_000)}
    assert {first, second} <= swept
    # Younger than the age limit: not the sweep's yet.
    young = {e.id for e in store.unsettled_supplier_events(3600, limit=10_000)}
    assert not {first, second} & young

    assert store.mark_supplier_event_settled(first, "captured") is True
    assert store.mark_supplier_event_settled(first, "unchanged") is False  # settled once
    assert store.mark_supplier_event_settled(10**15, "captured") is False  # no such event
    [one, two] = store.supplier_events_for(reff)
    assert (one.state, one.result) == ("settled", "captured")
    assert one.settled_at is not None
    assert two.state == "received"
    swept = {e.id for e in store.unsettled_supplier_events(60, now=later, limit=10_000)}
    assert first not in swept
    assert second in swept


def test_the_sweep_worklist_is_oldest_first_and_limited(store: Store) -> None:
    ids = [store.record_supplier_event(kind="deposit", reff_id=_reff()) for _ in range(3)]
    later = datetime.now(UTC) + timedelta(minutes=5)
    listed = [e.id for e in store.unsettled_supplier_events(0, now=later, limit=10_000)]
    positions = [listed.index(i) for i in ids]
    assert positions == sorted(positions)
    assert len(store.unsettled_supplier_events(0, now=later, limit=2)) == 2
    assert store.supplier_events_for("NO-SUCH-REFF") == []
