"""Atlantic H2H adapter: the HTTP client, typed responses, status mapping and webhook parsing."""

from shared.adapters.atlantic.client import AtlanticClient
from shared.adapters.atlantic.transport import ApiKeyRefused, IpNotWhitelisted, make_http_client
from shared.adapters.atlantic.webhook import AtlanticWebhook, MalformedWebhook, signature_for

__all__ = [
    "ApiKeyRefused",
    "AtlanticClient",
    "AtlanticWebhook",
    "IpNotWhitelisted",
    "MalformedWebhook",
    "make_http_client",
    "signature_for",
]
