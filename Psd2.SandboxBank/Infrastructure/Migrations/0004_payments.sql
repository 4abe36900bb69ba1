-- Berlin Group payment initiation (PIS): the payments TPPs initiate, authorised through the same SCA machinery as
-- consents. An executed payment is a booked debit of its debtor account from its execution bank day on.
CREATE TABLE payments (
    payment_id               text PRIMARY KEY,
    tpp_id                   text NOT NULL,
    product                  text NOT NULL,
    -- A repeated X-Request-ID of the same TPP is the same request: the unique constraint makes two concurrent
    -- initiations with one id end in one payment, and the first answer is kept to be given again.
    request_id               uuid NOT NULL,
    request_hash             bytea NOT NULL,
    status                   text NOT NULL,
    status_reason            text,
    debtor_resource_id       text NOT NULL REFERENCES accounts ON DELETE CASCADE,
    debtor_iban              text NOT NULL,
    creditor_iban            text NOT NULL,
    creditor_name            text NOT NULL,
    amount                   numeric(16, 2) NOT NULL,
    currency                 char(3) NOT NULL,
    -- What the debtor account is debited, in its own currency.
    debit_amount             numeric(16, 2) NOT NULL,
    remittance               text,
    end_to_end_id            text,
    requested_execution_date date,
    execution_date           date,
    sca_approach             text,
    psu_id                   text,
    redirect_uri             text,
    nok_redirect_uri         text,
    created_at               timestamptz NOT NULL,
    response_status          integer NOT NULL,
    response_body            text NOT NULL,
    CONSTRAINT payments_request_id_once UNIQUE (tpp_id, request_id)
);
CREATE INDEX payments_by_debtor ON payments (debtor_resource_id);
CREATE INDEX payments_by_created ON payments (created_at DESC);

-- An authorisation is of a consent or of a payment.
ALTER TABLE authorisations ALTER COLUMN consent_id DROP NOT NULL;
ALTER TABLE authorisations ADD COLUMN payment_id text REFERENCES payments ON DELETE CASCADE;
ALTER TABLE authorisations ADD CONSTRAINT authorisations_of_one CHECK ((consent_id IS NULL) <> (payment_id IS NULL));
CREATE INDEX authorisations_by_payment ON authorisations (payment_id);

-- Codes and tokens of a payment's redirect SCA (scope PIS:<paymentId>).
ALTER TABLE authorization_codes ALTER COLUMN consent_id DROP NOT NULL;
ALTER TABLE authorization_codes ADD COLUMN payment_id text REFERENCES payments ON DELETE CASCADE;
ALTER TABLE tokens ADD COLUMN payment_id text REFERENCES payments ON DELETE CASCADE;
