-- Dirty marks become a queue: a fact's transaction only ever inserts, so it never waits for the
-- rescorer, which used to hold the marks it was scoring (FOR UPDATE) for its whole transaction while
-- every fact touching the same score queued behind it. The rescorer takes marks by id, removes every
-- mark of the pairs it scores before it reads the facts, and scores each pair once however many marks
-- it had.
ALTER TABLE dirty DROP CONSTRAINT dirty_pkey;
ALTER TABLE dirty ADD COLUMN id bigserial PRIMARY KEY;
CREATE INDEX dirty_pairs ON dirty (unit, period);
CREATE INDEX dirty_deepest_first ON dirty (depth DESC, id);
