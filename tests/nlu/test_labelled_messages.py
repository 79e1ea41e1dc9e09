"""The parser against the labelled message set: precision when it answers, and coverage.

`data/messages.jsonl` holds realistic customer messages (slang, typos, mixed Indonesian and
English, money written every way) with the expected intent and canonical slots. A message counts
as right only when the intent and every slot match exactly. Precision = right / answered (not
`unknown`); coverage = answered / messages whose expected intent is not `unknown`. An expected
`unknown` (gibberish, instruction injection) answered with anything else is a precision error.
"""

from __future__ import annotations

import json
from pathlib import Path

from shared.domain.parser import INTENTS, SLOT_KEYS, parse

DATA = Path(__file__).parent / "data" / "messages.jsonl"
PRECISION_FLOOR = 0.98
COVERAGE_FLOOR = 0.90


def _labelled() -> list[dict[str, object]]:
    return [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]


def test_the_labelled_set_is_big_and_well_formed() -> None:
    rows = _labelled()
    assert len(rows) >= 250
    for row in rows:
        assert row["intent"] in INTENTS, row
        assert set(row["slots"]) <= set(SLOT_KEYS), row  # type: ignore[arg-type]


def test_precision_and_coverage_stay_above_their_floors() -> None:
    rows = _labelled()
    answered = right = expected_known = 0
    wrong: list[str] = []
    for row in rows:
        got = parse(str(row["text"]))
        if row["intent"] != "unknown":
            expected_known += 1
        if got.intent == "unknown":
            continue
        answered += 1
        if got.intent == row["intent"] and got.slots == row["slots"]:
            right += 1
        else:
            wrong.append(f"{row['text']!r}: got {got.intent} {got.slots}, want {row}")
    precision = right / answered
    coverage = answered / expected_known
    print(f"\nlabelled messages: {len(rows)}, precision {precision:.3f}, coverage {coverage:.3f}")
    assert precision >= PRECISION_FLOOR, "\n".join(wrong)
    assert coverage >= COVERAGE_FLOOR


def test_expected_unknowns_are_never_answered() -> None:
    for row in _labelled():
        if row["intent"] == "unknown":
            assert parse(str(row["text"])).intent == "unknown", row["text"]
