-- The assessment view: each unit's score per period (the latest computed one, or the frozen row of the
-- newest bulletin that ranked it), bulletins with their rows, scheme versions, appeals, and the units as
-- assessment sees them (for names). Unit columns sort and prefix-match byte-wise (COLLATE "C").
CREATE TABLE assessment_scores (
    unit              text NOT NULL COLLATE "C",
    period            text NOT NULL,
    parent            text COLLATE "C",  -- the unit above it: children of a unit are one index range
    year              integer NOT NULL,
    cadence           text NOT NULL,  -- month, quarter or year: the trend reads one cadence of a year
    own               double precision NOT NULL,
    total             double precision NOT NULL,
    vetoed            boolean NOT NULL,
    explanation       jsonb NOT NULL,
    frozen            boolean NOT NULL DEFAULT false,  -- from a bulletin: no later ScoreComputed changes it
    bulletin_unit     text COLLATE "C",
    bulletin_version  integer,
    rank              integer,  -- among its peers in that bulletin
    seq               bigint NOT NULL,  -- stream sequence of the event that set this row
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (unit, period)
);
CREATE INDEX assessment_scores_parent ON assessment_scores (parent, period);
CREATE INDEX assessment_scores_trend ON assessment_scores (unit, year, cadence);

CREATE TABLE assessment_bulletins (
    unit             text NOT NULL COLLATE "C",
    period           text NOT NULL,
    version          integer NOT NULL,
    title            text NOT NULL,
    scheme_version   integer NOT NULL,
    appeal_deadline  date NOT NULL,
    reissued_for     text,
    published_at     timestamptz NOT NULL,
    seq              bigint NOT NULL,
    PRIMARY KEY (unit, period, version)
);

CREATE TABLE assessment_bulletin_rows (
    bulletin_unit  text NOT NULL COLLATE "C",
    period         text NOT NULL,
    version        integer NOT NULL,
    position       integer NOT NULL,  -- the order the bulletin lists them in
    unit           text NOT NULL COLLATE "C",
    name           text NOT NULL,
    parent         text COLLATE "C",
    own            double precision NOT NULL,
    total          double precision NOT NULL,
    vetoed         boolean NOT NULL,
    rank           integer,
    explanation    jsonb NOT NULL,
    PRIMARY KEY (bulletin_unit, period, version, position)
);
CREATE INDEX assessment_bulletin_rows_unit ON assessment_bulletin_rows (unit);

CREATE TABLE assessment_schemes (
    year        integer NOT NULL,
    version     integer NOT NULL,
    unit        text NOT NULL COLLATE "C",
    scheme      jsonb NOT NULL,
    reason      text,
    adopted_at  timestamptz NOT NULL,
    PRIMARY KEY (year, version)
);

CREATE TABLE assessment_appeals (
    appeal_id         text PRIMARY KEY,
    unit              text NOT NULL COLLATE "C",
    period            text NOT NULL,
    bulletin_unit     text NOT NULL COLLATE "C",
    bulletin_version  integer,
    state             text NOT NULL,  -- filed, upheld or rejected
    reason            text NOT NULL,
    points            double precision,
    decision          text,
    filed_at          timestamptz,
    decided_at        timestamptz
);
CREATE INDEX assessment_appeals_unit ON assessment_appeals (unit);

CREATE TABLE assessment_units (
    path        text PRIMARY KEY COLLATE "C",
    parent      text COLLATE "C",
    name        text NOT NULL,
    kind        text NOT NULL,
    retired_on  date
);
