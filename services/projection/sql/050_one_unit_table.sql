-- One unit table for every view: the duty, opinion and assessment copies of the units, fed by the same
-- duty events, fold into `units`. A unit is valid from `since` (its effective date, or the local date it
-- was registered) until `retired_on`; after a merge `successor` names the unit it continues as.
ALTER TABLE units
    ADD COLUMN registered_on date,                -- NULL: existed before records began
    ADD COLUMN since date,
    ADD COLUMN previous_path text COLLATE "C";    -- set when the unit moved here in a merge or split
UPDATE units u SET registered_on = d.registered_on, previous_path = d.previous_path
    FROM duty_units d WHERE d.path = u.path;
UPDATE units u SET since = o.since FROM opinion_units o WHERE o.path = u.path;
UPDATE units SET since = coalesce(registered_on, (registered_at AT TIME ZONE 'Asia/Shanghai')::date)
    WHERE since IS NULL;
ALTER TABLE units ALTER COLUMN since SET NOT NULL;
DROP TABLE duty_units, opinion_units, assessment_units;
