-- Outreach read models. Unit paths sort and prefix-match byte-wise (COLLATE "C"): subtree filters
-- (unit = $1 OR unit LIKE $1 || '.%') use the indexes below.

-- Every activity with its current facts (after corrections); a voided one stays, marked voided.
CREATE TABLE outreach_activities (
    activity_id  text PRIMARY KEY,
    unit         text NOT NULL COLLATE "C",
    kind         text NOT NULL,
    topic        text NOT NULL,
    held_on      date NOT NULL,            -- local date (Asia/Shanghai)
    audience     integer NOT NULL,
    facts        jsonb NOT NULL,           -- the full ActivityFacts
    source       text,
    external_id  text,
    voided       boolean NOT NULL DEFAULT false,
    corrections  integer NOT NULL DEFAULT 0,
    logged_at    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX outreach_activities_unit_day ON outreach_activities (unit, held_on);

-- Every outreach event per aggregate (activity, plan, publication): the full history, oldest first.
CREATE TABLE outreach_history (
    stream      text NOT NULL,
    seq         bigint NOT NULL,              -- JetStream sequence
    event_type  text NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    data        jsonb NOT NULL,
    PRIMARY KEY (stream, seq)
);

-- Counts per unit, kind and local month: the unit's own and rolled up over its subtree. Quarters and
-- years are sums of months.
CREATE TABLE outreach_monthly (
    path               text NOT NULL COLLATE "C",
    kind               text NOT NULL,
    month              date NOT NULL,         -- first day of the local month
    own_activities     bigint NOT NULL DEFAULT 0,
    own_audience       bigint NOT NULL DEFAULT 0,
    subtree_activities bigint NOT NULL DEFAULT 0,
    subtree_audience   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (path, month, kind)
);

-- The current targets (count 0 = withdrawn).
CREATE TABLE outreach_targets (
    unit      text NOT NULL COLLATE "C",
    year      integer NOT NULL,
    kind      text NOT NULL,
    cadence   text NOT NULL,
    count     integer NOT NULL,
    audience  integer,
    scope     text NOT NULL,
    revision  integer NOT NULL,
    reason    text,
    set_at    timestamptz NOT NULL,
    PRIMARY KEY (unit, year, kind, cadence)
);

-- Outlets as duty announces them (names for the by-outlet view).
CREATE TABLE outreach_outlets (
    outlet_id   text PRIMARY KEY,
    unit        text NOT NULL COLLATE "C",
    kind        text NOT NULL,
    name        text NOT NULL,
    status      text NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Publications and where they stand in 三审三校.
CREATE TABLE outreach_publications (
    publication_id text PRIMARY KEY,
    unit           text NOT NULL COLLATE "C",
    kind           text NOT NULL,
    title          text NOT NULL,
    outlet_id      text NOT NULL,
    status         text NOT NULL,
    round          integer NOT NULL DEFAULT 1,
    submitted_by   text NOT NULL,
    reviews        jsonb NOT NULL DEFAULT '{}',  -- stage → {reviewer, decision, comments} of this round
    submitted_at   timestamptz NOT NULL,
    published_on   date,
    url            text,
    views          bigint NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX outreach_publications_unit ON outreach_publications (unit);
