"""Pub/Sub message bodies: encoding our models for publishing and decoding push envelopes.

A push delivery (CloudEvent `google.cloud.pubsub.topic.v1.messagePublished`) carries
`{"message": {"data": base64, "attributes", "messageId", "publishTime"}, "subscription"}`;
raw push bodies converted by functions-framework lack `subscription`, and real deliveries may add
snake_case duplicates and `deliveryAttempt`, so every field but `data` is optional here.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel

from shared.errors import SalesbotError


class EnvelopeError(SalesbotError):
    """A push body that is not a decodable Pub/Sub message (permanent: ack and log)."""


@dataclass(frozen=True, kw_only=True)
class PushedMessage:
    """The parts of one pushed Pub/Sub message that handlers use."""

    message_id: str
    data: bytes
    attributes: Mapping[str, str]
    publish_time: datetime | None
    delivery_attempt: int | None


def encode(model: BaseModel, **attributes: str) -> tuple[bytes, dict[str, str]]:
    """The JSON body of `model` and its attributes (the schema version rides along as `v`)."""
    version = str(getattr(model, "v", 1))
    return model.model_dump_json(exclude_none=True).encode(), {"v": version, **attributes}


def decode_push(data: object, *, fallback_id: str = "") -> PushedMessage:
    """Read a push envelope (the CloudEvent's `data`).

    Raises:
        EnvelopeError: the body is not a Pub/Sub envelope or its data is not base64.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("message"), Mapping):
        raise EnvelopeError("not a Pub/Sub envelope: no message object")
    message: Mapping[str, object] = data["message"]
    raw = message.get("data", "")
    if not isinstance(raw, str):
        raise EnvelopeError("message.data is not a base64 string")
    try:
        payload = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError("message.data is not valid base64") from exc
    attributes = message.get("attributes") or {}
    if not isinstance(attributes, Mapping):
        raise EnvelopeError("message.attributes is not an object")
    message_id = message.get("messageId") or message.get("message_id") or fallback_id
    attempt = data.get("deliveryAttempt") or message.get("deliveryAttempt")
    return PushedMessage(
        message_id=str(message_id),
        data=payload,
        attributes={str(k): str(v) for k, v in attributes.items()},
        publish_time=_parse_time(message.get("publishTime") or message.get("publish_time")),
        delivery_attempt=int(attempt) if isinstance(attempt, int | str) and attempt else None,
    )


def decode_json(payload: bytes) -> object:
    """The JSON value of a message body.

    Raises:
        EnvelopeError: the body is not UTF-8 JSON.
    """
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError("message data is not JSON") from exc


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
