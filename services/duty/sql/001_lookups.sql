-- Lookup tables the duty handlers keep in the same transaction as the events they append. They
-- answer "which outlets does this post own", "what lies below this unit" and the like, so a
-- handler knows which aggregates to load; the rules themselves run on the loaded aggregates.
-- Paths compare byte-wise (COLLATE "C") so a subtree is a primary-key range scan.
CREATE TABLE units (
    path     text PRIMARY KEY COLLATE "C",
    parent   text COLLATE "C",
    kind     text NOT NULL,
    retired  boolean NOT NULL DEFAULT false
);
CREATE INDEX units_parent ON units (parent);

-- Units registered before these tables existed.
INSERT INTO units (path, parent, kind)
SELECT envelope -> 'data' ->> 'path', envelope -> 'data' ->> 'parent', envelope -> 'data' ->> 'kind'
FROM events WHERE event_type = 'duty.unit_registered'
ON CONFLICT (path) DO NOTHING;

CREATE TABLE posts (
    post_id   text PRIMARY KEY,
    unit      text NOT NULL COLLATE "C",
    kind      text NOT NULL,
    abolished boolean NOT NULL DEFAULT false
);
CREATE INDEX posts_unit ON posts (unit);
-- One first responsible person's post per unit: two concurrent creations cannot both commit.
CREATE UNIQUE INDEX posts_one_first_responsible ON posts (unit)
    WHERE kind = 'first_responsible' AND NOT abolished;

CREATE TABLE oversight (
    post_id text NOT NULL,
    section text NOT NULL COLLATE "C",
    PRIMARY KEY (post_id, section)
);
CREATE INDEX oversight_section ON oversight (section);

CREATE TABLE outlets (
    outlet_id     text PRIMARY KEY,
    unit          text NOT NULL COLLATE "C",
    owner_post_id text NOT NULL,
    closed        boolean NOT NULL DEFAULT false
);
CREATE INDEX outlets_unit ON outlets (unit);
CREATE INDEX outlets_owner ON outlets (owner_post_id) WHERE NOT closed;

-- One rectification per finding: a second one racing the first fails on this key.
CREATE TABLE finding_rectifications (
    inspection_id    text NOT NULL,
    finding_id       text NOT NULL,
    rectification_id text NOT NULL,
    PRIMARY KEY (inspection_id, finding_id)
);
