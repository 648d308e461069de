-- Meeting targets per unit, year, kind and cadence (count 0 = withdrawn); measured against meeting_monthly.
CREATE TABLE meeting_targets (
    unit      text NOT NULL COLLATE "C",
    year      integer NOT NULL,
    kind      text NOT NULL,
    cadence   text NOT NULL,
    count     integer NOT NULL,
    revision  integer NOT NULL,
    reason    text,
    set_at    timestamptz NOT NULL,
    PRIMARY KEY (unit, year, kind, cadence)
);
