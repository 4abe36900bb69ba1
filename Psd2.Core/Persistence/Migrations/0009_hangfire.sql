-- The worker runs on Hangfire (its schema "hangfire", installed by the migrator beside these scripts); Quartz's tables go.

DROP TABLE IF EXISTS qrtz_fired_triggers, qrtz_paused_trigger_grps, qrtz_scheduler_state, qrtz_locks, qrtz_simple_triggers,
    qrtz_simprop_triggers, qrtz_cron_triggers, qrtz_blob_triggers, qrtz_triggers, qrtz_job_details, qrtz_calendars CASCADE;

-- A claim for one unattended refresh (set with lease_until by the dispatcher): the job enqueued for it runs only
-- while the connection still carries it, so a job a dead replica left behind never reads a second time.
ALTER TABLE connections ADD COLUMN lease_token uuid NULL;
