"""A bar chart as plain numbers for an inline SVG drawn by a template (no script, no styles).

The template draws each `Bar` as a `<rect>`; the geometry lives in a 0..WIDTH x 0..HEIGHT
viewBox so the browser scales it to the phone's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 300
HEIGHT = 120
GAP = 2


@dataclass(frozen=True, kw_only=True)
class Bar:
    """One bar: where to draw it, and what its tooltip says."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    negative: bool


@dataclass(frozen=True, kw_only=True)
class Chart:
    """Bars over a zero line at `baseline` (below it when values are negative)."""

    bars: tuple[Bar, ...]
    baseline: float
    top: int
    bottom: int
    width: int = WIDTH
    height: int = HEIGHT


def bar_chart(values: Sequence[int], labels: Sequence[str]) -> Chart:
    """Bars for `values` (e.g. daily profit), scaled to the largest magnitude."""
    top = max([0, *values])
    bottom = min([0, *values])
    span = (top - bottom) or 1
    baseline = HEIGHT * top / span
    slot = WIDTH / max(len(values), 1)
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        size = HEIGHT * abs(value) / span
        bars.append(
            Bar(
                x=round(i * slot + GAP / 2, 2),
                y=round(baseline - size if value >= 0 else baseline, 2),
                width=round(max(slot - GAP, 1), 2),
                height=round(max(size, 0.5 if value else 0), 2),
                label=label,
                value=value,
                negative=value < 0,
            )
        )
    return Chart(bars=tuple(bars), baseline=round(baseline, 2), top=top, bottom=bottom)
