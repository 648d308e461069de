-- What the case page needs to offer 退单 and the extension decision only when the case allows them:
-- the chain of units that passed the case down (the domain's dispatchers; the desk is the last) and the
-- working days of an extension request waiting for a decision. Rows from before this migration get
-- their desk as the whole chain and no pending request; a rebuild gives them the true values.
ALTER TABLE opinion_cases ADD COLUMN dispatchers text[] NOT NULL DEFAULT '{}';
ALTER TABLE opinion_cases ADD COLUMN pending_extension integer;
UPDATE opinion_cases SET dispatchers = ARRAY[desk];
