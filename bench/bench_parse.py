"""Throughput of `salesbot parse --jsonl` (budget: >= 5,000 messages/s on one core).

Feeds the labelled messages, repeated to 20,000 lines, through the real console script in a
subprocess (so start-up is included), reported by wall time and by the child's CPU time (one
core's throughput; the machine is shared), and also times `parse()` in-process.
"""

from __future__ import annotations

import json
import resource
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
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [str(salesbot), "parse", "--jsonl"], input=payload, capture_output=True, check=True
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - cpu_before.ru_utime + after.ru_stime - cpu_before.ru_stime
    assert done.stdout.count(b"\n") == LINES
    print(
        f"salesbot parse --jsonl: {LINES} messages, {elapsed:.2f} s wall = {LINES / elapsed:,.0f}"
        f" msg/s; {cpu:.2f} s CPU = {LINES / cpu:,.0f} msg/s on one core (start-up included)"
    )

    sys.path.insert(0, str(ROOT))
    from shared.domain.parser import parse  # noqa: PLC0415

    parse("warm up")
    started, cpu_started = time.perf_counter(), time.process_time()
    for text in corpus:
        parse(text)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        f"parse() in-process: {LINES / elapsed:,.0f} msg/s wall, {LINES / cpu:,.0f} msg/s CPU, "
        f"{cpu / LINES * 1e6:.0f} us/msg"
    )


if __name__ == "__main__":
    main()
