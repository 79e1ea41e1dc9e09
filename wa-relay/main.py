"""Container entry point of the WhatsApp relay: `salesbot relay` (serverless mode, Pub/Sub).

The relay itself lives in `shared.adapters.whatsapp.relay`; this file only makes the image's
command independent of the console script being on PATH. Extra arguments pass through
(e.g. `--pair-phone 62812...`).
"""

from __future__ import annotations

import sys

from shared.cli import main

if __name__ == "__main__":
    sys.exit(main(["relay", *sys.argv[1:]]))
