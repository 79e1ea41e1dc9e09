"""Fixtures: the fake Pub/Sub server and `on_message` served by functions-framework."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakes.functions_server import PROJECT, FunctionServer, start_function, stop_function  # noqa: E402
from fakes.pubsub_server import PubSubServer  # noqa: E402


@pytest.fixture(scope="module")
def pubsub_server() -> Iterator[PubSubServer]:
    server = PubSubServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def on_message(
    pubsub_server: PubSubServer, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionServer]:
    """`on_message` served for real, publishing replies to the fake Pub/Sub."""
    server = start_function(
        "on_message",
        tmp_path_factory.mktemp("on_message"),
        {
            "DATABASE_URL": database_url,
            "GCP_PROJECT": PROJECT,
            "PUBSUB_EMULATOR_HOST": pubsub_server.host,
        },
    )
    yield server
    stop_function(server)
