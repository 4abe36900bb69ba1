-- Decoupled authorisation, renewal, the timestamps clients see, and the user's accounts with ids that outlive consents.

ALTER TABLE connections
    ADD COLUMN status_changed_at         timestamptz NULL,
    ADD COLUMN access                    text[] NOT NULL DEFAULT '{accounts,balances,transactions}',
    ADD COLUMN sca_status_url            text NULL,
    ADD COLUMN next_poll_at              timestamptz NULL,
    ADD COLUMN authorisation_deadline    timestamptz NULL,
    ADD COLUMN consent_checked_at        timestamptz NULL,
    ADD COLUMN last_synced_at            timestamptz NULL,
    ADD COLUMN next_refresh_at           timestamptz NULL,
    ADD COLUMN renews_connection_id      uuid NULL,
    ADD COLUMN replaced_by_connection_id uuid NULL;
UPDATE connections SET status_changed_at = updated_at;
ALTER TABLE connections ALTER COLUMN status_changed_at SET NOT NULL;

-- The decoupled poller's queue: only connections still waiting for the PSU's BankID answer.
CREATE INDEX ix_connections_next_poll_at ON connections (next_poll_at)
    WHERE status = 'awaiting_decoupled_authorisation';

-- An account keeps its platform id for as long as the user has it at that institution, whatever consent reads it.
CREATE TABLE accounts (
    id                uuid PRIMARY KEY,
    client_app_id     uuid NOT NULL REFERENCES client_apps (id) ON DELETE CASCADE,
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    institution_id    text NOT NULL,
    connection_id     uuid NULL REFERENCES connections (id) ON DELETE SET NULL,
    bank_resource_id  text NOT NULL,
    iban              text NOT NULL,
    currency          text NOT NULL,
    name              text NULL,
    product           text NULL,
    owner_name        text NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX ix_accounts_user_id_institution_id_iban_currency ON accounts (user_id, institution_id, iban, currency);
CREATE INDEX ix_accounts_connection_id ON accounts (connection_id);
