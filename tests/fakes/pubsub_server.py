"""A local stand-in for Pub/Sub's gRPC API, enough for the real google-cloud-pubsub clients.

Speaks `google.pubsub.v1.Publisher/Publish` and `google.pubsub.v1.Subscriber/StreamingPull`,
`Acknowledge` and `ModifyAckDeadline` (tech-notes.md §6.1), and `ListTopicSubscriptions` (what
`salesbot doctor` asks), with the library's own proto classes for (de)serialisation. Tests set
`PUBSUB_EMULATOR_HOST` to `server.host` before building clients. No topic or subscription needs to
exist to publish or pull; `ListTopicSubscriptions` knows only the topics a test declared (or
routed) and answers NOT_FOUND for the others, as Pub/Sub does.

By default a publish is only recorded (tests deliver by hand). `route` attaches a subscription
to a topic the way Terraform does (infra/pubsub.tf): a pull subscription queues every message
published to the topic for the streaming pull, with its ordering key; a push subscription POSTs
each one, in publish order, to its endpoint as Pub/Sub's push body, retrying until a 2xx for
up to `max_delivery_attempts` (then it counts as dead-lettered).
"""

from __future__ import annotations

import base64
import itertools
import queue
import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx
from google.protobuf import empty_pb2
from google.pubsub_v1 import types as T


@dataclass
class Published:
    """One message received by `Publish`."""

    topic: str
    data: bytes
    attributes: dict[str, str]
    ordering_key: str
    message_id: str


@dataclass
class PushSubscription:
    """Delivers a topic's messages to an HTTP endpoint, one at a time, as Pub/Sub push does."""

    name: str
    endpoint: str
    max_delivery_attempts: int = 5
    delivered: list[str] = field(default_factory=list)  # message ids answered with a 2xx
    dead_lettered: list[str] = field(default_factory=list)
    attempts: int = 0
    _queue: queue.Queue[Published | None] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None

    def start(self, notify: Any) -> None:
        self._thread = threading.Thread(target=self._run, args=(notify,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=30)

    def put(self, message: Published) -> None:
        self._queue.put(message)

    def _run(self, notify: Any) -> None:
        with httpx.Client(timeout=60) as http:
            while (message := self._queue.get()) is not None:
                self._deliver(http, message)
                notify()

    def _deliver(self, http: httpx.Client, message: Published) -> None:
        body = {
            "message": {
                "data": base64.b64encode(message.data).decode(),
                "attributes": message.attributes,
                "messageId": message.message_id,
                "publishTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "orderingKey": message.ordering_key,
            },
            "subscription": self.name,
        }
        for _ in range(self.max_delivery_attempts):
            self.attempts += 1
            try:
                status = http.post(self.endpoint, json=body).status_code
            except httpx.HTTPError:
                continue
            if 200 <= status < 300:
                self.delivered.append(message.message_id)
                return
        self.dead_lettered.append(message.message_id)


@dataclass
class FakePubSub:
    """The recorded state: what was published, what is queued for subscribers, acks and nacks."""

    published: list[Published] = field(default_factory=list)
    outbox: queue.Queue[tuple[str, T.PubsubMessage]] = field(default_factory=queue.Queue)
    acked: list[str] = field(default_factory=list)
    nacked: list[str] = field(default_factory=list)
    ack_ids: dict[str, str] = field(default_factory=dict)  # ack id -> message id
    publish_failures: int = 0  # the next N Publish calls fail with `publish_failure_code`
    publish_failure_code: grpc.StatusCode = grpc.StatusCode.PERMISSION_DENIED
    changed: threading.Condition = field(default_factory=threading.Condition)
    pull_routes: dict[str, list[str]] = field(default_factory=dict)  # topic -> subscriptions
    push_routes: dict[str, list[PushSubscription]] = field(default_factory=dict)
    topics: dict[str, list[str]] = field(default_factory=dict)  # declared topic -> subscriptions
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def queue_message(
        self,
        subscription: str,
        data: bytes,
        attributes: dict[str, str] | None = None,
        ordering_key: str = "",
    ) -> str:
        """Queue one message for the next streaming pull on `subscription`; returns its id."""
        message_id = str(next(self._ids))
        self.outbox.put(
            (
                subscription,
                T.PubsubMessage(
                    data=data,
                    attributes=attributes or {},
                    message_id=message_id,
                    ordering_key=ordering_key,
                ),
            )
        )
        return message_id

    def declare(self, topic: str, *subscriptions: str) -> None:
        """Make `topic` (full name) exist with these subscriptions (full names)."""
        self.topics.setdefault(topic, []).extend(subscriptions)

    def route(self, topic: str, subscription: str, *, push_endpoint: str | None = None) -> None:
        """Attach `subscription` (full names) to `topic`: pushed to the endpoint, or pulled."""
        self.declare(topic, subscription)
        if push_endpoint is None:
            self.pull_routes.setdefault(topic, []).append(subscription)
            return
        push = PushSubscription(subscription, push_endpoint)
        push.start(self._notify)
        self.push_routes.setdefault(topic, []).append(push)

    def stop_routes(self) -> None:
        """Stop the push deliveries (what is queued is still delivered first)."""
        for pushes in self.push_routes.values():
            for push in pushes:
                push.stop()

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        """Block until `predicate()` holds (checked on every change), or fail."""
        with self.changed:
            if not self.changed.wait_for(predicate, timeout):
                raise AssertionError("condition not reached on the fake Pub/Sub server")

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    # --- RPC implementations --------------------------------------------------------------------

    def publish(
        self, request: T.PublishRequest, context: grpc.ServicerContext
    ) -> T.PublishResponse:
        if self.publish_failures > 0:
            self.publish_failures -= 1
            context.abort(self.publish_failure_code, "fake failure")
        ids = []
        for message in request.messages:
            message_id = str(next(self._ids))
            ids.append(message_id)
            published = Published(
                topic=request.topic,
                data=bytes(message.data),
                attributes=dict(message.attributes),
                ordering_key=message.ordering_key,
                message_id=message_id,
            )
            self.published.append(published)
            for subscription in self.pull_routes.get(request.topic, []):
                self.queue_message(
                    subscription, published.data, published.attributes, published.ordering_key
                )
            for push in self.push_routes.get(request.topic, []):
                push.put(published)
        self._notify()
        return T.PublishResponse(message_ids=ids)

    def list_topic_subscriptions(
        self, request: T.ListTopicSubscriptionsRequest, context: grpc.ServicerContext
    ) -> T.ListTopicSubscriptionsResponse:
        if request.topic not in self.topics:
            context.abort(
                grpc.StatusCode.NOT_FOUND, f"Resource not found (resource={request.topic})."
            )
        return T.ListTopicSubscriptionsResponse(subscriptions=self.topics[request.topic])

    def streaming_pull(
        self, requests: Iterator[T.StreamingPullRequest], context: grpc.ServicerContext
    ) -> Iterator[T.StreamingPullResponse]:
        first = next(requests)
        subscription = first.subscription

        def drain() -> None:
            try:
                for req in requests:
                    self._record_acks(list(req.ack_ids))
                    for ack_id, seconds in zip(
                        req.modify_deadline_ack_ids, req.modify_deadline_seconds, strict=False
                    ):
                        if seconds == 0:
                            self.nacked.append(self.ack_ids.get(ack_id, ack_id))
                    self._notify()
            except Exception:  # noqa: S110 - the client closed the stream
                pass

        threading.Thread(target=drain, daemon=True).start()
        while context.is_active():
            try:
                sub, message = self.outbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if sub != subscription:
                self.outbox.put((sub, message))
                continue
            ack_id = f"ack-{message.message_id}-{next(self._ids)}"
            self.ack_ids[ack_id] = message.message_id
            yield T.StreamingPullResponse(
                received_messages=[
                    T.ReceivedMessage(ack_id=ack_id, message=message, delivery_attempt=1)
                ]
            )

    def acknowledge(self, request: T.AcknowledgeRequest, _ctx: grpc.ServicerContext) -> Any:
        self._record_acks(list(request.ack_ids))
        self._notify()
        return empty_pb2.Empty()

    def modify_ack_deadline(
        self, request: T.ModifyAckDeadlineRequest, _ctx: grpc.ServicerContext
    ) -> Any:
        if request.ack_deadline_seconds == 0:
            self.nacked.extend(self.ack_ids.get(a, a) for a in request.ack_ids)
            self._notify()
        return empty_pb2.Empty()

    def _record_acks(self, ack_ids: list[str]) -> None:
        self.acked.extend(self.ack_ids.get(a, a) for a in ack_ids)


class PubSubServer:
    """Runs a `FakePubSub` on a gRPC server bound to 127.0.0.1:0."""

    def __init__(self) -> None:
        self.state = FakePubSub()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        s = self.state

        def unary(fn: Any, req: Any, resp: Any) -> grpc.RpcMethodHandler:
            return grpc.unary_unary_rpc_method_handler(
                fn, request_deserializer=req.deserialize, response_serializer=resp
            )

        publisher = grpc.method_handlers_generic_handler(
            "google.pubsub.v1.Publisher",
            {
                "Publish": unary(s.publish, T.PublishRequest, T.PublishResponse.serialize),
                "ListTopicSubscriptions": unary(
                    s.list_topic_subscriptions,
                    T.ListTopicSubscriptionsRequest,
                    T.ListTopicSubscriptionsResponse.serialize,
                ),
            },
        )
        subscriber = grpc.method_handlers_generic_handler(
            "google.pubsub.v1.Subscriber",
            {
                "StreamingPull": grpc.stream_stream_rpc_method_handler(
                    s.streaming_pull,
                    request_deserializer=T.StreamingPullRequest.deserialize,
                    response_serializer=T.StreamingPullResponse.serialize,
                ),
                "Acknowledge": unary(
                    s.acknowledge, T.AcknowledgeRequest, empty_pb2.Empty.SerializeToString
                ),
                "ModifyAckDeadline": unary(
                    s.modify_ack_deadline,
                    T.ModifyAckDeadlineRequest,
                    empty_pb2.Empty.SerializeToString,
                ),
            },
        )
        self._server.add_generic_rpc_handlers((publisher, subscriber))
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def host(self) -> str:
        """The value for PUBSUB_EMULATOR_HOST."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> PubSubServer:
        """Start serving."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop at once."""
        self.state.stop_routes()
        self._server.stop(grace=None)
