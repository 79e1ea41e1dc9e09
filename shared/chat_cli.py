"""`salesbot chat`: talk to the all-in-one bot in this process, on whatever is configured.

With piped input every line is one customer message; each reply is printed after a `> line`
echo of the message, then the command waits up to `--wait` seconds for notifications that
arrive later (a top-up's result, a deposit credited) and exits 0. In a terminal it is an
interactive chat until Ctrl-D or Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable

from shared.adapters.postgres.migrate import apply_migrations
from shared.config import get_settings
from shared.console import ConsoleChat
from shared.local_stack import start_local_stack
from shared.log import setup_logging
from shared.wiring import Components

PENDING = {"pending", "processing"}
# After the last pending item settles, its notification may still be on its way to the bus.
SETTLE_GRACE_SECONDS = 0.5


def _emit(text: str) -> None:
    sys.stdout.write(text + "\n\n")
    sys.stdout.flush()


def chat_command(args: argparse.Namespace) -> int:
    """Run the chat; returns the exit code (0)."""
    settings = get_settings()
    setup_logging("warning" if settings.log_level == "info" else settings.log_level, "text")
    components = Components(settings=settings)
    apply_migrations(components.database_url)
    chat = ConsoleChat(components, phone=args.user, printer=_emit)
    stack = start_local_stack(components, on_outbound=chat.on_outbound)
    try:
        if sys.stdin.isatty():
            _interactive(chat)
        else:
            replay(chat, sys.stdin, wait=float(args.wait), echo=_echo)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


def _echo(line: str) -> None:
    sys.stdout.write(f"> {line}\n")


def replay(
    chat: ConsoleChat, lines: Iterable[str], *, wait: float, echo: Callable[[str], None]
) -> None:
    """The piped chat: send every non-blank line in order (echoed first), then wait.

    The conversation corpus (tests/conversation/corpus) drives this same function.
    """
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.strip():
            echo(line)
            chat.send(line)
    wait_for_notifications(chat, wait)


def _interactive(chat: ConsoleChat) -> None:
    print("Ngobrol sama bot (Ctrl-D untuk keluar). Coba: halo, viu berapa?, saldo", flush=True)
    while True:
        try:
            line = input("kamu> ")
        except EOFError:
            print()
            return
        if line.strip():
            chat.send(line)


def wait_for_notifications(chat: ConsoleChat, wait: float) -> None:
    """Wait until this customer has nothing pending (plus a short grace), at most `wait` s."""
    deadline = time.monotonic() + max(wait, 0.0)
    resolved = chat.components.store.resolve_customer(phone=chat.phone, chat_jid=chat.chat)
    customer_id = str(resolved.customer_id)
    while time.monotonic() < deadline:
        items = chat.components.store.history(customer_id, limit=10)
        if not any(item.status in PENDING for item in items):
            time.sleep(min(SETTLE_GRACE_SECONDS, max(deadline - time.monotonic(), 0)))
            return
        time.sleep(0.1)
