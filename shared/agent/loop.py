"""Our own bounded function-calling loop over google-genai (automatic calling stays off).

Each step sends the conversation; function calls are validated with their argument model and
run, their results appended as function responses, and the model's own content is appended
unchanged (it carries thought signatures). Bad arguments go back as `{"error": ...}` for the
model to correct; service refusals go back as a plain reason; any other exception is logged and
reported as an internal error, never raw. The last allowed step forbids tool calls so the model
must answer in words.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError

from shared.agent import tools
from shared.errors import SalesbotError

if TYPE_CHECKING:
    from google.genai import types

    from shared.agent.context import ToolContext

log = logging.getLogger(__name__)

MAX_STEPS = 5
_RESULT_CHARS = 2_000


class LLM(Protocol):
    """The model port: one generateContent call (key rotation lives behind it)."""

    def generate(
        self, contents: list[types.Content], config: types.GenerateContentConfig
    ) -> types.GenerateContentResponse:
        """Answer the conversation, or raise `LLMRateLimited` / `LLMUnavailable`."""
        ...


@dataclass(kw_only=True)
class LoopResult:
    """The model's final words, the tool calls made, the data tools returned, tokens used."""

    text: str
    tool_calls: list[str] = field(default_factory=list)
    tool_outputs: list[dict[str, object]] = field(default_factory=list)
    steps: int = 0
    tokens: int = 0


def tool_config(*, allow_tools: bool, system: str, max_tokens: int) -> types.GenerateContentConfig:
    """The request config: persona, declarations, AFC disabled, our own calling mode."""
    from google.genai import types  # noqa: PLC0415

    declarations = [
        types.FunctionDeclaration(
            name=name,
            description=tools.description(name),
            parameters_json_schema=tools.parameters_schema(name),
        )
        for name in tools.TOOLS
    ]
    return types.GenerateContentConfig(
        system_instruction=system,
        tools=[types.Tool(function_declarations=declarations)],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        tool_config=types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(
                mode="AUTO" if allow_tools else "NONE"
            )
        ),
        temperature=0.3,
        max_output_tokens=max_tokens,
    )


def run_loop(
    llm: LLM,
    *,
    contents: list[types.Content],
    ctx: ToolContext,
    system: str,
    max_tokens: int = 512,
    max_steps: int = MAX_STEPS,
) -> LoopResult:
    """Run the model until it answers in words or `max_steps` requests were made."""
    from google.genai import types  # noqa: PLC0415

    result = LoopResult(text="")
    for step in range(1, max_steps + 1):
        config = tool_config(allow_tools=step < max_steps, system=system, max_tokens=max_tokens)
        response = llm.generate(contents, config)
        result.steps = step
        usage = response.usage_metadata
        result.tokens += (usage.total_token_count or 0) if usage else 0
        calls = response.function_calls or []
        candidate = response.candidates[0].content if response.candidates else None
        if not calls or candidate is None:
            result.text = _text_of(response)
            return result
        contents.append(candidate)
        parts = []
        for call in calls:
            name = call.name or ""
            output = run_tool(name, dict(call.args or {}), ctx)
            result.tool_calls.append(name)
            result.tool_outputs.append(output)
            parts.append(
                types.Part(
                    function_response=types.FunctionResponse(
                        id=call.id, name=name, response=output
                    )
                )
            )
        contents.append(types.Content(role="user", parts=parts))
    return result


def run_tool(name: str, args: dict[str, object], ctx: ToolContext) -> dict[str, object]:
    """Validate and run one tool call; the dict is the function response the model reads."""
    entry = tools.TOOLS.get(name)
    if entry is None:
        return {"error": f"unknown tool {name!r}; use only the declared tools"}
    model, handler = entry
    try:
        parsed = model.model_validate(args)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'args'}: {e['msg']}" for e in exc.errors()
        )
        return {"error": f"invalid arguments ({problems}); fix them or ask the customer"}
    try:
        output = handler(parsed, ctx)
    except SalesbotError as exc:
        return {"error": f"refused: {exc}"}
    except Exception:
        log.exception("tool %s failed", name)
        return {"error": "internal error; apologise briefly and suggest trying again later"}
    text = json.dumps(output, ensure_ascii=False, default=str)
    if len(text) > _RESULT_CHARS:  # keep the next request small; the model sees the head
        return {"output": text[:_RESULT_CHARS], "truncated": True}
    return {"output": output}


def _text_of(response: types.GenerateContentResponse) -> str:
    content = response.candidates[0].content if response.candidates else None
    parts = content.parts if content else None
    texts = [p.text for p in parts or [] if p.text and not p.thought]
    return "".join(texts).strip()
