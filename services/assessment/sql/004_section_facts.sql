-- Sections and affiliated units are scored on their own facts where a scheme says so
-- (Scheme.also_scores): their facts are found by the fact's own unit and the units inside it.
CREATE INDEX facts_by_own_unit ON facts (unit, on_date);
