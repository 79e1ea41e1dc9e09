"""What the conversation has open, in a few lines for the model's prompt.

The rules tier answers an open question, list or quote deterministically; when a message goes
to Gemini instead, the model gets the same state (which question was asked about which
product, the numbered list with product codes, the quote waiting for YA, the requests queued
behind it) so it can read "yang seminggu aja" or "itu buat nomor 0812…" as answers and
anything else as a new message.
"""

from __future__ import annotations

from shared.services.dialog import several
from shared.services.dialog.turn import Turn
from shared.services.replies import rupiah

_ASKING = {
    "target": "nomor tujuan (HP / ID game / nomor meter)",
    "product": "produk yang mau dibeli",
    "amount": "nominalnya",
    "bank": "bank atau e-wallet tujuan",
    "account_no": "nomor rekening / e-wallet tujuan",
    "customer_no": "nomor pelanggan tagihan",
    "brand": "jenis tagihan",
}


def describe(turn: Turn) -> str | None:
    """The open question, list, quote and queued requests; None when nothing is open."""
    state = turn.state
    store = turn.components.store
    lines = []
    if state.quote_id:
        quote = store.get_quote(state.quote_id)
        if quote is not None and quote.status == "open":
            name = quote.payload.get("name") or quote.kind
            target = quote.payload.get("target") or quote.payload.get("account_number") or "-"
            lines.append(
                f"- Penawaran menunggu YA/BATAL pelanggan: {name} ke {target}, "
                f"{rupiah(quote.amount)} (YA diproses sistem, bukan kamu)."
            )
    if state.choices:
        options = "; ".join(
            f"{i}. {c.label} [kode {c.slots.get('code', '-')}]"
            for i, c in enumerate(state.choices, start=1)
        )
        lines.append(f"- Daftar yang baru ditunjukkan (pelanggan bisa pilih): {options}")
    if state.intent and state.asking:
        code = state.slots.get("code")
        about = f" untuk produk {code}" if code else f" ({state.intent})"
        asked = _ASKING.get(state.asking, state.asking)
        lines.append(f"- Bot baru saja menanyakan {asked}{about}.")
    waiting = several.queued(turn)
    if waiting:
        lines.append("- Permintaan pelanggan yang menyusul: " + "; ".join(waiting))
    return "\n".join(lines) or None
