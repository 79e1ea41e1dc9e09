"""The fault-injection suite's world: one pool, one catalogue index, world time for locks."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

import shared.sandbox.engine
import shared.services.locks
from faults.world import Shared
from shared.sandbox.catalog import prepaid_items


@pytest.fixture(scope="module")
def world_shared(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    shared_world = Shared(database_url, Path(tmp_path_factory.mktemp("fault-world")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shared.services.locks, "time", shared_world.time)
        # Each run's supplier indexes the same generated catalogue: once is enough.
        patch.setattr(shared.sandbox.engine, "prepaid_items", functools.cache(prepaid_items))
        yield shared_world
    shared_world.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from faults.tally import TALLY  # noqa: PLC0415

    if TALLY["runs"] or TALLY["random runs"]:
        terminalreporter.write_line(
            f"fault injection: {TALLY['scenarios']} scenarios, {TALLY['runs']} runs,"
            f" {TALLY['fault points']} fault points ({TALLY['deaths']} process deaths),"
            f" {TALLY['random runs']} random multi-fault runs,"
            f" {TALLY['violations']} runs breaking an invariant"
        )
