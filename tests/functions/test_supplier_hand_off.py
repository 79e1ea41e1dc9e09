"""The serverless hand-off of recorded webhooks against the Pub/Sub stand-in (real client)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fakes.pubsub_server import PubSubServer

from shared.adapters.pubsub.supplier_events import PubSubHandOff
from shared.services.supplier_inbox import InboxEvent

TOPIC = "projects/salesbot-test/topics/atl-events"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubServer]:
    fake = PubSubServer().start()
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", fake.host)
    yield fake
    fake.stop()


def _event(n: int) -> InboxEvent:
    return InboxEvent(id=n, kind="order", reff_id=f"SB-{n}", supplier_id=f"TRX{n}")


def _sent(server: PubSubServer) -> list[InboxEvent]:
    return [
        InboxEvent.model_validate_json(p.data) for p in server.state.published if p.topic == TOPIC
    ]


def test_overlapping_requests_leave_the_publish_to_the_last_one_out(
    server: PubSubServer,
) -> None:
    hand_off = PubSubHandOff("salesbot-test", "atl-events")
    with hand_off.request():
        with hand_off.request():
            hand_off.hand_off(_event(1))
        assert _sent(server) == []  # another request is still in progress: it will send
        hand_off.hand_off(_event(2))
    assert _sent(server) == [_event(1), _event(2)]  # sent before the last request answered
    [first, _] = server.state.published
    assert first.attributes == {"v": "1", "reff_id": "SB-1", "kind": "order"}
    hand_off.hand_off(_event(3))  # outside any request: at once
    assert _sent(server)[-1] == _event(3)
    hand_off.close()


def test_the_last_request_lingers_and_a_newcomer_takes_its_batch_over(
    server: PubSubServer,
) -> None:
    hand_off = PubSubHandOff(
        "salesbot-test", "atl-events", linger_seconds=30, max_delay_seconds=60, max_batch=2
    )

    def first_webhook() -> None:
        with hand_off.request():
            hand_off.hand_off(_event(1))

    first = threading.Thread(target=first_webhook)
    first.start()
    first.join(timeout=0.3)
    assert first.is_alive()  # the last one out lingers instead of publishing at once
    assert _sent(server) == []
    with hand_off.request():
        first.join(timeout=10)
        assert not first.is_alive()  # released by the newcomer, which now holds the batch
        assert _sent(server) == []
        hand_off.hand_off(_event(2))  # a full batch goes out in one Publish
        assert _sent(server) == [_event(1), _event(2)]
    hand_off.close()


def test_a_batch_does_not_wait_past_its_age_or_size_limit(server: PubSubServer) -> None:
    by_age = PubSubHandOff("salesbot-test", "atl-events", max_delay_seconds=0)
    by_size = PubSubHandOff("salesbot-test", "atl-events", max_batch=2)
    with by_age.request(), by_age.request():
        by_age.hand_off(_event(1))
        assert _sent(server) == [_event(1)]
    with by_size.request(), by_size.request():
        by_size.hand_off(_event(2))
        assert _sent(server) == [_event(1)]
        by_size.hand_off(_event(3))
        assert _sent(server) == [_event(1), _event(2), _event(3)]
    by_age.close()
    by_size.close()


def test_a_request_that_leaves_after_the_age_limit_sends_what_waited(
    server: PubSubServer,
) -> None:
    now = [0.0]
    hand_off = PubSubHandOff(
        "salesbot-test", "atl-events", max_delay_seconds=1, clock=lambda: now[0]
    )
    with hand_off.request():
        with hand_off.request():
            hand_off.hand_off(_event(1))
            now[0] = 0.5
        assert _sent(server) == []  # young, and another request is still in progress
        with hand_off.request():
            now[0] = 1.0
        assert _sent(server) == [_event(1)]  # a slow request must not hold it any longer
    hand_off.close()


def test_a_refused_publish_is_logged_not_raised(
    server: PubSubServer, caplog: pytest.LogCaptureFixture
) -> None:
    hand_off = PubSubHandOff("salesbot-test", "atl-events")
    server.state.publish_failures = 1
    hand_off.hand_off(_event(7))  # the webhook still answers: the inbox row is the record
    assert _sent(server) == []
    assert "the reconciler will settle 7" in caplog.text
    hand_off.hand_off(_event(8))
    assert _sent(server) == [_event(8)]
    hand_off.close()
