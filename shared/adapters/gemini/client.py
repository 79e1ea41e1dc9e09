"""One google-genai client per API key, and the mapping of SDK errors onto ours.

The SDK raises `errors.ClientError`/`errors.ServerError` for HTTP statuses and lets httpx2
transport exceptions through unwrapped (tech-notes §1.6); `call_gemini` turns all of them into
`LLMRateLimited` (the key is out of quota or refused), `LLMUnavailable` (5xx, timeouts, transport:
worth another key) or a plain `LLMError` (our request is wrong: another key would not help).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shared.errors import LLMError, LLMRateLimited, LLMUnavailable

if TYPE_CHECKING:
    from google import genai
    from google.genai import types

    from shared.config import Settings


class LLMKeyRejected(LLMRateLimited):
    """The key itself was refused (401/403): rest it like a quota error, with its own reason."""


class LLMPerMinuteLimit(LLMRateLimited):
    """A 429 whose QuotaFailure names a per-minute quota: the key is fine again in a minute."""


def make_client(api_key: str, settings: Settings) -> genai.Client:
    """A client for one key, pointed at GEMINI_BASE_URL when set, with the configured timeout.

    SDK retries stay off (its default): the rotator decides what to try next.
    """
    from google import genai  # noqa: PLC0415  (lazy: ~300 ms import, tech-notes §7)
    from google.genai import types  # noqa: PLC0415

    options = types.HttpOptions(timeout=settings.gemini_timeout_ms, api_version="v1beta")
    if settings.gemini_base_url:
        options.base_url = settings.gemini_base_url
    return genai.Client(api_key=api_key, http_options=options)


def call_gemini(
    client: genai.Client,
    *,
    model: str,
    contents: list[types.Content],
    config: types.GenerateContentConfig,
) -> types.GenerateContentResponse:
    """One generateContent request, with every failure mapped onto the `LLMError` tree."""
    with _mapped_errors():
        return client.models.generate_content(model=model, contents=contents, config=config)


def offered_models(client: genai.Client) -> list[str]:
    """The model ids this key may use (one models.list call, no generation), `models/` removed.

    Raises:
        LLMError: mapped as for `call_gemini` (`LLMKeyRejected` for a key Google refuses).
    """
    from google.genai import types  # noqa: PLC0415

    with _mapped_errors():
        listed = client.models.list(config=types.ListModelsConfig(page_size=1000))
        return [str(m.name or "").removeprefix("models/") for m in listed]


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    import httpx2  # noqa: PLC0415
    from google.genai import errors  # noqa: PLC0415

    try:
        yield
    except errors.APIError as exc:
        raise _map_api_error(exc.code, exc.status, exc.details) from exc
    except httpx2.TimeoutException as exc:
        raise LLMUnavailable("timeout") from exc
    except httpx2.TransportError as exc:
        raise LLMUnavailable(f"transport: {type(exc).__name__}") from exc
    except ValueError as exc:  # the SDK refusing our request or a malformed body
        raise LLMError(f"invalid request or response: {type(exc).__name__}") from exc


def _map_api_error(code: int, status: str | None, details: object) -> LLMError:
    label = f"{code} {status or ''}".strip()
    if code == 429 or status == "RESOURCE_EXHAUSTED":
        if any("PerMinute" in quota for quota in _quota_ids(details)):
            return LLMPerMinuteLimit(label, retry_after=_retry_after(details))
        return LLMRateLimited(label, retry_after=_retry_after(details))
    # A key Google does not know is a 400 INVALID_ARGUMENT whose ErrorInfo says API_KEY_INVALID:
    # the key's fault, so it rests and the next key takes the turn.
    if code in (401, 403) or "API_KEY_INVALID" in _reasons(details):
        return LLMKeyRejected(label)
    if code >= 500 or code == 408:
        return LLMUnavailable(label)
    return LLMError(label)


_SECONDS = re.compile(r"^(\d+(?:\.\d+)?)s$")


def _detail_items(details: object, kind: str) -> list[dict[str, object]]:
    """The `error.details` entries of one google.rpc type (RetryInfo, QuotaFailure)."""
    error = details.get("error") if isinstance(details, dict) else None
    items = error.get("details") if isinstance(error, dict) else None
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and str(i.get("@type", "")).endswith(kind)]


def _retry_after(details: object) -> float | None:
    """The google.rpc.RetryInfo delay of a 429 body (e.g. "23s"), when present."""
    for item in _detail_items(details, "RetryInfo"):
        match = _SECONDS.match(str(item.get("retryDelay", "")))
        if match:
            return float(match.group(1))
    return None


def _reasons(details: object) -> list[str]:
    """The google.rpc.ErrorInfo reasons of an error body (e.g. `API_KEY_INVALID`)."""
    return [str(item.get("reason", "")) for item in _detail_items(details, "ErrorInfo")]


def _quota_ids(details: object) -> list[str]:
    """The quota ids a 429's QuotaFailure names (e.g. `GenerateRequestsPerDay…`)."""
    ids = []
    for item in _detail_items(details, "QuotaFailure"):
        violations = item.get("violations")
        for violation in violations if isinstance(violations, list) else []:
            if isinstance(violation, dict):
                ids.append(str(violation.get("quotaId", "")))
    return ids
