-- A timer whose handler fails is retried later with backoff instead of blocking the timers due after it.
ALTER TABLE timers ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE timers ADD COLUMN last_error text;
