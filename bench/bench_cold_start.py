"""Cold start: importing functions/main.py vs importing functions_framework alone.

Budget (design.md §10): main.py ≤ 1.5 × functions_framework. Each sample is a fresh interpreter
timing its own imports with perf_counter (interpreter start excluded); one warm-up, then the
median of RUNS, alternating the two so machine noise hits both alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 9

FRAMEWORK = """
import time
t = time.perf_counter()
import functions_framework
print(time.perf_counter() - t)
"""

MAIN = f"""
import importlib.util, time
t = time.perf_counter()
spec = importlib.util.spec_from_file_location("main", {str(ROOT / "functions" / "main.py")!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(time.perf_counter() - t)
"""

HEAVY = ("google.genai", "supabase", "google.cloud.pubsub_v1", "neonize", "psycopg")

CHECK = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("main", {str(ROOT / "functions" / "main.py")!r})
spec.loader.exec_module(importlib.util.module_from_spec(spec))
print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""


def _sample(code: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    _sample(FRAMEWORK)
    _sample(MAIN)
    framework, entry = [], []
    for _ in range(RUNS):
        framework.append(_sample(FRAMEWORK))
        entry.append(_sample(MAIN))
    ff_ms = statistics.median(framework) * 1000
    main_ms = statistics.median(entry) * 1000
    loaded = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    print(f"import functions_framework: median {ff_ms:.0f} ms over {RUNS} runs")
    print(f"import functions/main.py:   median {main_ms:.0f} ms over {RUNS} runs")
    print(f"ratio: {main_ms / ff_ms:.2f} (budget <= 1.50)")
    print(f"heavy SDKs loaded at import: {loaded or 'none'}")


if __name__ == "__main__":
    main()
