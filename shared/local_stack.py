"""Starts the in-process parts of the all-in-one mode around one `Components`.

The in-process bus gets `process_inbound` as its inbound consumer (WhatsApp messages from the
in-process relay) and any number of outbound consumers (the relay's sender, the console chat).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.bus import InProcessBus, OutboundHandler
from shared.errors import ConfigError
from shared.services.inbound import process_inbound
from shared.wiring import Components


@dataclass(kw_only=True)
class LocalStack:
    """What `start_local_stack` started; `stop` drains and stops it."""

    bus: InProcessBus

    def stop(self) -> None:
        """Drain the queues and stop the bus threads."""
        self.bus.stop()


def start_local_stack(
    components: Components, *, on_outbound: OutboundHandler | None = None
) -> LocalStack:
    """Wire and start the in-process bus of `components`."""
    bus = components.bus
    if not isinstance(bus, InProcessBus):
        raise ConfigError("the all-in-one mode needs the in-process bus")
    bus.on_inbound(lambda message: process_inbound(message, components))
    if on_outbound is not None:
        bus.on_outbound(on_outbound)
    bus.start()
    return LocalStack(bus=bus)
