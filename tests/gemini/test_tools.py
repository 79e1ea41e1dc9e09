"""The tool registry as Gemini sees it: described parameters, valid schemas, thin delegations."""

from __future__ import annotations

from typing import Any

import pytest
from fakes.agent_services import FakeServices

from shared.agent import tools
from shared.agent.context import ToolContext
from shared.agent.loop import run_tool, tool_config

SAMPLE = {"string": "TSEL10", "integer": 5_000, "boolean": False}


def _params(name: str) -> dict[str, Any]:
    return tools.parameters_schema(name)["properties"]  # type: ignore[return-value]


@pytest.mark.parametrize("name", list(tools.TOOLS))
def test_every_tool_and_parameter_is_described(name: str) -> None:
    assert len(tools.description(name)) > 15
    for param, schema in _params(name).items():
        assert schema.get("description"), f"{name}.{param} has no description"
        assert "title" not in schema


def _sample(schema: dict[str, Any]) -> object:
    if "enum" in schema:
        return schema["enum"][-1]
    value = SAMPLE[schema["type"]]
    if isinstance(value, int) and not isinstance(value, bool):
        value = max(schema.get("minimum", value), min(schema.get("maximum", value), value))
    return value


@pytest.mark.parametrize("name", list(tools.TOOLS))
def test_every_tool_accepts_schema_valid_arguments(name: str) -> None:
    # Like pydantic-ai's TestModel: call each tool with arguments built from its schema alone.
    args = {param: _sample(schema) for param, schema in _params(name).items()}
    services = FakeServices(balance_of={"c": 50_000})
    ctx = ToolContext(customer_id="c", services=services)

    result = run_tool(name, args, ctx)

    assert "error" not in result, result
    assert len(ctx.proposals) == (1 if name.startswith("propose_") else 0)
    assert services.money_moves == []


def test_unknown_and_extra_arguments_are_refused_for_the_model_to_fix() -> None:
    ctx = ToolContext(customer_id="c", services=FakeServices())
    result = run_tool("get_balance", {"customer_id": "someone-else"}, ctx)
    assert "invalid arguments" in str(result["error"])


def test_a_service_refusal_reaches_the_model_as_a_reason() -> None:
    ctx = ToolContext(customer_id="c", services=FakeServices())
    result = run_tool("propose_topup", {"product_code": "NOPE", "target": "0812"}, ctx)
    assert result == {"error": "refused: unknown product NOPE"}


def test_an_unexpected_crash_is_not_leaked_to_the_model() -> None:
    class Broken(FakeServices):
        def balance(self, customer_id: str) -> object:
            raise RuntimeError("postgres://user:secret@host failed")

    ctx = ToolContext(customer_id="c", services=Broken())
    result = run_tool("get_balance", {}, ctx)
    assert "secret" not in str(result)
    assert "internal error" in str(result["error"])


def test_config_disables_automatic_function_calling() -> None:
    config = tool_config(allow_tools=True, system="x", max_tokens=100)
    assert config.automatic_function_calling is not None
    assert config.automatic_function_calling.disable is True
    assert not any(callable(t) for t in config.tools or [])
