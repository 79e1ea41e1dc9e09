"""The owner's console in headless Chromium, at a phone's size, against a running shop.

The admin logs in with the link the bot sent in a `salesbot chat` session; customers buy in
`salesbot chat` too. Each page visited is saved as a PNG in the module's screenshot folder.
"""

from __future__ import annotations

import base64
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from shared.domain.pricing import SETTING_KEY
from shared.store_models import Order

from .conftest import PHONE_SIZE, Shop

pytestmark = pytest.mark.slow

GEMINI_KEY = "AIzaSyBrowser-test-key-0123456789abcdef"


class Screen:
    """The browser as the admin uses it: labels, buttons, what the page says."""

    def __init__(self, driver: Any, shop: Shop, folder: Path) -> None:  # noqa: ANN401
        self.driver = driver
        self.shop = shop
        self.folder = folder

    def open(self, url: str) -> None:
        self.driver.get(url if url.startswith("http") else self.shop.url + url)

    def text(self) -> str:
        from selenium.common.exceptions import StaleElementReferenceException

        # The live preview may swap part of the page between finding <body> and reading it.
        for _ in range(5):
            try:
                return str(self.driver.find_element("tag name", "body").text)
            except StaleElementReferenceException:
                continue
        return str(self.driver.find_element("tag name", "body").text)

    def wait_for(self, needle: str, timeout: float = 60) -> str:
        # A condition wait: generous, since a loaded 2-core CI machine can be slow to answer.
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, timeout).until(lambda d: needle in d.page_source)
        return self.text()

    def _navigate(self, element: Any) -> None:  # noqa: ANN401
        # Every button and link here loads a new page: wait until the old one is gone, or a
        # needle the old page also shows (the order list names the order) would be read from
        # a page the browser is already leaving (a stale element, seen on a loaded CI run).
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        old = self.driver.find_element("tag name", "html")
        element.click()
        WebDriverWait(self.driver, 60).until(expected_conditions.staleness_of(old))

    def fill(self, label: str, value: str) -> None:
        field = self._labelled(label)
        field.clear()
        field.send_keys(value)

    def choose(self, label: str, option: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self._labelled(label)).select_by_visible_text(option)

    def tick(self, label: str) -> None:
        self._labelled(label).click()

    def press(self, button: str) -> None:
        xpath = f"//button[normalize-space()='{button}']"
        self._navigate(self.driver.find_element("xpath", xpath))

    def follow(self, link_text: str) -> None:
        self._navigate(self.driver.find_element("partial link text", link_text))

    def shot(self, name: str) -> Path:
        """The whole page as a phone shows it, scrolled through (Chromium's own capture)."""
        width, _height = PHONE_SIZE
        full = int(self.driver.execute_script("return document.documentElement.scrollHeight"))
        metrics = {"width": width, "height": full, "deviceScaleFactor": 1, "mobile": True}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        path = self.folder / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def _labelled(self, label: str) -> Any:  # noqa: ANN401
        tag = self.driver.find_element("xpath", f"//label[normalize-space()='{label}']")
        return self.driver.find_element("id", tag.get_attribute("for"))


@pytest.fixture(scope="module")
def screen(browser: Any, shop: Shop, screenshots: Path) -> Screen:  # noqa: ANN401
    return Screen(browser, shop, screenshots)


@pytest.fixture(scope="module")
def logged_in(screen: Screen) -> Screen:
    screen.open(screen.shop.login_link())
    screen.press("Masuk")
    screen.wait_for("Ringkasan hari ini")
    return screen


def customer(shop: Shop, saldo: int) -> str:
    phone = "62857" + str(uuid.uuid4().int)[:8]
    cid = shop.store.resolve_customer(phone=phone, push_name="Rina").customer_id
    assert shop.store.adjust_balance(cid, saldo, f"seed-{uuid.uuid4().hex}").outcome == "done"
    return phone


def buy(shop: Shop, phone: str, target: str, *, wait: float = 2) -> Order:
    """The customer orders Telkomsel 10k for `target` in `salesbot chat` and says YA."""
    out = shop.chat(phone, [f"pulsa telkomsel 10rb ke {target}", "ya"], wait=wait)
    assert "YA" in out, out
    cid = shop.store.resolve_customer(phone=phone).customer_id
    ref = shop.store.history(cid, limit=1)[0].reff_id
    order = shop.store.get_order(ref)
    assert order is not None, out
    assert order.target == target
    return order


def test_login_through_the_link_the_bot_sent(screen: Screen) -> None:
    link = screen.shop.login_link()
    screen.open("/console/")
    assert "Masuk ke konsol" in screen.wait_for("kirim")
    screen.shot("00-not-logged-in")
    screen.open(link)
    screen.wait_for("Masuk")
    screen.shot("01-login-link")
    screen.press("Masuk")
    assert "Ringkasan hari ini" in screen.wait_for("Ringkasan hari ini")
    screen.open(link)  # the same link again
    screen.press("Masuk")
    assert "sudah pernah dipakai" in screen.wait_for("Link tidak berlaku")
    screen.shot("02-link-used")
    screen.open("/console/")  # the session the link opened is still there
    screen.wait_for("Ringkasan hari ini")


def _numbers(screen: Screen) -> tuple[int, int]:
    def value(test_id: str) -> int:
        text = screen.driver.find_element("css selector", f"[data-test='{test_id}']").text
        return int(re.sub(r"\D", "", text) or 0)

    return value("orders-0"), value("revenue-0")


def test_today_shows_a_scripted_purchase(logged_in: Screen) -> None:
    shop = logged_in.shop
    logged_in.open("/console/")
    orders_before, revenue_before = _numbers(logged_in)
    order = buy(shop, customer(shop, 50_000), "081234567890", wait=30)
    settled = shop.store.get_order(order.reff_id)
    assert settled is not None
    assert settled.status == "success", shop.logs()[-3000:]
    logged_in.open("/console/")
    logged_in.wait_for("Ringkasan hari ini")
    assert _numbers(logged_in) == (orders_before + 1, revenue_before + order.price)
    assert "Saldo supplier" in logged_in.text()
    logged_in.shot("03-today")


def _find(screen: Screen, phone: str, order: Order) -> None:
    screen.open("/console/")
    screen.follow("Pesanan")
    screen.wait_for("Cari pesanan")
    screen.fill("No. HP pelanggan", "0" + phone[2:])
    screen.press("Cari")
    screen.wait_for(order.reff_id)
    screen.follow(order.reff_id)
    screen.wait_for("Riwayat")


def test_a_refund_is_refused_while_the_supplier_says_pending(logged_in: Screen) -> None:
    shop = logged_in.shop
    phone = customer(shop, 50_000)
    order = buy(shop, phone, "081234569992")  # the sandbox keeps it pending
    _find(logged_in, phone, order)
    logged_in.tick("Ya, kembalikan saldo pelanggan")
    logged_in.press("Refund")
    page = logged_in.wait_for("refund ditahan")
    assert f"{order.reff_id} masih diproses supplier, refund ditahan" in page
    assert "Refund oleh 628111000333" in page  # the attempt is on the order's timeline
    logged_in.shot("04b-refund-refused-pending")
    kept = shop.store.get_order(order.reff_id)
    assert kept is not None
    assert kept.status == "pending"
    cid = shop.store.resolve_customer(phone=phone).customer_id
    assert shop.store.get_balance(cid).balance == 50_000 - order.price


def test_find_an_order_the_supplier_failed_and_refund_it_once(logged_in: Screen) -> None:
    shop = logged_in.shop
    phone = customer(shop, 50_000)
    order = buy(shop, phone, "081234569992")  # pending at the supplier
    target, shop.sandbox.sender.target = shop.sandbox.sender.target, None
    try:
        shop.sandbox.complete(order.reff_id, "failed")  # ...and its webhook is lost
    finally:
        shop.sandbox.sender.target = target
    _find(logged_in, phone, order)
    assert "diproses" in logged_in.text().lower()
    logged_in.shot("04-order-pending")
    logged_in.tick("Ya, kembalikan saldo pelanggan")
    logged_in.press("Refund")
    page = logged_in.wait_for("berhasil")
    assert f"Refund {order.reff_id} berhasil: supplier memastikan gagal" in page
    assert "Saldo dikembalikan (refund)" in page
    assert "Refund" not in [b.text for b in logged_in.driver.find_elements("tag name", "button")]
    logged_in.shot("05-order-refunded")
    record = shop.store.console_order(order.reff_id)
    assert record is not None
    assert [e.kind for e in record.ledger].count("release") == 1
    assert record.customer.balance == 50_000


def test_change_a_markup_and_see_the_preview(logged_in: Screen) -> None:
    logged_in.open("/console/")
    logged_in.follow("Harga")
    logged_in.wait_for("Ubah markup")
    logged_in.choose("Berlaku untuk", "Satu kategori")
    logged_in.fill("Nama kategori / provider (mis. Games, TELKOMSEL)", "Games")
    logged_in.fill("Markup (%) atau biaya per tagihan (Rp)", "9")
    page = logged_in.wait_for("Pratinjau harga jual")  # the live preview, no click needed
    assert "Games" in page
    logged_in.shot("06-prices-preview")
    assert logged_in.shop.store.get_setting(SETTING_KEY) in (None, {}) or (
        "games" not in str(logged_in.shop.store.get_setting(SETTING_KEY))
    )
    logged_in.press("Simpan")
    logged_in.wait_for("Markup disimpan")
    rules = logged_in.shop.store.get_setting(SETTING_KEY)
    assert isinstance(rules, dict)
    assert rules["categories"]["games"]["percent"] == "9"
    assert "Kategori games" in logged_in.text()


def test_add_a_gemini_key(logged_in: Screen) -> None:
    logged_in.open("/console/")
    logged_in.follow("Kunci AI")
    logged_in.wait_for("Tambah kunci")
    logged_in.fill("Label (mis. akun kedua)", "akun toko")
    logged_in.fill("Kunci API Gemini", GEMINI_KEY)
    logged_in.press("Simpan kunci")
    page = logged_in.wait_for("Kunci Gemini ditambahkan")
    assert "akun toko" in page
    assert GEMINI_KEY not in logged_in.driver.page_source
    logged_in.shot("07-keys")
    row = next(k for k in logged_in.shop.store.list_api_keys() if k.label == "akun toko")
    assert GEMINI_KEY not in row.key_ciphertext


def test_adjust_a_customers_saldo_with_a_reason(logged_in: Screen) -> None:
    phone = customer(logged_in.shop, 1_000)
    logged_in.open("/console/")
    logged_in.follow("Pelanggan")
    logged_in.fill("No. HP atau nama", "0" + phone[2:])
    logged_in.press("Cari")
    logged_in.wait_for(phone)
    logged_in.follow(phone)
    logged_in.wait_for("Penyesuaian saldo manual")
    logged_in.fill("Jumlah (Rp)", "25000")
    logged_in.fill("Alasan (wajib, tercatat di buku saldo)", "transfer manual BCA")
    logged_in.press("Simpan penyesuaian")
    page = logged_in.wait_for("Saldo sekarang")
    assert "Saldo sekarang Rp 26.000" in page
    assert "transfer manual BCA — oleh 628111000333" in page
    logged_in.shot("08-customer")


def test_logout_ends_the_session(logged_in: Screen) -> None:
    logged_in.open("/console/")
    logged_in.press("Keluar")
    logged_in.wait_for("Kamu sudah keluar")
    logged_in.open("/console/orders")
    assert "Masuk ke konsol" in logged_in.wait_for("kirim")
