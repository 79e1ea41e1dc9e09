"""One line of the doctor's report: a check, whether it passed, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Finding:
    """What one check found; `text` says what it saw and, on a failure, what to do."""

    ok: bool
    check: str
    text: str

    def line(self) -> str:
        """The report line: ✓ or ✗, the check's name, the text."""
        return f"{'✓' if self.ok else '✗'} {self.check}: {self.text}"


def passed(check: str, text: str) -> Finding:
    """A check that found what it should."""
    return Finding(ok=True, check=check, text=text)


def failed(check: str, text: str) -> Finding:
    """A check that found a problem; `text` ends with what to do about it."""
    return Finding(ok=False, check=check, text=text)
