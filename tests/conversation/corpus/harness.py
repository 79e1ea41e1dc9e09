"""The multi-turn conversation corpus: scripts typed into `salesbot chat`, checked and scored.

Every conversation is replayed through the chat command's own piped path
(`shared.chat_cli.replay`: a `ConsoleChat` per customer over one all-in-one stack on embedded
defaults — rules only, the built-in sandbox supplier, an in-memory cache), each by a fresh
customer, several at a time. What the customer read is checked turn by turn, and what the
ledger holds afterwards is compared with what the customer asked for.

File format (`*.convo`, UTF-8; `#` starts a comment line):

    == ID  title
    class: list_pick, interruption        # what the conversation is about (for the report)
    fund: 50000                           # saldo put on the customer's wallet before it starts
    wait: 10                              # seconds the last line waits for notifications
    > the customer's message              # one turn; the checks below apply to its replies
                                          # ({ref}: the last `Ref: …` the customer was shown;
                                          # {refshort}: its first 8 characters, lowercase)
      ~ text | other text                 # the replies contain one of these (case-insensitive)
      ! text | other text                 # ... and none of these
      ? card -unknown                     # recognisers (see RECOGNISERS); "-" negates
    ---                                   # wait until nothing is pending before going on
    $ order CODE TARGET [success|pending|failed]     # exactly these orders, in this order
    $ bill CODE CUSTOMER_NO [status]                 # a postpaid payment
    $ deposit AMOUNT|* [status]                      # exactly these deposits
    $ transfer BANK ACCOUNT NOMINAL [status]         # exactly these transfers
    $ balance N                                      # the saldo at the end
    $ paused                                         # the bot stopped answering in this chat
    $ owner text | other                             # an owner alert about this customer

Replies to a turn are everything printed after its echo and before the next one, so
notifications that arrive meanwhile count for it (and those after the last line for the last
turn). Orders, deposits and transfers nobody declared are failures: a conversation moves
money only as its `$` lines say.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from shared.chat_cli import replay
from shared.console import ConsoleChat
from shared.local_stack import start_local_stack
from shared.messages import OutboundMessage
from shared.wiring import Components

HERE = Path(__file__).parent
SETTLE_WAIT = 12.0
MONEY_WAIT = 12.0
QUIET_WAIT = 0.5
OWNER_NUMBER = "6281100009999"


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that give a reply away as Indonesian, and common English ones (for the `en` check).
_ID_WORDS = _wordset(
    """kak kakak nggak gak aku yang sudah udah belum berapa mau dulu lagi bisa ya untuk dengan
    sekarang atau kalau ini itu nih dong banget makasih silakan harganya pesanan nomor tujuan
    balas berlaku ketik tagihan sisa kurang masuk gagal dikembalikan maaf"""
)
_EN_WORDS = _wordset(
    """the you your is are to please reply balance order for with and of it what what's can i
    here yes no cancel will has have been me my thanks thank bye number price check now just
    would like which how"""
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def _is_english(text: str) -> bool:
    found = _words(text)
    return bool(text.strip()) and not (found & _ID_WORDS) and len(found & _EN_WORDS) >= 2


RECOGNISERS: dict[str, Callable[[str], bool]] = {
    # A quote card: a price and the YA (YES) to confirm it.
    "card": lambda t: bool(re.search(r"\b(YA|YES)\b", t) and re.search(r"Rp ?\d", t)),
    # A numbered list of at least two options.
    "list": lambda t: len(re.findall(r"(?m)^\s*\d+[.)] ", t)) >= 2,
    "ask": lambda t: "?" in t,
    "qris": lambda t: "[gambar:" in t and "QRIS" in t.upper(),
    "unknown": lambda t: bool(
        re.search(r"(?i)belum nangkep|kurang paham|didn'?t (quite )?(get|catch)|not sure what", t)
    ),
    "done": lambda t: bool(re.search(r"(?i)✅|berhasil|\bsukses\b|success", t)),
    "refund": lambda t: bool(re.search(r"(?i)dikembalikan|balik ke saldo|refund|returned", t)),
    "human": lambda t: bool(
        re.search(r"(?i)\badmin\b|pemilik|owner|\bcs\b|customer service|a person|human|staff", t)
    ),
    "saldo": lambda t: bool(re.search(r"(?i)(saldo|balance)[^\n]*Rp ?\d", t)),
    "en": _is_english,
    "id": lambda t: bool(_words(t) & _ID_WORDS),
    "silent": lambda t: not t.strip(),
}


@dataclass(frozen=True, kw_only=True)
class Check:
    """One expectation on a turn's replies."""

    kind: str  # "~" contains one of, "!" contains none of, "?" recognisers
    values: tuple[str, ...]
    line: int

    def failure(self, out: str) -> str | None:
        """Why `out` does not meet this check, or None."""
        low = out.lower()
        if self.kind == "~" and not any(v.lower() in low for v in self.values):
            return f"missing one of {list(self.values)}"
        if self.kind == "!":
            bad = [v for v in self.values if v.lower() in low]
            if bad:
                return f"must not contain {bad}"
        if self.kind == "?":
            for name in self.values:
                negated = name.startswith("-")
                if RECOGNISERS[name.lstrip("-")](out) == negated:
                    return f"recogniser {name} failed"
        return None


@dataclass(kw_only=True)
class Step:
    """A customer message (or a settle point) and the checks on its replies."""

    text: str
    checks: list[Check] = field(default_factory=list)
    settle: bool = False


@dataclass(frozen=True, kw_only=True)
class Money:
    """One `$` expectation on the ledger."""

    kind: str
    args: tuple[str, ...]
    line: int


@dataclass(kw_only=True)
class Conversation:
    """One scripted conversation."""

    id: str
    title: str
    source: str
    classes: list[str] = field(default_factory=list)
    fund: int = 0
    wait: float | None = None
    steps: list[Step] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)

    def final_wait(self) -> float:
        if self.wait is not None:
            return self.wait
        settles = {"success", "failed"}
        for m in self.money:
            if m.kind in {"order", "bill", "transfer"} and m.args[-1] in settles:
                return MONEY_WAIT
            if m.kind == "deposit" and m.args[-1] == "success":
                return MONEY_WAIT
        return QUIET_WAIT


_KIND_OF = {"order": "order", "bill": "order", "deposit": "deposit", "transfer": "transfer"}
_MONEY_KINDS = {"order", "bill", "deposit", "transfer", "balance", "paused", "owner"}


def parse_file(path: Path) -> list[Conversation]:
    """The conversations of one `.convo` file."""
    found: list[Conversation] = []
    current: Conversation | None = None
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("=="):
            ident, _, title = line[2:].strip().partition(" ")
            current = Conversation(id=ident, title=title.strip(), source=path.stem)
            found.append(current)
            continue
        if current is None:
            raise ValueError(f"{where}: text before the first '=='")
        _parse_line(current, line, number, where)
    ids = [c.id for c in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"{path.name}: duplicate ids {sorted(duplicates)}")
    return found


def _parse_line(c: Conversation, line: str, number: int, where: str) -> None:
    head, _, rest = line.partition(" ")
    rest = rest.strip()
    if line.startswith("class:"):
        c.classes += [x.strip() for x in line[6:].split(",") if x.strip()]
    elif line.startswith("fund:"):
        c.fund = int(line[5:].strip())
    elif line.startswith("wait:"):
        c.wait = float(line[5:].strip())
    elif line == "---":
        c.steps.append(Step(text="", settle=True))
    elif head == ">":
        c.steps.append(Step(text=rest))
    elif head in {"~", "!", "?"}:
        if not c.steps or c.steps[-1].settle:
            raise ValueError(f"{where}: a check before any message")
        values = tuple(v.strip() for v in (rest.split("|") if head != "?" else rest.split()))
        unknown = [v for v in values if head == "?" and v.lstrip("-") not in RECOGNISERS]
        if unknown:
            raise ValueError(f"{where}: unknown recogniser {unknown}")
        c.steps[-1].checks.append(Check(kind=head, values=values, line=number))
    elif head == "$":
        kind, *args = rest.split(" ", 1)
        if kind not in _MONEY_KINDS:
            raise ValueError(f"{where}: unknown expectation {kind!r}")
        parts = tuple(args[0].split("|") if kind == "owner" else args[0].split()) if args else ()
        c.money.append(Money(kind=kind, args=tuple(p.strip() for p in parts), line=number))
    else:
        raise ValueError(f"{where}: cannot read {line!r}")


def load(*names: str) -> list[Conversation]:
    """The conversations of the named `.convo` files (all of them when no name is given)."""
    paths = [HERE / f"{n}.convo" for n in names] if names else sorted(HERE.glob("*.convo"))
    return [c for p in paths for c in parse_file(p)]


@dataclass(kw_only=True)
class Result:
    """How one conversation went."""

    conversation: Conversation
    failures: list[str] = field(default_factory=list)
    money_wrong: bool = False
    transcript: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures


class Runner:
    """One all-in-one stack that replays conversations, each as a fresh console customer."""

    def __init__(self, components: Components) -> None:
        self.components = components
        self._chats: dict[str, ConsoleChat] = {}
        self._owner: list[str] = []
        self._lock = threading.Lock()
        self._stack = start_local_stack(components, on_outbound=self._outbound)

    def stop(self) -> None:
        self._stack.stop()

    def _outbound(self, message: OutboundMessage) -> None:
        if message.chat.startswith(OWNER_NUMBER):
            with self._lock:
                self._owner.append(message.text or "")
            return
        chat = self._chats.get(message.chat)
        if chat is not None:
            chat.on_outbound(message)

    def run_all(self, conversations: Iterable[Conversation], workers: int = 6) -> list[Result]:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(self.run, conversations))

    def run(self, c: Conversation) -> Result:
        phone = "62899" + str(uuid.uuid4().int)[:9]
        events: list[tuple[str, str]] = []
        chat = ConsoleChat(
            self.components, phone=phone, printer=lambda t: events.append(("out", t))
        )
        self._chats[chat.chat] = chat
        store = self.components.store
        customer_id = store.resolve_customer(phone=chat.phone, chat_jid=chat.chat).customer_id
        if c.fund:
            assert store.adjust_balance(customer_id, c.fund, f"corpus-{uuid.uuid4().hex}").ok
        result = Result(conversation=c)

        def echo(text: str) -> None:
            events.append(("in", text))

        try:
            segment: list[str] = []
            for step in c.steps:
                if step.settle:
                    replay(chat, segment, wait=SETTLE_WAIT, echo=echo)
                    segment = []
                elif "{ref" in step.text:
                    replay(chat, segment, wait=0, echo=echo)
                    ref = _last_ref(events)
                    text = step.text.replace("{ref}", ref).replace("{refshort}", ref[:8].lower())
                    segment = [text]
                else:
                    segment.append(step.text)
            replay(chat, segment, wait=c.final_wait(), echo=echo)
        except Exception as exc:  # a crash is a failed conversation, not a failed corpus run
            result.failures.append(f"crashed: {type(exc).__name__}: {exc}")
        finally:
            self._chats.pop(chat.chat, None)
        result.transcript = "\n".join(
            (f"> {text}" if kind == "in" else text) for kind, text in events
        )
        self._check_turns(c, events, result)
        self._check_money(c, customer_id, phone, result)
        return result

    @staticmethod
    def _check_turns(c: Conversation, events: list[tuple[str, str]], result: Result) -> None:
        outs: list[list[str]] = []
        for kind, text in events:
            if kind == "in":
                outs.append([])
            elif outs:
                outs[-1].append(text)
        messages = [s for s in c.steps if not s.settle]
        for index, step in enumerate(messages):
            out = "\n".join(outs[index]) if index < len(outs) else ""
            for check in step.checks:
                why = check.failure(out)
                if why:
                    result.failures.append(f"line {check.line} ({step.text!r}): {why}")

    def _check_money(self, c: Conversation, customer_id: str, phone: str, result: Result) -> None:
        """The ledger against the `$` lines.

        Money moved wrongly (`money_wrong`) when an order, deposit or transfer exists that was
        not asked for, or differs in what, where or how much; one that is missing, or whose
        status is not the expected one yet, is an ordinary failure.
        """
        store = self.components.store
        history = list(reversed(store.history(customer_id, limit=50)))
        got: dict[str, list[tuple[object, ...]]] = {"order": [], "deposit": [], "transfer": []}
        statuses: dict[str, list[str]] = {"order": [], "deposit": [], "transfer": []}
        for h in history:
            item = self._item(h.kind, h.reff_id)
            if item is not None:
                got[h.kind].append(item[:-1])
                statuses[h.kind].append(str(item[-1]))
        wrong: list[str] = []
        for kind in ("order", "deposit", "transfer"):
            wanted = [m for m in c.money if _KIND_OF.get(m.kind) == kind]
            for index, want in enumerate(wanted):
                if index >= len(got[kind]):
                    result.failures.append(f"line {want.line}: no {want.kind} {want.args}")
                    continue
                what, state = self._wanted(want)
                if not _same(what, got[kind][index]):
                    wrong.append(f"line {want.line}: {want.kind} {got[kind][index]} != {what}")
                elif state and _status_differs(state, statuses[kind][index]):
                    result.failures.append(
                        f"line {want.line}: {want.kind} is {statuses[kind][index]}, not {state}"
                    )
            wrong += [f"{kind} nobody asked for: {extra}" for extra in got[kind][len(wanted) :]]
        for want in c.money:
            why = self._state_failure(want, customer_id, phone)
            if why:
                result.failures.append(f"line {want.line}: {why}")
        if wrong:
            result.money_wrong = True
            result.failures += wrong

    def _item(self, kind: str, reff_id: str) -> tuple[object, ...] | None:
        """What an order, deposit or transfer is (comparable with `_wanted`), then its status."""
        store = self.components.store
        if kind == "order":
            o = store.get_order(reff_id)
            if o is None:
                return None
            price = o.price
            product = self.components.catalog.get(o.code) if o.kind == "prepaid" else None
            fair = product is None or product.sell_price == price
            return ("bill" if o.kind == "postpaid" else "order", o.code, o.target, fair, o.status)
        if kind == "deposit":
            d = store.get_deposit(reff_id=reff_id)
            return None if d is None else (d.nominal, d.status)
        t = store.get_transfer(reff_id)
        return None if t is None else (t.bank_code, t.nomor_tujuan, t.nominal, t.status)

    @staticmethod
    def _wanted(want: Money) -> tuple[tuple[object, ...], str | None]:
        """What a `$` line asks for (as `_item` describes it), and the status it expects."""
        args = list(want.args)
        if want.kind in {"order", "bill"}:
            code, target, *state = args
            return (want.kind, code, target, True), (state[0] if state else None)
        if want.kind == "deposit":
            amount, *state = args
            return (amount if amount == "*" else int(amount),), (state[0] if state else None)
        bank, account, nominal, *state = args
        return (bank, account, int(nominal)), (state[0] if state else None)

    def _state_failure(self, want: Money, customer_id: str, phone: str) -> str | None:
        store = self.components.store
        if want.kind == "balance":
            balance = store.get_balance(customer_id).balance
            return None if balance == int(want.args[0]) else f"balance {balance} != {want.args[0]}"
        if want.kind == "paused":
            customer = store.get_customer(customer_id)
            until = customer.paused_until if customer else None
            paused = until is not None and until > datetime.now(UTC)
            return None if paused else "the chat is not paused"
        if want.kind == "owner":
            with self._lock:
                alerts = [a for a in self._owner if phone[2:] in a or phone in a]
            wanted = [v.lower() for v in want.args] or [""]
            if not any(v in a.lower() for a in alerts for v in wanted):
                return f"no owner alert with {list(want.args)}: {alerts}"
        return None


def _same(wanted: tuple[object, ...], got: tuple[object, ...]) -> bool:
    return len(wanted) == len(got) and all(w in ("*", g) for w, g in zip(wanted, got, strict=True))


def _last_ref(events: list[tuple[str, str]]) -> str:
    """The last reference the customer was shown (`Ref: …`), for `{ref}` in a message."""
    refs = [m for kind, text in events if kind == "out" for m in re.findall(r"Ref: (\w+)", text)]
    return refs[-1] if refs else "?"


def _status_differs(expected: str, actual: str) -> bool:
    return expected != "*" and expected != actual


@dataclass(frozen=True, kw_only=True)
class Score:
    """The corpus score: conversations fully right, and the money-wrong ones."""

    total: int
    right: int
    money_wrong: list[str]
    by_class: dict[str, tuple[int, int]]

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0


def score(results: list[Result]) -> Score:
    """Count the fully right conversations, overall and per class."""
    by_class: dict[str, tuple[int, int]] = {}
    for r in results:
        for name in r.conversation.classes or ["-"]:
            n, ok = by_class.get(name, (0, 0))
            by_class[name] = (n + 1, ok + int(r.ok))
    return Score(
        total=len(results),
        right=sum(r.ok for r in results),
        money_wrong=[r.conversation.id for r in results if r.money_wrong],
        by_class=dict(sorted(by_class.items())),
    )


def report(results: list[Result], *, transcripts: bool = False) -> str:
    """A readable report: the score, each class, and every failed conversation."""
    s = score(results)
    lines = [
        f"{s.right}/{s.total} conversations fully right ({s.share:.1%}); "
        f"money moved differently from what was asked: {len(s.money_wrong)} {s.money_wrong}",
        "per class (right/total): "
        + ", ".join(f"{k} {ok}/{n}" for k, (n, ok) in s.by_class.items()),
    ]
    for r in results:
        if r.ok:
            continue
        c = r.conversation
        lines.append(f"FAIL {c.source}/{c.id} {c.title}")
        lines += [f"    {f}" for f in r.failures]
        if transcripts:
            lines += [f"      | {t}" for t in r.transcript.splitlines()]
    return "\n".join(lines)
