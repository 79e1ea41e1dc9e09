"""How many scenarios and fault points ran, for the summary line at the end of the session."""

from __future__ import annotations

from collections import Counter

TALLY: Counter[str] = Counter()
