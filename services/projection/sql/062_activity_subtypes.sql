-- The activity taxonomy (subtypes per kind, defined by each city) and activities counted by subtype.

CREATE TABLE activity_subtypes (
    city              text NOT NULL COLLATE "C",
    kind              text NOT NULL,
    subtype           text NOT NULL,
    name              text NOT NULL,
    retired           boolean NOT NULL,
    taxonomy_version  integer NOT NULL,      -- the city's taxonomy version of the latest change
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (city, kind, subtype)
);

-- Activities per unit, local month of when held, kind and subtype ('' for none), own and subtree: a
-- kind's subtypes add up to its count in outreach_monthly.
CREATE TABLE activity_subtype_monthly (
    path                text NOT NULL COLLATE "C",
    month               date NOT NULL,
    kind                text NOT NULL,
    subtype             text NOT NULL,
    own_activities      bigint NOT NULL DEFAULT 0,
    own_audience        bigint NOT NULL DEFAULT 0,
    subtree_activities  bigint NOT NULL DEFAULT 0,
    subtree_audience    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (path, month, kind, subtype)
);
