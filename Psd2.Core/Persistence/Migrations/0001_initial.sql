-- Client apps, their API keys, their end users and the audit trail.

CREATE TABLE client_apps (
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    redirect_uris text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL,
    disabled_at   timestamptz NULL
);

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    client_app_id uuid NOT NULL REFERENCES client_apps (id) ON DELETE CASCADE,
    prefix        text NOT NULL,
    secret_hash   bytea NOT NULL,
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz NULL,
    revoked_at    timestamptz NULL
);
CREATE UNIQUE INDEX ix_api_keys_prefix ON api_keys (prefix);
CREATE INDEX ix_api_keys_client_app_id ON api_keys (client_app_id);

CREATE TABLE users (
    id                 uuid PRIMARY KEY,
    client_app_id      uuid NOT NULL REFERENCES client_apps (id) ON DELETE CASCADE,
    external_reference text NOT NULL,
    created_at         timestamptz NOT NULL
);
CREATE UNIQUE INDEX ix_users_client_app_id_external_reference ON users (client_app_id, external_reference);

-- Append-only: the application never updates or deletes a row (erasure keeps the event, not the person).
CREATE TABLE audit_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_app_id uuid NULL,
    occurred_at   timestamptz NOT NULL,
    type          text NOT NULL,
    request_id    text NULL,
    user_id       uuid NULL,
    connection_id uuid NULL,
    details       jsonb NULL
);
CREATE INDEX ix_audit_events_client_app_id_id ON audit_events (client_app_id, id);
