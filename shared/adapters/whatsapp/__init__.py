"""The WhatsApp relay on neonize (whatsmeow): the only package that imports neonize.

Modules: `convert` (events → `InboundMessage`), `pacing` (the outbound governor), `sender`
(typing, delay, send), `lifecycle` (connection events and alerts), `login` (QR and pairing
code), `lease` (single instance), `metrics`, and `relay` (wiring, `salesbot relay`, and the
all-in-one hook `start_whatsapp`). Importing this package itself stays cheap.
"""
