"""The `salesbot` console script: one verb per way of running the bot.

Each verb imports its implementation lazily so `salesbot parse` does not pay for the WhatsApp
or Gemini libraries.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from shared.errors import ConfigError

# verb -> "module:function"; each function takes the parsed argparse.Namespace and returns an
# exit code.
_VERBS: dict[str, str] = {
    "serve": "shared.runner:serve_command",
    "chat": "shared.chat_cli:chat_command",
    "parse": "shared.nlu_cli:parse_command",
    "search": "shared.nlu_cli:search_command",
    "sandbox": "shared.sandbox.server:sandbox_command",
    "migrate": "shared.adapters.postgres.migrate:migrate_command",
    "relay": "shared.adapters.whatsapp.relay:relay_command",
    "doctor": "shared.doctor:doctor_command",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every verb."""
    parser = argparse.ArgumentParser(prog="salesbot", description="WhatsApp PPOB sales bot")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    serve = verbs.add_parser("serve", help="run the all-in-one bot (HTTP, console chat, jobs)")
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default 8080)")
    serve.add_argument("--host", default=None, help="HTTP host (default 127.0.0.1)")
    serve.add_argument(
        "--no-console", action="store_true", help="do not open the chat on this terminal"
    )

    chat = verbs.add_parser("chat", help="talk to the local bot (piped: one message per line)")
    chat.add_argument("--user", default="6281234567890", help="customer phone number")
    chat.add_argument(
        "--wait", type=float, default=2.0, help="seconds to wait for late notifications at the end"
    )

    parse = verbs.add_parser("parse", help="offline parser: intent and slots as JSON")
    parse.add_argument("text", nargs="?", help="the message to parse")
    parse.add_argument("--jsonl", action="store_true", help="read one message per stdin line")

    search = verbs.add_parser("search", help="catalog search as JSON")
    search.add_argument("query", nargs="?", default="", help="what to look for")
    search.add_argument("--budget", type=int, default=None, help="only items up to this price")
    search.add_argument("--limit", type=int, default=5, help="maximum items (default 5)")
    search.add_argument("--jsonl", action="store_true", help="read one query per stdin line")

    sandbox = verbs.add_parser("sandbox", help="run the Atlantic H2H sandbox as an HTTP server")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--webhook-url", default=None, help="where to POST webhooks")
    sandbox.add_argument("--catalog-size", type=int, default=None, help="prepaid items to build")
    sandbox.add_argument("--state-file", default=None, help="where state survives restarts")

    verbs.add_parser("migrate", help="apply migrations/ to the configured database")

    relay = verbs.add_parser("relay", help="run the WhatsApp relay (serverless mode, Pub/Sub)")
    relay.add_argument("--pair-phone", default=None, help="log in with a pairing code")

    doctor = verbs.add_parser(
        "doctor", help="check every configured component for real; exit 1 on any problem"
    )
    doctor.add_argument(
        "--skip",
        action="append",
        metavar="CHECK",
        help="leave a check out (repeatable), e.g. --skip atlantic from an unwhitelisted machine",
    )
    return parser


def _resolve(target: str) -> Callable[[argparse.Namespace], int]:
    module_name, _, attr = target.partition(":")
    func: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module_name), attr)
    return func


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        return _resolve(_VERBS[args.verb])(args)
    except ConfigError as exc:
        print(f"salesbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
