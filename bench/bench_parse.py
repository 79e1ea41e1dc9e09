"""Throughput of `salesbot parse --jsonl` (budget: >= 5,000 messages/s on one core).

Feeds the labelled messages, repeated to 20,000 lines, through the real console script in a
subprocess (so start-up is included) and also times `parse()` in-process. Prints both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "nlu" / "data" / "messages.jsonl"
LINES = 20_000


def main() -> None:
    texts = [json.loads(line)["text"] for line in DATA.read_text("utf-8").splitlines() if line]
    corpus = [texts[i % len(texts)] for i in range(LINES)]
    payload = ("\n".join(corpus) + "\n").encode()
    salesbot = Path(sys.executable).parent / "salesbot"
    started = time.perf_counter()
    done = subprocess.run(
        [str(salesbot), "parse", "--jsonl"], input=payload, capture_output=True, check=True
    )
    elapsed = time.perf_counter() - started
    assert done.stdout.count(b"\n") == LINES
    print(
        f"salesbot parse --jsonl: {LINES} messages in {elapsed:.2f} s "
        f"= {LINES / elapsed:,.0f} msg/s (process start included)"
    )

    sys.path.insert(0, str(ROOT))
    from shared.domain.parser import parse  # noqa: PLC0415

    parse("warm up")
    started = time.perf_counter()
    for text in corpus:
        parse(text)
    elapsed = time.perf_counter() - started
    print(f"parse() in-process: {LINES / elapsed:,.0f} msg/s, {elapsed / LINES * 1e6:.0f} us/msg")


if __name__ == "__main__":
    main()
