-- Known units in the shape every write-side service shares (services/eventkit/knownunits.py): the
-- existing rows carried over; validity and successors were not kept before, so they start empty.
CREATE TABLE known_units_shared (
    path        text PRIMARY KEY COLLATE "C",
    parent      text COLLATE "C",
    name        text NOT NULL,
    kind        text NOT NULL,
    valid_from  date,                      -- NULL: existed before records began
    valid_to    date,                      -- retired: stops answering from this day
    successor   text COLLATE "C",          -- retired into this unit (a merge)
    learned_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO known_units_shared (path, parent, name, kind, valid_from, valid_to, successor, learned_at)
    SELECT path, CASE WHEN strpos(path, '.') > 0 THEN regexp_replace(path, '\.[^.]*$', '') END, name, kind, NULL::date, NULL::date, NULL, learned_at FROM known_units;
DROP TABLE known_units;
ALTER TABLE known_units_shared RENAME TO known_units;
ALTER INDEX known_units_shared_pkey RENAME TO known_units_pkey;
CREATE INDEX known_units_parent ON known_units (parent);
