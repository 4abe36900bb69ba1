-- Payments a client app initiates for its users. The row is the payment's intent, written before the bank is called:
-- the client app's Idempotency-Key is unique per app, and the X-Request-ID the bank is sent is fixed with it, so a
-- retried or repeated initiation reaches the bank as the same request.

CREATE TABLE payments (
    id                       uuid PRIMARY KEY,
    client_app_id            uuid NOT NULL REFERENCES client_apps (id) ON DELETE CASCADE,
    user_id                  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key          text NOT NULL,
    request_fingerprint      bytea NOT NULL,
    institution_id           text NOT NULL,
    product                  text NOT NULL,
    flow                     text NOT NULL,
    psu_id                   text NULL,
    psu_ip_address           text NOT NULL,
    redirect_uri             text NULL,
    debtor_account_id        uuid NULL,
    debtor_iban              text NOT NULL,
    creditor_name            text NOT NULL,
    creditor_iban            text NOT NULL,
    amount                   numeric(20, 2) NOT NULL,
    currency                 text NOT NULL,
    remittance               text NULL,
    requested_execution_date date NULL,
    status                   text NOT NULL,
    status_reason            text NULL,
    bank_request_id          uuid NOT NULL,
    bank_payment_id          text NULL,
    bank_status              text NULL,
    sca_redirect             text NULL,
    authorisation_url        text NULL,
    sca_status_url           text NULL,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    status_changed_at        timestamptz NOT NULL,
    next_poll_at             timestamptz NULL,
    poll_interval_ms         integer NOT NULL,
    deadline                 timestamptz NOT NULL
);
CREATE UNIQUE INDEX ix_payments_client_app_id_idempotency_key ON payments (client_app_id, idempotency_key);
CREATE INDEX ix_payments_client_app_id_user_id_created_at ON payments (client_app_id, user_id, created_at, id);
CREATE INDEX ix_payments_next_poll_at ON payments (next_poll_at) WHERE next_poll_at IS NOT NULL;
