-- The outbox of events the platform tells client apps about (webhooks). A row is written in the same
-- transaction as the change it describes, so no change goes untold and no event tells of a change that was
-- rolled back; delivery reads it afterwards.

CREATE TABLE platform_events (
    id            uuid PRIMARY KEY,
    client_app_id uuid NOT NULL REFERENCES client_apps (id) ON DELETE CASCADE,
    type          text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    user_id       uuid NULL,
    connection_id uuid NULL,
    data          jsonb NOT NULL,
    dispatched_at timestamptz NULL
);
CREATE INDEX ix_platform_events_client_app_id_occurred_at ON platform_events (client_app_id, occurred_at);
CREATE INDEX ix_platform_events_undispatched ON platform_events (occurred_at) WHERE dispatched_at IS NULL;
