-- One way for every background worker (reactions, timers, the projection, assessment's rescorer) to
-- count an item's own failures and to set aside an item no retry fixes, for an operator to look at.

-- Failures of an item itself, counted by the worker that met them, written outside the transaction
-- that failed (so the count survives its rollback). Outages never reach this table: only errors of the
-- item do, so redeliveries made while a server was away never bring an item closer to being parked.
CREATE TABLE failures (
    worker      text NOT NULL,
    item        text NOT NULL,
    attempts    integer NOT NULL,
    last_error  text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (worker, item)
);

-- Items a worker gave up on after its retry budget, with the reason; `sanji dlq` lists them, asks for a
-- retry (retry_requested_at, picked up by the worker) or discards them.
CREATE TABLE parked (
    id                 bigserial PRIMARY KEY,
    worker             text NOT NULL,
    item               text NOT NULL,
    reason             text NOT NULL,
    attempts           integer NOT NULL,
    payload            bytea NOT NULL,
    parked_at          timestamptz NOT NULL DEFAULT now(),
    retry_requested_at timestamptz,
    UNIQUE (worker, item)
);
CREATE INDEX parked_retries ON parked (worker) WHERE retry_requested_at IS NOT NULL;

-- A parked timer stays unfired but is no longer due; its attempts now live in failures.
ALTER TABLE timers ADD COLUMN parked_at timestamptz;
ALTER TABLE timers DROP COLUMN attempts;
ALTER TABLE timers DROP COLUMN last_error;
DROP INDEX timers_pending;
CREATE INDEX timers_pending ON timers (due_at) WHERE fired_at IS NULL AND parked_at IS NULL;
