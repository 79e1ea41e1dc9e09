-- Wallets, the ledger, quotes and the three money documents (orders, deposits, transfers).
--
-- Invariants (kept by the functions in 0004-0007, backed by constraints here):
--   * wallets.balance >= 0, always;
--   * for every customer, sum(ledger_entries.amount) = wallets.balance;
--   * one ledger entry per (kind, ref): a reference can move money of one kind only once;
--   * order/transfer/deposit statuses only move forward; success/failed (and the closed deposit
--     states) are final.

CREATE TABLE wallets (
    customer_id uuid PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    balance     bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
    id            bigserial PRIMARY KEY,
    customer_id   uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    amount        bigint NOT NULL,  -- signed rupiah: + credit, - debit, 0 marker
    kind          text NOT NULL
                  CHECK (kind IN ('deposit', 'hold', 'release', 'capture', 'adjust')),
    ref           text NOT NULL,    -- reff_id of the order/transfer/deposit, or an adjust ref
    balance_after bigint NOT NULL CHECK (balance_after >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, ref)
);
CREATE INDEX ledger_entries_customer ON ledger_entries (customer_id, id);

-- What the customer is asked to confirm with YA. `amount` is what the wallet is charged (sell
-- price, or transfer nominal + fee); the price is locked for the life of the quote.
CREATE TABLE quotes (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id    uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('topup', 'bill', 'deposit', 'transfer')),
    payload        jsonb NOT NULL DEFAULT '{}'::jsonb,
    amount         bigint NOT NULL CHECK (amount > 0),
    supplier_price bigint CHECK (supplier_price >= 0),  -- the limit_price sent to the supplier
    reff_id        text NOT NULL UNIQUE,
    status         text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'confirmed', 'cancelled', 'expired', 'superseded')),
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quotes_open_by_customer ON quotes (customer_id, created_at DESC)
    WHERE status = 'open';

CREATE TABLE orders (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id    uuid NOT NULL REFERENCES customers (id),
    quote_id       uuid UNIQUE REFERENCES quotes (id),
    kind           text NOT NULL CHECK (kind IN ('prepaid', 'postpaid')),
    atl_id         text,            -- the supplier's transaction id
    reff_id        text NOT NULL UNIQUE,
    code           text NOT NULL,
    layanan        text NOT NULL DEFAULT '',
    target         text NOT NULL,
    customer_name  text,
    price          bigint NOT NULL CHECK (price > 0),  -- sell price held from the wallet
    supplier_price bigint CHECK (supplier_price >= 0),
    sn             text,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'success', 'failed')),
    failure_reason text,
    submitted_at   timestamptz,
    settled_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer ON orders (customer_id, created_at DESC);
CREATE INDEX orders_atl_id ON orders (atl_id) WHERE atl_id IS NOT NULL;
CREATE INDEX orders_pending ON orders (created_at) WHERE status = 'pending';

CREATE TABLE deposits (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id uuid NOT NULL REFERENCES customers (id),
    quote_id    uuid REFERENCES quotes (id),  -- an order waiting for this money, if any
    atl_id      text,
    reff_id     text NOT NULL UNIQUE,
    metode      text NOT NULL DEFAULT 'qris',
    nominal     bigint NOT NULL CHECK (nominal > 0),
    fee         bigint NOT NULL DEFAULT 0 CHECK (fee >= 0),
    get_balance bigint CHECK (get_balance >= 0),  -- what the wallet is (or was) credited
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'processing', 'success', 'expired', 'cancel', 'failed')),
    qr_string   text,
    expires_at  timestamptz,
    credited_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deposits_customer ON deposits (customer_id, created_at DESC);
CREATE INDEX deposits_atl_id ON deposits (atl_id) WHERE atl_id IS NOT NULL;
CREATE INDEX deposits_open ON deposits (created_at) WHERE status IN ('pending', 'processing');

CREATE TABLE transfers (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id    uuid NOT NULL REFERENCES customers (id),
    quote_id       uuid UNIQUE REFERENCES quotes (id),
    atl_id         text,
    reff_id        text NOT NULL UNIQUE,
    bank_code      text NOT NULL,
    nomor_tujuan   text NOT NULL,
    account_name   text,
    nominal        bigint NOT NULL CHECK (nominal > 0),
    fee            bigint NOT NULL DEFAULT 0 CHECK (fee >= 0),
    total          bigint NOT NULL CHECK (total = nominal + fee),
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'success', 'failed')),
    failure_reason text,
    submitted_at   timestamptz,
    settled_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transfers_customer ON transfers (customer_id, created_at DESC);
CREATE INDEX transfers_atl_id ON transfers (atl_id) WHERE atl_id IS NOT NULL;
CREATE INDEX transfers_pending ON transfers (created_at) WHERE status = 'pending';
