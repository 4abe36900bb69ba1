-- Scheduled work: unattended refreshes inside the consent's daily budget, token refresh ahead of expiry, consent
-- status checks, and what clients and operators see of them.

ALTER TABLE connections
    -- Why unattended refreshes are held back (refresh_limit_reached: the bank said the day's reads are spent).
    ADD COLUMN refresh_reason        text NULL,
    -- A worker holds the connection for a refresh or token run until then (database clock: leases are about
    -- processes being alive, not about business time), and which one.
    ADD COLUMN lease_until           timestamptz NULL,
    ADD COLUMN leased_by             text NULL,
    ADD COLUMN next_consent_check_at timestamptz NULL;

-- The dispatcher's and the consent checker's queues: only live connections.
CREATE INDEX ix_connections_next_refresh_at ON connections (next_refresh_at) WHERE status IN ('active', 'renewal_due');
CREATE INDEX ix_connections_next_consent_check_at ON connections (next_consent_check_at) WHERE status IN ('active', 'renewal_due');
CREATE INDEX ix_connections_access_token_expires_at ON connections (access_token_expires_at) WHERE status IN ('active', 'renewal_due');

-- The unattended reads taken from a consent's budget per bank day (the institution's time zone). A read is taken
-- here, atomically and never over allowed, before the bank is called.
CREATE TABLE refresh_budgets (
    connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    bank_day      date NOT NULL,
    used          integer NOT NULL,
    allowed       integer NOT NULL,
    PRIMARY KEY (connection_id, bank_day),
    CHECK (used <= allowed)
);

-- What the worker did for a connection (unattended refresh, token refresh, consent check), newest kept for clients.
CREATE TABLE connection_job_runs (
    id            uuid PRIMARY KEY,
    connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    kind          text NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    outcome       text NOT NULL,
    error_code    text NULL,
    sync_run_id   uuid NULL,
    worker        text NOT NULL
);
CREATE INDEX ix_connection_job_runs_connection_id_started_at ON connection_job_runs (connection_id, started_at);

-- Each scheduler job's last run and counts, written by every worker replica as its jobs finish.
CREATE TABLE scheduler_job_stats (
    job              text PRIMARY KEY,
    runs             bigint NOT NULL,
    failures         bigint NOT NULL,
    last_started_at  timestamptz NULL,
    last_finished_at timestamptz NULL,
    last_outcome     text NULL,
    last_error       text NULL,
    last_worker      text NULL,
    next_fire_at     timestamptz NULL
);
