"""`salesbot doctor`: checks every configured component for real and says what to do.

Run it before deploying (with the cloud services' settings in `.env` on your machine) and after:
one line per check, ✓ or ✗ with what it found and what to do, exit status 1 on any ✗. On the
embedded defaults (nothing configured) it reports the embedded stack and passes. The checks reuse
the bot's own wiring and adapters (`shared.wiring.Components`); modules: `data` (database,
migrations, RLS, the WhatsApp session) and `services` (cache, Atlantic, Gemini keys, Pub/Sub,
media bucket, webhook URL).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TextIO

from shared.doctor import data, services
from shared.doctor.finding import Finding, failed

if TYPE_CHECKING:
    from shared.wiring import Components

Check = Callable[["Components"], list[Finding]]

CHECKS: dict[str, Check] = {
    "database": data.database,
    "migrations": data.migrations,
    "rls": data.rls,
    "cache": services.cache,
    "atlantic": services.atlantic,
    "gemini": services.gemini,
    "pubsub": services.pubsub,
    "media": services.media,
    "webhook": services.webhook,
    "whatsapp": data.session,
}


def run_doctor(components: Components, *, out: TextIO, skip: Iterable[str] = ()) -> int:
    """Print one line per check; 0 when every check passed, 1 otherwise."""
    skipped = set(skip)
    print(f"salesbot doctor: {_stack(components)}", file=out)
    problems = ran = 0
    for name, check in CHECKS.items():
        if name in skipped:
            print(f"- {name}: skipped (--skip {name})", file=out)
            continue
        for finding in _run(name, check, components):
            print(finding.line(), file=out, flush=True)
            ran += 1
            problems += not finding.ok
    if problems:
        print(f"{problems} of {ran} checks failed: fix the ✗ lines and run it again", file=out)
        return 1
    print(f"all {ran} checks passed", file=out)
    return 0


def _run(name: str, check: Check, components: Components) -> list[Finding]:
    try:
        return check(components)
    except Exception as exc:  # noqa: BLE001 - a broken check is a ✗ line, never a traceback
        reason = str(exc).splitlines()[0][:200] if str(exc) else ""
        return [failed(name, f"the check could not run ({type(exc).__name__}: {reason})")]


def _stack(components: Components) -> str:
    settings = components.settings
    parts = {
        "database": {"embedded": "embedded Postgres", "postgres": "Postgres (DATABASE_URL)"}.get(
            settings.database_mode, "Supabase"
        ),
        "cache": {"memory": "in-memory", "redis": "Redis"}.get(settings.cache_mode, "Upstash"),
        "supplier": "Atlantic sandbox" if settings.uses_sandbox else "Atlantic",
        "bus": "Pub/Sub" if settings.gcp_project else "in-process",
    }
    return ", ".join(f"{key} {value}" for key, value in parts.items())


def doctor_command(args: argparse.Namespace) -> int:
    """`salesbot doctor [--skip CHECK ...]`."""
    from shared.config import get_settings  # noqa: PLC0415
    from shared.wiring import Components  # noqa: PLC0415

    unknown = set(args.skip or ()) - set(CHECKS)
    if unknown:
        print(f"salesbot doctor: no check named {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    # The report is the output: what the adapters log on the way (a refused key, a retry) is
    # already in its lines and would only bury them.
    logging.disable(logging.ERROR)
    try:
        return run_doctor(
            Components(settings=get_settings()), out=sys.stdout, skip=args.skip or ()
        )
    finally:
        logging.disable(logging.NOTSET)
