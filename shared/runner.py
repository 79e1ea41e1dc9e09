"""`salesbot serve`: the all-in-one process (HTTP server, jobs, console chat)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from werkzeug.serving import BaseWSGIServer, make_server

from shared.adapters.postgres.migrate import apply_migrations
from shared.bus import InProcessBus
from shared.config import Settings, get_settings
from shared.console import ConsoleChat
from shared.jobs import JobLoop
from shared.local_stack import LocalStack, start_local_stack
from shared.log import setup_logging
from shared.web import create_app
from shared.wiring import Components

log = logging.getLogger(__name__)

# The console customer of `make run`; `salesbot chat --user` picks any other number.
CONSOLE_PHONE = "6281234567890"


def _say(text: str) -> None:
    print(f"\n{text}\n", flush=True)


def _console_loop(chat: ConsoleChat, stopping: threading.Event) -> None:
    """Read the terminal until Ctrl-D (which stops the process, like Ctrl-C)."""
    print("Chat dengan bot di sini (Ctrl-D atau Ctrl-C untuk berhenti). Coba: halo", flush=True)
    while not stopping.is_set():
        try:
            line = input()
        except (EOFError, OSError):
            stopping.set()
            return
        if line.strip():
            try:
                chat.send(line)
            except Exception:
                log.exception("console message failed")


class Runner:
    """Owns the threads of the all-in-one process and stops them in order."""

    def __init__(self, components: Components, *, host: str, port: int) -> None:
        self.components = components
        self.stopping = threading.Event()
        self._server: BaseWSGIServer = make_server(
            host, port, create_app(components), threaded=True
        )
        self._http_thread = threading.Thread(
            target=self._server.serve_forever, name="http", daemon=True
        )
        self._jobs = JobLoop(components, self.stopping)
        self._stack: LocalStack | None = None
        self.console: ConsoleChat | None = None

    @property
    def port(self) -> int:
        """The bound HTTP port (useful with port 0)."""
        return int(self._server.server_port)

    def start(self, *, console_phone: str | None = None) -> None:
        """Migrate the database and start serving (with a console chat when a phone is given)."""
        applied = apply_migrations(self.components.database_url)
        if applied:
            log.info("database migrated: %s", ", ".join(applied))
        if console_phone is not None:
            self.console = ConsoleChat(self.components, phone=console_phone, printer=_say)
        self._stack = start_local_stack(
            self.components, on_outbound=self.console.on_outbound if self.console else None
        )
        # WhatsApp next to the console chat when WA_ENABLED=1 (the relay's hook, defined below).
        start_whatsapp_if_enabled(self.components, self._stack.bus, self.stopping)
        self._http_thread.start()
        self._jobs.start()
        log.info("listening on http://%s:%d", self._server.host, self.port)

    def stop(self) -> None:
        """Stop serving and release resources."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._jobs.join(timeout=10)
        # Webhooks still queued stay recorded in the inbox; the next reconcile sweeps them.
        self.components.stop_settle_worker()
        if self._stack is not None:
            self._stack.stop()
        log.info("stopped")


def serve_command(args: argparse.Namespace) -> int:
    """Run until Ctrl-C or SIGTERM; works the same with or without a terminal on stdin."""
    settings = get_settings()
    setup_logging(settings.log_level, settings.log_format)
    interactive = sys.stdin.isatty() and not args.no_console
    settings = settings.model_copy(
        update={
            "http_host": args.host or settings.http_host,
            "http_port": args.port if args.port is not None else settings.http_port,
            # On embedded defaults nobody is an admin: the person at this terminal owns the
            # process (and its database), so the terminal chat is the owner's. Never with
            # WhatsApp connected: the console's phone number could then be a real sender.
            "admin_numbers": settings.admin_numbers
            or (CONSOLE_PHONE if interactive and not settings.wa_enabled else ""),
        }
    )
    runner = Runner(
        Components(settings=settings), host=settings.http_host, port=settings.http_port
    )

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d received, shutting down", signum)
        runner.stopping.set()

    # Installed before start: /healthz answers while start() is still wiring the rest, and a
    # service manager's SIGTERM in that window must still shut down cleanly.
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    runner.start(console_phone=CONSOLE_PHONE if interactive else None)
    print(f"salesbot is up: http://{settings.http_host}:{runner.port}/healthz", file=sys.stderr)
    print(console_hint(settings, interactive=interactive), file=sys.stderr)
    if runner.console is not None:
        threading.Thread(
            target=_console_loop, args=(runner.console, runner.stopping), daemon=True
        ).start()
    runner.stopping.wait()
    runner.stop()
    return 0


def console_hint(settings: Settings, *, interactive: bool) -> str:
    """How the owner opens the web console: where it is and how to get a login link."""
    where = "type /login in the chat below" if interactive else "send /login to the bot"
    admins = ", ".join(sorted(settings.admins)) or "none: set ADMIN_NUMBERS"
    return (
        f"owner's console: {settings.console_base_url} ({where} from an admin number "
        f"[{admins}] for a one-time link)"
    )


# --- WhatsApp in the all-in-one process (relay engineer) -----------------------------------------


def start_whatsapp_if_enabled(
    components: Components, bus: InProcessBus, stopping: threading.Event
) -> object | None:
    """With WA_ENABLED=1, run the WhatsApp relay on `bus` until `stopping` is set.

    Call it after the bus's consumers are registered; neonize is imported only when enabled.
    """
    if not components.settings.wa_enabled:
        return None
    from shared.adapters.whatsapp.relay import start_whatsapp  # noqa: PLC0415

    return start_whatsapp(components, bus, stopping)
