-- The linked city–county–township view. Paths sort and prefix-match byte-wise (COLLATE "C"),
-- so subtree queries (path = $1 OR path LIKE $1 || '.%') use the primary-key index.
CREATE TABLE units (
    path          text PRIMARY KEY COLLATE "C",
    parent        text COLLATE "C",
    name          text NOT NULL,
    kind          text NOT NULL,
    level         text NOT NULL,
    registered_at timestamptz NOT NULL
);
CREATE INDEX units_parent ON units (parent);

-- Activity counts per unit and kind: the unit's own, and rolled up over its whole subtree.
CREATE TABLE activity_counts (
    path              text NOT NULL COLLATE "C",
    kind              text NOT NULL,
    own_activities    bigint NOT NULL DEFAULT 0,
    own_audience      bigint NOT NULL DEFAULT 0,
    subtree_activities bigint NOT NULL DEFAULT 0,
    subtree_audience  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (path, kind)
);
