-- Bank connections: a user's consent at a bank and the tokens that use it. Tokens are stored encrypted only.

CREATE TABLE connections (
    id                      uuid PRIMARY KEY,
    client_app_id           uuid NOT NULL REFERENCES client_apps (id) ON DELETE CASCADE,
    user_id                 uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    institution_id          text NOT NULL,
    flow                    text NOT NULL,
    status                  text NOT NULL,
    status_reason           text NULL,
    redirect_uri            text NULL,
    psu_id                  text NULL,
    frequency_per_day       integer NOT NULL,
    requested_valid_until   date NOT NULL,
    bank_consent_id         text NULL,
    valid_until             date NULL,
    access_token_cipher     bytea NULL,
    refresh_token_cipher    bytea NULL,
    access_token_expires_at timestamptz NULL,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    authorised_at           timestamptz NULL
);
CREATE INDEX ix_connections_client_app_id_user_id ON connections (client_app_id, user_id);
