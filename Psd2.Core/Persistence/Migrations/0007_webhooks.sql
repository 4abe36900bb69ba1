-- Webhooks: the endpoints client apps register, one delivery per (endpoint, event) fanned out from the
-- platform_events outbox, and every attempt at a delivery.

CREATE TABLE webhook_endpoints (
    id                          uuid PRIMARY KEY,
    client_app_id               uuid NOT NULL REFERENCES client_apps (id) ON DELETE CASCADE,
    url                         text NOT NULL,
    -- The event types this endpoint receives; empty means every type.
    event_types                 text[] NOT NULL,
    description                 text NULL,
    -- The signing secret, AES-256-GCM under Tokens:EncryptionKey and bound to this row; never stored in clear.
    secret_cipher               bytea NOT NULL,
    -- After a rotation the previous secret still signs until it expires, so receivers can switch without a gap.
    previous_secret_cipher      bytea NULL,
    previous_secret_expires_at  timestamptz NULL,
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL
);
CREATE INDEX ix_webhook_endpoints_client_app_id ON webhook_endpoints (client_app_id);

-- status: pending (next_attempt_at says when), delivered (a 2xx), dead (retried for the whole window, or never
-- deliverable). A replica claims due rows with FOR UPDATE SKIP LOCKED and pushes next_attempt_at out by a lease.
CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY,
    endpoint_id       uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id          uuid NOT NULL REFERENCES platform_events (id) ON DELETE CASCADE,
    client_app_id     uuid NOT NULL,
    status            text NOT NULL,
    attempts          integer NOT NULL,
    -- When the retry window began: the fan-out, or the last redelivery asked for through the api.
    scheduled_at      timestamptz NOT NULL,
    next_attempt_at   timestamptz NULL,
    last_attempt_at   timestamptz NULL,
    last_status_code  integer NULL,
    last_error        text NULL,
    delivered_at      timestamptz NULL,
    dead_at           timestamptz NULL,
    created_at        timestamptz NOT NULL,
    CONSTRAINT ux_webhook_deliveries_endpoint_event UNIQUE (endpoint_id, event_id)
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_webhook_deliveries_endpoint_id_created_at ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX ix_webhook_deliveries_event_id ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at     timestamptz NOT NULL,
    status_code      integer NULL,
    error            text NULL,
    duration_ms      integer NOT NULL
);
CREATE INDEX ix_webhook_attempts_delivery_id ON webhook_attempts (delivery_id);
