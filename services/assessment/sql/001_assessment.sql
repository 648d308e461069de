-- Units known from duty's events: the scored ones (city, county, township offices) are ranked.
CREATE TABLE known_units (
    path        text PRIMARY KEY COLLATE "C",
    parent      text COLLATE "C",
    name        text NOT NULL,
    kind        text NOT NULL,
    scored      boolean NOT NULL,
    retired_on  date
);
CREATE INDEX known_units_parent ON known_units (parent) WHERE scored;

-- Facts learned from the other services' events, one row per subject (activity:…, case:…, outlet:…),
-- replaced as later events about the subject arrive; `events` names every event behind it.
-- `scored_unit` is the office the fact counts for (a section's facts count for its bureau).
CREATE TABLE facts (
    subject      text PRIMARY KEY,
    metric       text NOT NULL,
    unit         text NOT NULL COLLATE "C",
    scored_unit  text NOT NULL COLLATE "C",
    on_date      date NOT NULL,
    until        date,
    attrs        jsonb NOT NULL DEFAULT '{}',
    events       text[] NOT NULL
);
CREATE INDEX facts_by_unit ON facts (scored_unit, on_date);

-- Opinion cases seen reported, until they are graded relevant (only then do they become facts).
CREATE TABLE cases_seen (
    case_id      text PRIMARY KEY,
    unit         text NOT NULL,
    captured_on  date NOT NULL,
    drill        boolean NOT NULL
);

-- Outreach targets per unit, year, kind and cadence (the latest revision; 0 = withdrawn).
CREATE TABLE targets (
    unit     text NOT NULL COLLATE "C",
    year     integer NOT NULL,
    kind     text NOT NULL,
    cadence  text NOT NULL,
    count    integer NOT NULL,
    PRIMARY KEY (unit, year, kind, cadence)
);

-- (unit, period) whose score may have changed: written in the same transaction as the change, taken
-- by the rescorer, which recomputes, appends ScoreComputed if the score differs and deletes the row.
CREATE TABLE dirty (
    unit    text NOT NULL COLLATE "C",
    period  text NOT NULL,
    depth   integer NOT NULL,
    PRIMARY KEY (unit, period)
);

-- The current score of every scored unit and period (provisional, or frozen by a bulletin).
CREATE TABLE scores (
    unit     text NOT NULL COLLATE "C",
    period   text NOT NULL,
    own      double precision NOT NULL,
    total    double precision NOT NULL,
    vetoed   boolean NOT NULL,
    digest   text NOT NULL,
    frozen_by text,
    PRIMARY KEY (unit, period)
);
