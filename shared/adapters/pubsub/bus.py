"""`PubSubBus`: the serverless `shared.bus.Bus`, one topic per direction, ordered per chat."""

from __future__ import annotations

from shared.adapters.pubsub.envelope import encode
from shared.adapters.pubsub.publisher import Publisher
from shared.bus import with_reff_id
from shared.config import Settings
from shared.messages import InboundMessage, OutboundMessage


class PubSubBus:
    """Publishes inbound messages to `wa-inbound` and replies to `wa-outbound`."""

    def __init__(self, publisher: Publisher, *, inbound_topic: str, outbound_topic: str) -> None:
        self.publisher = publisher
        self._inbound_topic = inbound_topic
        self._outbound_topic = outbound_topic

    @classmethod
    def from_settings(cls, settings: Settings) -> PubSubBus:
        """The bus for the configured project and topics."""
        from shared.errors import ConfigError  # noqa: PLC0415

        if not settings.gcp_project:
            raise ConfigError("GCP_PROJECT is required for the Pub/Sub bus")
        return cls(
            Publisher(settings.gcp_project),
            inbound_topic=settings.pubsub_inbound_topic,
            outbound_topic=settings.pubsub_outbound_topic,
        )

    def publish_inbound(self, message: InboundMessage) -> None:
        """Publish a received message; the chat is the ordering key."""
        data, attributes = encode(message, wa_msg_id=message.wa_msg_id, kind=message.kind)
        self.publisher.publish(
            self._inbound_topic, data, ordering_key=message.chat, attributes=attributes
        )

    def publish_outbound(self, message: OutboundMessage) -> None:
        """Publish a reply or notification for the relay; the chat is the ordering key."""
        message = with_reff_id(message)
        ids = {"wa_msg_id": message.reply_to, "reff_id": message.correlation_id}
        data, attributes = encode(
            message, kind=message.kind, **{k: v for k, v in ids.items() if v}
        )
        self.publisher.publish(
            self._outbound_topic, data, ordering_key=message.chat, attributes=attributes
        )

    def close(self) -> None:
        """Flush and stop the publisher."""
        self.publisher.close()
