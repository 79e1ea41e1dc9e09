"""The agent services of a process: the conversation engine's services behind `AgentServices`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.agent.context import AgentServices
    from shared.wiring import Components


def agent_services(components: Components) -> AgentServices:
    """The services the agent's tools call in this process: the conversation engine's."""
    from shared.services.agent_services import ConversationServices  # noqa: PLC0415

    return ConversationServices(components)
