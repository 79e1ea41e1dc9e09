"""WA Sales Bot core: domain, services, adapters and entry points shared by all runtimes."""

from shared.errors import (
    CacheError,
    ConfigError,
    LLMError,
    LLMRateLimited,
    LLMUnavailable,
    PaymentError,
    SalesbotError,
    StoreError,
    SupplierError,
    SupplierRejected,
    SupplierTimeout,
    SupplierUnavailable,
    WhatsAppError,
)
from shared.messages import InboundMessage, OutboundMessage

__all__ = [
    "CacheError",
    "ConfigError",
    "InboundMessage",
    "LLMError",
    "LLMRateLimited",
    "LLMUnavailable",
    "OutboundMessage",
    "PaymentError",
    "SalesbotError",
    "StoreError",
    "SupplierError",
    "SupplierRejected",
    "SupplierTimeout",
    "SupplierUnavailable",
    "WhatsAppError",
]
