-- Customers, their WhatsApp identities and the message log.
--
-- A customer is keyed on an internal uuid. WhatsApp may show the same person as a phone JID
-- ("pn", normalised to 62... digits) or as an opaque LID; both map to one customer through
-- customer_identities, unique on (kind, value).

CREATE SCHEMA IF NOT EXISTS private;  -- helpers that PostgREST must not expose

CREATE TABLE customers (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    wa_jid        text,          -- the chat JID the customer last wrote from (replies go there)
    display_name  text,          -- WhatsApp push name
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    note          text,
    paused_until  timestamptz    -- the owner took over the chat: the bot stays quiet until then
);

CREATE TABLE customer_identities (
    kind        text NOT NULL CHECK (kind IN ('pn', 'lid')),
    value       text NOT NULL CHECK (value <> ''),
    customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, value)
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);

CREATE TABLE messages (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    wa_msg_id    text UNIQUE,    -- dedupe key; NULL for messages we composed
    customer_id  uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    direction    text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    type         text NOT NULL CHECK (type IN ('text', 'image', 'audio', 'voice', 'other')),
    content_text text,
    media_url    text,
    meta         jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_customer_created ON messages (customer_id, created_at DESC);
