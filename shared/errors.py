"""The error hierarchy of the bot.

    SalesbotError
    ├── ConfigError              a developer or operator mistake in configuration
    ├── StoreError               the database refused or could not be reached
    ├── CacheError               the cache could not be reached
    ├── SupplierError            anything from Atlantic H2H
    │   ├── SupplierRejected     definite "no" (safe to refund): code, message
    │   ├── SupplierUnavailable  nothing happened (connection refused, 5xx before processing)
    │   └── SupplierTimeout      may have happened: the outcome is ambiguous, keep it pending
    │       └── SupplierUnreadable   it answered with data we cannot trust (an amount that is
    │                                not whole rupiah): nothing moves, the owner is told
    ├── PaymentError             a money rule refused the operation
    ├── LLMError
    │   ├── LLMRateLimited       quota / 429: retry_after seconds when known
    │   └── LLMUnavailable       5xx, timeouts, no usable key
    └── WhatsAppError            the relay cannot send or is logged out

Exceptions carry what the caller needs to act (reff_id, supplier id, retry_after) and never a
secret: messages are built from our own identifiers, not from request URLs or bodies.
"""

from __future__ import annotations


class SalesbotError(Exception):
    """Root of every error raised by this package."""


class ConfigError(SalesbotError):
    """Configuration is missing or malformed; the message names the variable."""


class StoreError(SalesbotError):
    """The database refused or could not be reached."""


class CacheError(SalesbotError):
    """The cache could not be reached."""


class SupplierError(SalesbotError):
    """Base for supplier failures; `reff_id` and `supplier_id` identify the operation."""

    def __init__(
        self, message: str, *, reff_id: str | None = None, supplier_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.reff_id = reff_id
        self.supplier_id = supplier_id


class SupplierRejected(SupplierError):
    """The supplier definitely declined; nothing was bought, a hold may be released."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        reff_id: str | None = None,
        supplier_id: str | None = None,
    ) -> None:
        super().__init__(message, reff_id=reff_id, supplier_id=supplier_id)
        self.code = code


class SupplierUnavailable(SupplierError):
    """The supplier could not be reached and nothing happened there."""


class SupplierTimeout(SupplierError):
    """The outcome is unknown (timeout, HTML challenge, unknown status): keep it pending."""


class SupplierUnreadable(SupplierTimeout):
    """The supplier answered with data we cannot trust (an amount that is not whole rupiah).

    As ambiguous as a timeout: nothing moves on it and the owner is alerted.
    """


class PaymentError(SalesbotError):
    """A money rule refused the operation (insufficient saldo, final state, expired quote)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LLMError(SalesbotError):
    """Base for model failures."""


class LLMRateLimited(LLMError):
    """Quota exhausted or HTTP 429."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LLMUnavailable(LLMError):
    """Server errors, timeouts, or no key available."""


class WhatsAppError(SalesbotError):
    """The WhatsApp connection cannot send or has been logged out."""
