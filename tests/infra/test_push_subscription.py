"""The wa-inbound push subscription and `on_message` agree on the wire format.

infra/pubsub.tf pushes wa-inbound to `on_message` with its own subscription instead of an
Eventarc trigger (see the comment there). That only works if the body it sends is one that
functions-framework turns into the CloudEvent `on_message` reads: a *wrapped* push (no
`no_wrapper` block), POSTed to the bare function URI. These tests pin the Terraform settings that
decide the format, check that the recorded raw push in tests/data/pubsub (which
tests/functions/test_on_message_flow.py feeds to the real `on_message`) is exactly that format,
and run such a body through functions-framework into the push handler `on_message` calls.
"""

from __future__ import annotations

import base64
import json
import sys
import textwrap
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Terraform, block
from functions_framework import create_app

from shared.messages import InboundMessage

RAW_PUSH = REPO / "tests" / "data" / "pubsub" / "text_raw_push.json"
ON_MESSAGE_URI = '${google_cloudfunctions2_function.fn["on_message"].service_config[0].uri}'


def _recorded() -> dict[str, Any]:
    return json.loads(RAW_PUSH.read_text())  # type: ignore[no-any-return]


def test_the_subscription_sends_a_wrapped_push_to_the_bare_function_uri(
    terraform: Terraform,
) -> None:
    sub = terraform.resource("google_pubsub_subscription", "inbound")
    push = block(sub, "push_config")
    # Wrapped: the body is the {"message", "subscription"} envelope functions-framework converts.
    assert "no_wrapper" not in push
    assert "attributes" not in push  # no x-goog-version override of the push format
    # The run.app URI itself (path "/"): Pub/Sub counts as internal traffic only there, and the
    # OIDC audience must equal it for Cloud Run to accept the token.
    assert push["push_endpoint"] == ON_MESSAGE_URI
    assert block(push, "oidc_token")["audience"] == ON_MESSAGE_URI
    # The push identity may invoke on_message and nothing else; Pub/Sub's agent mints its token.
    invokers = [
        body
        for body in terraform.of_type("google_cloud_run_service_iam_member").values()
        if body["member"] == "${google_service_account.inbound_push.member}"
    ]
    assert [i["service"] for i in invokers] == [
        '${google_cloudfunctions2_function.fn["on_message"].name}'
    ]
    assert invokers[0]["role"] == "roles/run.invoker"
    minter = terraform.resource("google_service_account_iam_member", "pubsub_mints_push_token")
    assert minter["role"] == "roles/iam.serviceAccountTokenCreator"
    assert minter["service_account_id"] == "${google_service_account.inbound_push.name}"
    # A push waits for the function as long as the ack deadline: both are the same local.
    assert sub["ack_deadline_seconds"] == "${local.inbound_ack_deadline_seconds}"
    assert terraform.locals["functions"]["on_message"]["timeout"] == (
        "${local.inbound_ack_deadline_seconds}"
    )


def test_the_recorded_raw_push_is_what_that_subscription_sends(terraform: Terraform) -> None:
    sub = terraform.resource("google_pubsub_subscription", "inbound")
    recorded = _recorded()
    assert recorded["path"] == "/"
    assert not [h for h in recorded["headers"] if h.lower().startswith("ce-")]
    assert recorded["headers"]["Authorization"].startswith("Bearer ")
    body = recorded["body"]
    prefix = terraform.variables["name_prefix"]["default"]
    name = sub["name"].replace("${var.name_prefix}", prefix)
    assert body["subscription"].endswith(f"/subscriptions/{name}")
    # deliveryAttempt is present because the subscription has a dead-letter policy, orderingKey
    # because it has message ordering.
    assert block(sub, "dead_letter_policy")
    assert isinstance(body["deliveryAttempt"], int)
    assert sub["enable_message_ordering"] is True
    assert body["message"]["orderingKey"]
    assert {"data", "attributes", "messageId", "publishTime"} <= set(body["message"])


PROBE = """
    import functions_framework
    from shared.adapters.pubsub.push import handle_inbound_push

    handled = []

    def no_replies(replies):
        assert replies == [], "no replies in this probe"

    @functions_framework.cloud_event
    def on_message(cloud_event):
        outcome = handle_inbound_push(
            cloud_event.data,
            event_id=str(cloud_event["id"]),
            handle=lambda message: handled.append(message) or [],
            publish=no_replies,
        )
        handled.append(outcome)
"""


@pytest.fixture
def probe(tmp_path: Path) -> tuple[Any, list[Any]]:
    """functions-framework serving a cloud_event target that runs on_message's push handler.

    Only the inbound service is replaced (by a collector): the conversion and decoding under test
    are the real ones; tests/functions runs the whole on_message with a database.
    """
    source = tmp_path / f"push_probe_{uuid.uuid4().hex}.py"
    source.write_text(textwrap.dedent(PROBE))
    app = create_app("on_message", str(source), "cloudevent")
    return app.test_client(), sys.modules[source.stem].handled


def _push_body(message: InboundMessage) -> dict[str, Any]:
    """What the subscription POSTs for one message the relay published (see the recording)."""
    body = _recorded()["body"]
    body["message"]["data"] = base64.b64encode(message.model_dump_json().encode()).decode()
    body["message"]["attributes"]["wa_msg_id"] = message.wa_msg_id
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    body["message"]["publishTime"] = body["message"]["publish_time"] = now
    return body


def test_functions_framework_hands_that_push_to_on_message_as_the_inbound_message(
    probe: tuple[Any, list[Any]],
) -> None:
    client, handled = probe
    recorded = _recorded()
    payload = json.loads(base64.b64decode(recorded["body"]["message"]["data"]))
    message = InboundMessage.model_validate({**payload, "wa_msg_id": f"3EB0{uuid.uuid4().hex}"})
    response = client.post(
        recorded["path"], headers=recorded["headers"], data=json.dumps(_push_body(message))
    )
    assert response.status_code == 200, response.data
    assert handled == [message, "handled"]


def test_an_unwrapped_push_would_not_reach_on_message(probe: tuple[Any, list[Any]]) -> None:
    # Why the subscription must not set no_wrapper: the bare payload is neither a CloudEvent nor
    # a push envelope, so functions-framework rejects it and Pub/Sub would retry it to the
    # dead-letter topic.
    client, handled = probe
    recorded = _recorded()
    payload = base64.b64decode(recorded["body"]["message"]["data"])
    response = client.post("/", headers={"Content-Type": "application/json"}, data=payload)
    assert response.status_code == 400
    assert handled == []
