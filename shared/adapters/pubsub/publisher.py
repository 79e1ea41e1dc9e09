"""Publishing to Pub/Sub topics with per-chat ordering, waiting for each publish to land.

Callers in Cloud Functions must not return before the publish completed (CPU is throttled after
the response), so `publish` blocks on the future. A failed publish on an ordering key pauses that
key inside the client; we resume it so the next message for the chat can go out.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from shared.errors import SalesbotError

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient

log = logging.getLogger(__name__)


class PublishError(SalesbotError):
    """Pub/Sub did not accept a message (transient: callers retry or let Pub/Sub redeliver)."""


class TopicNotFound(PublishError):
    """The topic does not exist (not created yet, or a name without its prefix)."""


class PubSubAccessDenied(PublishError):
    """No credentials, or they may not read the topic."""


class Publisher:
    """A lazily built `PublisherClient` with message ordering enabled."""

    def __init__(self, project: str, *, timeout_seconds: float = 30.0) -> None:
        self._project = project
        self._timeout = timeout_seconds
        self._client: PublisherClient | None = None
        self._lock = threading.Lock()

    def _get_client(self) -> PublisherClient:
        with self._lock:
            if self._client is None:
                from google.cloud import pubsub_v1  # noqa: PLC0415 - 180-300 ms, only on use

                self._client = pubsub_v1.PublisherClient(
                    publisher_options=pubsub_v1.types.PublisherOptions(
                        enable_message_ordering=True
                    ),
                    batch_settings=pubsub_v1.types.BatchSettings(
                        max_messages=10, max_latency=0.01
                    ),
                )
            return self._client

    def topic_path(self, topic: str) -> str:
        """`projects/{project}/topics/{topic}` (a full path is passed through)."""
        return (
            topic if topic.startswith("projects/") else f"projects/{self._project}/topics/{topic}"
        )

    def publish(
        self,
        topic: str,
        data: bytes,
        *,
        ordering_key: str = "",
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Publish one message and wait until Pub/Sub accepted it; returns the message id.

        Raises:
            PublishError: the publish failed or timed out.
        """
        client = self._get_client()
        path = self.topic_path(topic)
        try:
            future = client.publish(
                path, data, ordering_key=ordering_key, **dict(attributes or {})
            )
            return str(future.result(timeout=self._timeout))
        except Exception as exc:
            if ordering_key:
                with contextlib.suppress(RuntimeError):  # raised when the key was not paused
                    client.resume_publish(path, ordering_key)
            raise PublishError(f"publish to {topic} failed: {type(exc).__name__}") from exc

    def subscriptions(self, topic: str, *, timeout_seconds: float = 10.0) -> list[str]:
        """The names of the subscriptions attached to `topic` (one call, never retried).

        Raises:
            TopicNotFound: no such topic.
            PubSubAccessDenied: no credentials, or they may not read it.
            PublishError: Pub/Sub could not be asked (unreachable, timed out).
        """
        from google.api_core import exceptions  # noqa: PLC0415
        from google.auth.exceptions import DefaultCredentialsError  # noqa: PLC0415

        path = self.topic_path(topic)
        try:
            pages = self._get_client().list_topic_subscriptions(
                request={"topic": path}, retry=None, timeout=timeout_seconds
            )
            return [name.rsplit("/", 1)[-1] for name in pages]
        except exceptions.NotFound as exc:
            raise TopicNotFound(f"{path} does not exist") from exc
        except (exceptions.PermissionDenied, exceptions.Unauthenticated) as exc:
            raise PubSubAccessDenied(f"no permission to read {path}") from exc
        except DefaultCredentialsError as exc:
            raise PubSubAccessDenied("no Google credentials on this machine") from exc
        except exceptions.GoogleAPICallError as exc:
            raise PublishError(f"cannot ask Pub/Sub about {path}: {type(exc).__name__}") from exc

    def close(self) -> None:
        """Flush pending batches and stop the client's threads."""
        with self._lock:
            if self._client is not None:
                self._client.stop()
                self._client = None
