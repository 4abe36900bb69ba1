-- Account data in one normalized model: balances, transactions, and the record of every sync run.

ALTER TABLE accounts ADD COLUMN last_synced_at timestamptz NULL;

CREATE TABLE balances (
    account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    balance_type   text NOT NULL,
    amount         numeric(20, 4) NOT NULL,
    currency       text NOT NULL,
    reference_date date NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (account_id, balance_type, currency)
);

-- sort_date is the booking date, or the value date while pending: the read API's order is (sort_date desc, id desc).
CREATE TABLE transactions (
    id                    uuid PRIMARY KEY,
    account_id            uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    bank_transaction_id   text NOT NULL,
    entry_reference       text NULL,
    status                text NOT NULL,
    amount                numeric(20, 4) NOT NULL,
    currency              text NOT NULL,
    booking_date          date NULL,
    value_date            date NULL,
    sort_date             date NOT NULL,
    counterparty_name     text NULL,
    counterparty_iban     text NULL,
    remittance            text NULL,
    bank_transaction_code text NULL,
    fingerprint           text NOT NULL,
    raw                   jsonb NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE UNIQUE INDEX ix_transactions_account_id_bank_transaction_id ON transactions (account_id, bank_transaction_id);
CREATE INDEX ix_transactions_account_id_sort_date_id ON transactions (account_id, sort_date DESC, id DESC);

CREATE TABLE sync_runs (
    id                   uuid PRIMARY KEY,
    client_app_id        uuid NOT NULL REFERENCES client_apps (id) ON DELETE CASCADE,
    connection_id        uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    user_present         boolean NOT NULL,
    request_id           text NULL,
    status               text NOT NULL,
    created_at           timestamptz NOT NULL,
    started_at           timestamptz NULL,
    finished_at          timestamptz NULL,
    accounts_synced      integer NOT NULL DEFAULT 0,
    accounts_failed      integer NOT NULL DEFAULT 0,
    transactions_added   integer NOT NULL DEFAULT 0,
    transactions_updated integer NOT NULL DEFAULT 0,
    transactions_removed integer NOT NULL DEFAULT 0,
    error_code           text NULL,
    next_allowed_at      timestamptz NULL
);
CREATE INDEX ix_sync_runs_connection_id_created_at ON sync_runs (connection_id, created_at DESC);
