"""A real shop and a real browser: `salesbot serve`, `salesbot chat` and headless Chromium.

The stack is the production shape on one machine: the Atlantic sandbox runs alone (here, in
the test process, so a test can finish a transaction or lose its webhooks), `salesbot serve`
serves the console and receives the sandbox's webhooks, and customers and the admin talk to the
bot through `salesbot chat`, sharing the serve process's database (one of its own). Chromium is
Debian's, driven by Selenium through Debian's chromedriver; without them the tests skip and
say how to install them (`make browser`, which `make test` runs first).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared.adapters.postgres.migrate import apply_migrations
from shared.adapters.postgres.rpc import PostgresRpc
from shared.sandbox.magic import SANDBOX_API_KEY, SANDBOX_USERNAME
from shared.sandbox.server import Sandbox
from shared.store import Store

ADMIN = "628111000333"
PHONE_SIZE = (412, 915)  # a common Android phone's CSS viewport
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/console/login/[\w-]+)")
# Chromium's background services try the network; this machine (and CI) has none.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    f"--window-size={PHONE_SIZE[0]},{PHONE_SIZE[1]}",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Shop:
    """The running stack: where things are, and a store on its database."""

    url: str
    env: dict[str, str]
    sandbox: Sandbox
    store: Store
    log_path: Path

    def chat(self, phone: str, lines: list[str], wait: float = 2) -> str:
        """Type `lines` into `salesbot chat --user phone`; what the bot printed."""
        done = subprocess.run(
            [sys.executable, "-m", "shared.cli", "chat", "--user", phone, "--wait", str(wait)],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def login_link(self) -> str:
        """The link the bot sends the admin who types /login."""
        out = self.chat(ADMIN, ["/login"])
        found = LINK.search(out)
        assert found, out
        return found.group(1)

    def logs(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")


@pytest.fixture(scope="session")
def chromium_ready() -> None:
    """Skip, saying why, when the browser or its driver is missing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.skip(
            f"browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} "
            "missing): run `make browser` as root, or set CHROMIUM/CHROMEDRIVER"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need selenium: run `make install`")


@pytest.fixture(scope="module")
def shop(
    chromium_ready: None,
    fresh_database,
    tmp_path_factory: pytest.TempPathFactory,  # noqa: ANN001
) -> Iterator[Shop]:
    database_url: str = fresh_database()
    apply_migrations(database_url)
    work = tmp_path_factory.mktemp("shop")
    sandbox = Sandbox(state_file=work / "sandbox.json").start()
    port = _free_port()
    # Not under pytest's tmp: DATA_DIR only holds the generated app secret here, but keep the
    # serve and chat processes' view of it identical.
    data_dir = Path(tempfile.mkdtemp(prefix="salesbot-console-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ATL_", "GEMINI_", "SUPABASE_", "UPSTASH_", "WA_", "PUBSUB_"))
        and k not in {"REDIS_URL", "ADMIN_NUMBERS", "OWNER_NUMBER", "APP_SECRET"}
    }
    env.update(
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        ADMIN_NUMBERS=ADMIN,
        CONSOLE_URL=f"http://127.0.0.1:{port}/console",
        ATL_BASE_URL=sandbox.url,
        ATL_API_KEY=SANDBOX_API_KEY,
        ATL_USERNAME=SANDBOX_USERNAME,
        LOG_LEVEL="warning",
    )
    log_path = work / "serve.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "serve", "--port", str(port), "--no-console"],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=work,
        )
    url = f"http://127.0.0.1:{port}"
    store = Store(PostgresRpc(database_url, max_size=2))
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert proc.poll() is None, log_path.read_text()
        sandbox.sender.target = url + "/webhook/atlantic"
        yield Shop(url=url, env=env, sandbox=sandbox, store=store, log_path=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        store.close()
        sandbox.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each page's screenshot goes (SALESBOT_SCREENSHOTS overrides, e.g. for the README)."""
    chosen = os.environ.get("SALESBOT_SCREENSHOTS")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("console-screenshots")


@pytest.fixture(scope="module")
def browser(chromium_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which(CHROMIUM) or CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(
        service=Service(shutil.which(CHROMEDRIVER) or CHROMEDRIVER), options=options
    )
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
