-- Durable timers: a deadline to act on. Scheduled in the same transaction as the event that sets
-- the deadline; fired once, in the same transaction as whatever the firing appends.
CREATE TABLE timers (
    timer_id   text PRIMARY KEY,
    kind       text NOT NULL,
    due_at     timestamptz NOT NULL,
    payload    jsonb NOT NULL DEFAULT '{}',
    fired_at   timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX timers_pending ON timers (due_at) WHERE fired_at IS NULL;
