-- Gemini API keys (encrypted by the application before they reach the database), the persisted
-- price list cache and the owner's settings (markup rules etc.).

CREATE TABLE api_keys (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    label           text NOT NULL DEFAULT '',
    key_ciphertext  text NOT NULL,           -- Fernet token; the plaintext never reaches SQL
    key_fingerprint text NOT NULL UNIQUE,    -- keyed HMAC of the plaintext, to spot duplicates
    priority        integer NOT NULL DEFAULT 100,  -- lower is tried first
    enabled         boolean NOT NULL DEFAULT true,
    cooldown_until  timestamptz,
    last_error      text,
    last_error_at   timestamptz,
    failure_count   integer NOT NULL DEFAULT 0,  -- consecutive errors (a breaker's input)
    last_used_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE price_cache (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type       text NOT NULL UNIQUE,  -- prabayar | pascabayar | ...
    payload    jsonb NOT NULL,
    fetched_at timestamptz NOT NULL DEFAULT now(),
    ttl_sec    integer NOT NULL CHECK (ttl_sec > 0)
);

CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
