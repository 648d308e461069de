-- Idempotency keys belong to the principal that sent them (design trap 11): a stored reply is found by
-- (principal, key), and the request's fingerprint (command name + canonical body) is kept so that a key
-- reused for a different request is refused instead of answered with someone else's reply.
ALTER TABLE processed_commands ADD COLUMN principal text NOT NULL DEFAULT '';
ALTER TABLE processed_commands ADD COLUMN fingerprint text;

-- Rows stored before: the principal is the actor of the events the command appended. A row whose
-- command appended nothing keeps '' and answers its key for any principal, as it did before; its
-- fingerprint stays NULL, so any body gets the stored reply, also as before.
UPDATE processed_commands AS p
   SET principal = e.envelope ->> 'actor'
  FROM events AS e
 WHERE jsonb_array_length(p.reply -> 'events') > 0
   AND e.event_id = (p.reply -> 'events' ->> 0)::uuid;

ALTER TABLE processed_commands DROP CONSTRAINT processed_commands_pkey;
ALTER TABLE processed_commands ADD PRIMARY KEY (principal, command_id);
