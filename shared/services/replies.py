"""Every sentence a customer reads, in warm, concise casual Indonesian (or English).

The dialog and the notifier only pick a function here and pass plain values (names, rupiah,
statuses that came from the ledger or the supplier). Each function writes the turn's language
(`shared.services.language`): English when the customer wrote English, Indonesian otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from shared.services.language import english, say

JAKARTA = ZoneInfo("Asia/Jakarta")


def rupiah(amount: int) -> str:
    """`10500` → `Rp 10.500` (negative amounts keep their sign)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def pln_token(token: str) -> str:
    """Group a 20-digit PLN token as 4-4-4-4-4; anything else is returned unchanged."""
    digits = "".join(ch for ch in token if ch.isdigit())
    if len(digits) != 20:
        return token
    return "-".join(digits[i : i + 4] for i in range(0, 20, 4))


def clock(moment: datetime) -> str:
    """A time of day in Jakarta, e.g. `14.05 WIB`."""
    return moment.astimezone(JAKARTA).strftime("%H.%M WIB")


@dataclass(frozen=True, kw_only=True)
class Option:
    """One numbered line: a product or a choice, with its price when it has one."""

    label: str
    price: int | None = None
    note: str | None = None


def numbered(options: Sequence[Option]) -> str:
    """`1. Name — Rp 10.500` lines (at most nine, as WhatsApp text options)."""
    lines = []
    for index, option in enumerate(options[:9], start=1):
        line = f"{index}. {option.label}"
        if option.price is not None:
            line += f" — {rupiah(option.price)}"
        if option.note:
            line += f" ({option.note})"
        lines.append(line)
    return "\n".join(lines)


# --- greeting, help, small talk --------------------------------------------------------------


def greeting(text: str) -> str:
    """Answer a greeting in kind ("pagi" gets "Selamat pagi!")."""
    if english():
        return "Hi! 😊 Would you like to check a price or top something up?"
    lowered = text.lower().replace("malem", "malam").replace("siank", "siang")
    for part in ("pagi", "siang", "sore", "malam"):
        if part in lowered:
            return f"Selamat {part}! Mau cek harga atau top up produk apa nih? 😊"
    return "Halo kak! Mau cek harga atau top up produk apa nih? 😊"


def help_text() -> str:
    """What the bot can do, briefly."""
    return say(
        "Aku bisa bantu ini kak:\n"
        "1. Cek harga — _viu berapa?_\n"
        "2. Cari sesuai budget — _aku cuma punya 5rb_\n"
        "3. Top up pulsa, data, game, e-money — _ML 86 ke 12345678 (1234)_\n"
        "4. Cek & bayar tagihan — _tagihan PLN 123456_\n"
        "5. Isi saldo via QRIS — _deposit 50k_\n"
        "6. Transfer bank/e-wallet — _tf 100k ke dana 0812xxxx a.n. Budi_\n"
        "7. Cek saldo, riwayat, dan status pesanan\n"
        "Ketik santai aja ya 😊",
        "Here's what I can do:\n"
        "1. Prices — _how much is viu_\n"
        "2. What fits a budget — _budget 5k_\n"
        "3. Top up credit, data, games, e-wallets — _ML 86 for 12345678 (1234)_\n"
        "4. Check & pay bills — _PLN bill 123456_\n"
        "5. Add balance by QRIS — _deposit 50k_\n"
        "6. Transfer to a bank/e-wallet — _transfer 100k to dana 0812xxxx_\n"
        "7. Your balance, history and order status\n"
        "Just type it the way you'd say it 😊",
    )


def smalltalk() -> str:
    """A friendly nudge back to business."""
    return say(
        "Siap kak 😊 Kalau mau cek harga atau top up, tinggal bilang aja ya.",
        "Sure 😊 If you'd like a price or a top-up, just tell me.",
    )


def thanks() -> str:
    """You're welcome."""
    return say(
        "Sama-sama kak 😊 Kalau butuh apa-apa lagi, tinggal chat aja ya.",
        "You're welcome 😊 Message me anytime you need something.",
    )


def holding() -> str:
    """The customer asked the bot to wait ("bentar ya kak")."""
    return say("Oke kak, aku tunggu ya 😊", "Sure, take your time 😊")


def goodbye(text: str) -> str:
    """A goodbye in kind ("wassalamualaikum" gets "waalaikumsalam")."""
    if "wassalam" in text.lower():
        return "Waalaikumsalam kak 🙏 Makasih ya, ditunggu order berikutnya 😊"
    return say(
        "Siap kak, makasih ya! Kalau butuh apa-apa tinggal chat lagi 😊",
        "Thanks, bye! Message me anytime 😊",
    )


def price_menu() -> str:
    """A price question naming nothing: what there is."""
    return say(
        "Mau cek harga apa kak? 😊\n"
        "• Pulsa & paket data — _pulsa tsel 10rb_, _kuota xl_\n"
        "• Token PLN — _token pln 50rb_\n"
        "• Game — _ml 86_, _ff 100_\n"
        "• E-wallet — _dana 50rb_, _gopay 20rb_\n"
        "• Streaming & voucher — _netflix_, _viu_, _google play_\n"
        "Atau sebut budget-nya, misal _budget 20rb_.",
        "Which price would you like? 😊\n"
        "• Credit & data — _telkomsel 10k_, _xl data_\n"
        "• PLN tokens — _pln token 50k_\n"
        "• Games — _ml 86_, _ff 100_\n"
        "• E-wallets — _dana 50k_, _gopay 20k_\n"
        "• Streaming & vouchers — _netflix_, _viu_, _google play_\n"
        "Or tell me your budget, e.g. _budget 20k_.",
    )


def unknown() -> str:
    """What the bot cannot help with (or could not read): what it can do instead."""
    return say(
        "Maaf kak, yang itu aku belum bisa bantu 🙏 Aku bisa bantu pulsa & paket data, token "
        "PLN, top up game & e-wallet, bayar tagihan, isi saldo, transfer, dan cek status "
        "pesanan. Coba tulis misalnya _pulsa tsel 10rb ke 0812xxxx_ atau _viu berapa?_",
        "Sorry, I can't help with that 🙏 I can do phone credit & data, PLN tokens, game and "
        "e-wallet top-ups, bills, adding balance, transfers and order status. Try e.g. "
        "_telkomsel 10k to 0812xxxx_ or _how much is viu_.",
    )


def undecryptable() -> str:
    """A message WhatsApp could not decrypt for us."""
    return say(
        "Maaf kak, pesan barusan nggak kebaca di sini 🙏 Boleh dikirim ulang?",
        "Sorry, your last message didn't come through 🙏 Could you send it again?",
    )


def catch_up() -> str:
    """Messages that arrived while the bot was offline: nothing was done with them."""
    return say(
        "Maaf kak baru balas 🙏 Pesan yang tadi masuk waktu aku offline, jadi belum aku proses. "
        "Masih mau cek harga atau top up apa? Kirim lagi ya.",
        "Sorry for the late reply 🙏 Your messages came in while I was offline, so I haven't "
        "acted on them. Please send again what you need.",
    )


def busy() -> str:
    """The supplier or the system could not answer right now."""
    return say(
        "Maaf kak, sistem lagi padat 🙏 Coba kirim lagi sebentar lagi ya.",
        "Sorry, the system is busy right now 🙏 Please try again in a moment.",
    )


def not_admin() -> str:
    """An admin command from someone who is not an admin."""
    return say(
        "Maaf kak, perintah itu khusus admin toko ya 🙏",
        "Sorry, that command is for the shop's admins only 🙏",
    )


# --- catalog ---------------------------------------------------------------------------------


def price_list(title: str, options: Sequence[Option], *, more: bool) -> str:
    """Prices of matching products, numbered so the customer can answer with a number."""
    if english():
        text = f"Here are the *{title}* prices:\n{numbered(options)}"
        if more:
            text += "\nThere are more; tell me the amount/package to narrow it down."
        return text + "\nReply with a number to buy 😊"
    text = f"Ini harga *{title}* ya kak:\n{numbered(options)}"
    if more:
        text += "\nMasih ada varian lain, sebut nominal/paketnya biar aku persempit."
    return text + "\nBalas nomornya kalau mau beli 😊"


def one_price(name: str, price: int, *, buying: bool = False) -> str:
    """The price of the one product the customer named (or is buying now)."""
    if english():
        return f"*{name}* costs {rupiah(price)} 😊" + ("" if buying else " Want to buy it?")
    if buying:
        return f"*{name}* harganya {rupiah(price)} kak 😊"
    return f"*{name}* harganya {rupiah(price)} kak 😊 Mau langsung beli?"


def budget_list(budget: int, options: Sequence[Option]) -> str:
    """What fits a budget."""
    return say(
        f"Dengan {rupiah(budget)} bisa dapet ini kak:\n{numbered(options)}\n"
        "Balas nomornya kalau mau ambil 😊",
        f"With {rupiah(budget)} you can get:\n{numbered(options)}\n"
        "Reply with a number to take one 😊",
    )


def nothing_found(query: str) -> str:
    """No product matched."""
    return say(
        f"Maaf kak, aku belum nemu produk *{query}* 🙏 Coba tulis nama lain, misalnya "
        "_pulsa telkomsel_, _ML_, _token PLN_.",
        f"Sorry, I couldn't find *{query}* 🙏 Try another name, e.g. _telkomsel credit_, "
        "_ML_, _PLN token_.",
    )


def nothing_in_budget(budget: int) -> str:
    """Nothing is cheap enough."""
    return say(
        f"Maaf kak, belum ada produk di bawah {rupiah(budget)} 🙏",
        f"Sorry, there's nothing under {rupiah(budget)} 🙏",
    )


def product_empty(name: str, alternative: Option | None) -> str:
    """The product is out of stock, with an alternative when there is one."""
    if alternative is None:
        return say(
            f"Yah, *{name}* lagi kosong kak 🙏 Coba lagi nanti ya.",
            f"Sorry, *{name}* is out of stock 🙏 Please try again later.",
        )
    price = f" {rupiah(alternative.price)}" if alternative.price is not None else ""
    return say(
        f"Yah, *{name}* lagi kosong kak 🙏 Gimana kalau *{alternative.label}*{price}? "
        "Balas *1* kalau mau.",
        f"Sorry, *{name}* is out of stock 🙏 How about *{alternative.label}*{price}? "
        "Reply *1* if you'd like it.",
    )


# --- slot questions --------------------------------------------------------------------------

_QUESTIONS: dict[str, tuple[str, str]] = {
    "product": (
        "Mau produk yang mana kak? Sebut nama atau nominalnya ya.",
        "Which product would you like? Tell me its name or amount.",
    ),
    "target": ("Nomor tujuannya berapa kak?", "Which number is it for?"),
    "game_target": (
        "ID-nya berapa kak? Kalau ada server/zone tulis juga, misal 12345678 (1234).",
        "What's the player ID? Add the server/zone if there is one, e.g. 12345678 (1234).",
    ),
    "meter": (
        "Nomor meter / ID pelanggannya berapa kak?",
        "What's the meter number / customer ID?",
    ),
    "customer_no": ("Nomor pelanggannya berapa kak?", "What's the customer number?"),
    "amount": ("Nominalnya berapa kak?", "How much?"),
    "bank": (
        "Ke bank atau e-wallet apa kak? (misal BCA, BRI, DANA, OVO)",
        "To which bank or e-wallet? (e.g. BCA, BRI, DANA, OVO)",
    ),
    "account_no": (
        "Nomor rekening / nomor e-wallet tujuannya berapa kak?",
        "What's the account / e-wallet number?",
    ),
    "ref": ("Nomor pesanannya (ref) berapa kak?", "What's the order reference?"),
    "zone": (
        "Zone ID-nya berapa kak? Angka di dalam kurung di profil game, misal (1234).",
        "What's the zone ID? It's the number in brackets in your game profile, e.g. (1234).",
    ),
    "method": (
        "Mau deposit lewat apa kak? Misal QRIS, BCA VA, DANA atau OVO.",
        "How would you like to pay the deposit? E.g. QRIS, BCA VA, DANA or OVO.",
    ),
}


def how_much_deposit() -> str:
    """The deposit amount is missing."""
    return say(
        "Mau isi saldo berapa kak? Misal _50rb_.", "How much would you like to add? E.g. _50k_."
    )


def how_much_transfer() -> str:
    """The transfer amount is missing."""
    return say("Mau transfer berapa kak?", "How much would you like to send?")


def transfer_limits(lowest: int, highest: int) -> str:
    """How little or how much one transfer can send."""
    return say(
        f"Transfer bisa dari {rupiah(lowest)} sampai {rupiah(highest)} ya kak.",
        f"A transfer can be from {rupiah(lowest)} to {rupiah(highest)}.",
    )


def which_budget() -> str:
    """The budget is missing."""
    return say("Budget-nya berapa kak?", "What's your budget?")


def which_bill_kind() -> str:
    """Which kind of bill."""
    return say(
        "Tagihan apa kak? (PLN, BPJS, Indihome, PDAM, HP pascabayar, …)",
        "Which bill? (PLN, BPJS, Indihome, PDAM, postpaid phone, …)",
    )


def ask(slot: str) -> str:
    """One question for one missing piece of information."""
    indonesian, english_text = _QUESTIONS.get(
        slot, ("Bisa dijelasin lagi kak?", "Could you tell me a bit more?")
    )
    return say(indonesian, english_text)


def ask_again(slot: str, product: str | None) -> str:
    """The open question once more, after answering something else in between."""
    if english():
        about = f" for *{product}*" if product else ""
        return f"Back to where we were{about}: {ask(slot)}"
    about = f" buat *{product}*" if product else ""
    return f"Balik ke yang tadi{about} ya kak: {ask(slot)}"


def invalid_option(count: int) -> str:
    """A number outside the offered list."""
    return say(
        f"Pilih nomor 1 sampai {count} ya kak 😊", f"Please pick a number from 1 to {count} 😊"
    )


def picked(label: str, price: int | None) -> str:
    """The item the customer picked from a list, said back (with its price)."""
    cost = f" ({rupiah(price)})" if price is not None else ""
    return say(f"Oke, *{label}*{cost} ya kak 👍", f"Okay, *{label}*{cost} 👍")


def which_option(count: int) -> str:
    """YA to a list: which item?"""
    return say(
        f"Mau yang mana kak? Pilih nomor 1 sampai {count} ya 😊",
        f"Which one would you like? Reply with its number (1–{count}) 😊",
    )


def what_number(digits: str) -> str:
    """A bare number with nothing open."""
    return say(
        f"Angka *{digits}* itu maksudnya apa kak? 😊 Kalau mau beli, tulis lengkap ya, misal "
        "_pulsa tsel 20rb ke 0812xxxx_ atau _viu berapa?_ buat lihat daftar harganya.",
        f"What is *{digits}* for? 😊 To buy something, write it in full, e.g. _telkomsel 20k "
        "to 0812xxxx_, or _how much is viu_ to see a price list.",
    )


def what_for_number(target: str) -> str:
    """A bare phone number with nothing open."""
    return say(
        f"Nomor {target} mau diisi apa kak? Misal _pulsa 20rb_, _kuota 10gb_, _dana 50rb_.",
        f"What would you like for {target}? E.g. _credit 20k_, _data 10gb_, _dana 50k_.",
    )


def next_request() -> str:
    """The next request of an earlier message follows."""
    return say("Lanjut ke permintaan berikutnya ya kak 👇", "Now your next request 👇")


def queued(texts: Sequence[str]) -> str:
    """Requests of the same message that wait for the card shown now."""
    listed = "; ".join(f"_{t}_" for t in texts)
    return say(
        f"Satu-satu ya kak biar nggak ketuker 🙏 Setelah yang ini aku lanjut: {listed}. "
        "Balas *YA* atau *BATAL* dulu untuk yang di atas.",
        f"One at a time so nothing gets mixed up 🙏 After this one I'll do: {listed}. "
        "First reply *YES* or *CANCEL* to the one above.",
    )


def queue_dropped(texts: Sequence[str]) -> str:
    """Waiting requests given up because the customer asked for something else."""
    listed = "; ".join(f"_{t}_" for t in texts)
    return say(
        f"Oke kak, yang tadi ({listed}) nggak aku lanjutkan ya. Kirim lagi kalau masih mau.",
        f"Okay, I won't go on with the earlier request ({listed}). Send it again if you "
        "still want it.",
    )


# --- follow-ups and a person -----------------------------------------------------------------


def ref_not_found(ref: str) -> str:
    """A reference that is none of this customer's orders, deposits or transfers."""
    return say(
        f"Ref *{ref}* nggak ketemu di akun kakak 🙏 Cek lagi kodenya ya (ada di struk).",
        f"I can't find *{ref}* on your account 🙏 Please check the code on your receipt.",
    )


def nothing_yet(subject: str | None) -> str:
    """A follow-up with nothing to follow up on."""
    if subject == "deposit":
        return say(
            "Belum ada deposit di akun kakak 😊 Ketik _deposit 50rb_ buat isi saldo.",
            "There's no deposit on your account yet 😊 Type _deposit 50k_ to top up.",
        )
    if subject == "transfer":
        return say("Belum ada transfer di akun kakak 😊", "There's no transfer yet 😊")
    return say(
        "Belum ada pesanan di akun kakak 😊 Mau beli apa?",
        "You have no orders yet 😊 What would you like to buy?",
    )


def tell_me_more(about_latest: bool) -> str:
    """A complaint that does not say what about."""
    if about_latest:
        return say(
            "Kalau bukan soal ini, ceritain masalahnya ya kak 🙏 Atau ketik *admin* biar "
            "langsung dibantu admin.",
            "If it's about something else, tell me what happened 🙏 Or type *admin* to reach "
            "our admin directly.",
        )
    return say(
        "Boleh kak, ceritain masalahnya ya 🙏 Kalau soal pesanan, sebut nomor ref-nya (ada di "
        "struk). Atau ketik *admin* biar langsung dibantu admin.",
        "Sure, tell me what happened 🙏 If it's about an order, send its ref (on the "
        "receipt). Or type *admin* to reach our admin directly.",
    )


def quote_total(name: str, amount: int) -> str:
    """What the open card costs, when the customer asks about the price or the fee."""
    if english():
        return (
            f"*{name}* costs *{rupiah(amount)}* in total, all fees included; nothing else is "
            "added. Reply *YES* to go ahead or *CANCEL*."
        )
    return (
        f"Total *{name}* *{rupiah(amount)}* kak, sudah termasuk semua biaya; nggak ada "
        "tambahan lagi. Balas *YA* untuk lanjut atau *BATAL*."
    )


def offer_human() -> str:
    """A second complaint within minutes: a person is one word away."""
    return say(
        "Kalau mau dibantu langsung sama admin, ketik *admin* ya kak 🙏",
        "If you'd like our admin to help you directly, just type *admin* 🙏",
    )


def which_pulsa(has_number: bool) -> str:
    """Pulsa without an amount: how much (and for which number)."""
    if has_number:
        return say("Pulsa berapa kak? Misal _20rb_.", "How much credit? E.g. _20k_.")
    return say(
        "Pulsa berapa dan ke nomor berapa kak? Misal _20rb ke 0812xxxx_.",
        "How much credit, and for which number? E.g. _20k to 0812xxxx_.",
    )


def who_am_i() -> str:
    """Who answers here ("ada orang?")."""
    return say(
        "Ada kak 😊 Aku asisten otomatis toko ini, siap bantu pulsa, token, game, tagihan, "
        "saldo, dan transfer. Kalau mau bicara dengan admin, ketik *admin* ya.",
        "Hi! 😊 I'm this shop's automatic assistant: credit, tokens, games, bills, balance and "
        "transfers. To talk to our admin, type *admin*.",
    )


def handing_off() -> str:
    """The customer asked for a person (or the bot kept failing them)."""
    return say(
        "Siap kak, aku panggilin admin ya 🙏 Admin bakal balas langsung di chat ini secepatnya. "
        "Sementara itu aku diam dulu biar nggak ganggu.",
        "Sure, I'm calling our admin 🙏 A person will reply right here as soon as possible; "
        "I'll stay quiet in the meantime.",
    )


def owner_handoff_alert(*, who: str, why: str, minutes: int, lines: Sequence[str]) -> str:
    """The owner's alert (always Indonesian): who needs a person, why, the chat's last lines."""
    text = (
        f"🙋 Pelanggan {who} butuh admin ({why}). Bot diam di chat ini {minutes} menit; "
        "balas langsung dari WhatsApp ini."
    )
    if lines:
        text += "\nPercakapan terakhir:\n" + "\n".join(lines)
    return text


# --- accounts --------------------------------------------------------------------------------


def account_holder(bank: str, number: str, name: str | None) -> str:
    """The holder of an account the customer asked about."""
    if english():
        who = f"belongs to *{name}*" if name else "is valid"
        return (
            f"Account {bank.upper()} {number} {who} ✅\n"
            "Want to send money there? Tell me the amount, e.g. _50k_."
        )
    who = f"atas nama *{name}*" if name else "valid"
    return (
        f"Rekening {bank.upper()} {number} {who} ✅\n"
        "Mau transfer ke sini? Sebut nominalnya ya kak, misal _50rb_."
    )


def account_not_found(bank: str, number: str) -> str:
    """An account number the supplier does not know."""
    return say(
        f"Rekening {bank.upper()} {number} nggak ketemu kak 🙏 Cek lagi bank dan nomornya ya.",
        f"I can't find account {bank.upper()} {number} 🙏 Please check the bank and number.",
    )


# --- bills -----------------------------------------------------------------------------------


def which_bill(brand: str, names: Sequence[str]) -> str:
    """A bill kind with one company per city (PDAM): which one."""
    listed = numbered([Option(label=n) for n in names])
    return say(
        f"Tagihan {brand.upper()} yang mana kak? Balas nomornya atau nama kotanya ya:\n{listed}",
        f"Which {brand.upper()} bill? Reply with its number or the city:\n{listed}",
    )


def bill_not_found(customer_no: str) -> str:
    """The supplier has no bill for this number."""
    return say(
        f"Tagihan untuk nomor {customer_no} nggak ketemu kak 🙏 Cek lagi nomornya ya.",
        f"I can't find a bill for {customer_no} 🙏 Please check the number.",
    )
