-- The sandbox bank's own database (sandboxdb). Nothing here is shared with the platform.

-- Customers (PSUs), identified as at Nordic banks by their personal number.
CREATE TABLE psus (
    personal_number     text PRIMARY KEY,
    name                text NOT NULL,
    decoupled_behaviour text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- Accounts: the parameters the synthetic transaction generator needs; transactions themselves are derived
-- from (seed, day), so they never need storing and appear as the bank's clock moves.
CREATE TABLE accounts (
    resource_id          text PRIMARY KEY,
    personal_number      text NOT NULL REFERENCES psus ON DELETE CASCADE,
    position             integer NOT NULL,
    iban                 text NOT NULL UNIQUE,
    currency             char(3) NOT NULL,
    name                 text NOT NULL,
    product              text NOT NULL,
    owner_name           text NOT NULL,
    opening_balance      numeric(18, 2) NOT NULL,
    opened_on            date NOT NULL,
    transactions_per_day integer NOT NULL,
    seed                 bigint NOT NULL
);
CREATE INDEX accounts_by_psu ON accounts (personal_number, position);

CREATE TABLE consents (
    consent_id          text PRIMARY KEY,
    tpp_id              text NOT NULL,
    status              text NOT NULL,
    access              jsonb NOT NULL,
    recurring           boolean NOT NULL,
    valid_until         date NOT NULL,
    frequency_per_day   integer NOT NULL,
    combined_service    boolean NOT NULL,
    sca_approach        text NOT NULL,
    psu_id              text,
    redirect_uri        text,
    nok_redirect_uri    text,
    created_at          timestamptz NOT NULL,
    last_action_date    date NOT NULL
);
CREATE INDEX consents_by_psu ON consents (psu_id);

-- The accounts a valid consent covers, decided when the PSU approves it.
CREATE TABLE consent_accounts (
    consent_id   text NOT NULL REFERENCES consents ON DELETE CASCADE,
    resource_id  text NOT NULL REFERENCES accounts ON DELETE CASCADE,
    balances     boolean NOT NULL,
    transactions boolean NOT NULL,
    PRIMARY KEY (consent_id, resource_id)
);

CREATE TABLE authorisations (
    authorisation_id text PRIMARY KEY,
    consent_id       text NOT NULL REFERENCES consents ON DELETE CASCADE,
    sca_approach     text NOT NULL,
    sca_status       text NOT NULL,
    personal_number  text,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    last_polled_at   timestamptz,
    tokens_issued    boolean NOT NULL DEFAULT false
);
CREATE INDEX authorisations_by_consent ON authorisations (consent_id);

-- A browser sign-in at /oauth2/authorize: the OAuth request it answers and how far the PSU got.
CREATE TABLE logins (
    login_id         text PRIMARY KEY,
    authorisation_id text NOT NULL REFERENCES authorisations ON DELETE CASCADE,
    client_id        text NOT NULL,
    redirect_uri     text NOT NULL,
    state            text NOT NULL,
    code_challenge   text NOT NULL,
    personal_number  text,
    expires_at       timestamptz NOT NULL
);

-- Codes and tokens are stored as SHA-256 hashes only.
CREATE TABLE authorization_codes (
    code_hash      bytea PRIMARY KEY,
    consent_id     text NOT NULL REFERENCES consents ON DELETE CASCADE,
    tpp_id         text NOT NULL,
    redirect_uri   text NOT NULL,
    code_challenge text NOT NULL,
    family_id      uuid NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);

-- A family is every token descending from one authorization (a code or a decoupled approval); reuse of a
-- rotated refresh token or of a code revokes the whole family.
CREATE TABLE tokens (
    token_hash  bytea PRIMARY KEY,
    kind        text NOT NULL,
    family_id   uuid NOT NULL,
    consent_id  text NOT NULL REFERENCES consents ON DELETE CASCADE,
    tpp_id      text NOT NULL,
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX tokens_by_family ON tokens (family_id);
CREATE INDEX tokens_by_consent ON tokens (consent_id);

-- Unattended reads per consent, endpoint and account per bank day (frequencyPerDay).
CREATE TABLE access_counts (
    consent_id  text NOT NULL REFERENCES consents ON DELETE CASCADE,
    bank_day    date NOT NULL,
    endpoint    text NOT NULL,
    resource_id text NOT NULL,
    count       integer NOT NULL,
    PRIMARY KEY (consent_id, bank_day, endpoint, resource_id)
);

-- The PSU's own sign-in to the consents page, by cookie.
CREATE TABLE psu_sessions (
    session_hash    bytea PRIMARY KEY,
    personal_number text NOT NULL REFERENCES psus ON DELETE CASCADE,
    expires_at      timestamptz NOT NULL
);

-- The test clock: how far the bank's business time runs ahead of real time.
CREATE TABLE bank_clock (
    id             integer PRIMARY KEY CHECK (id = 1),
    offset_seconds bigint NOT NULL
);
INSERT INTO bank_clock VALUES (1, 0);
