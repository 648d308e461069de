-- The duty view: org units, posts and their holders, outlets, coverage gaps, inspections and
-- rectifications — current state for listings and counts, plus validity intervals for "as of".
-- Paths compare byte-wise (COLLATE "C"): a subtree is a range scan (path > $1||'.' AND path < $1||'/').

-- The unit view (001_units.sql) learns renames and retirements too.
ALTER TABLE units ADD COLUMN retired_on date, ADD COLUMN successor text COLLATE "C";

CREATE TABLE duty_units (
    path          text PRIMARY KEY COLLATE "C",
    parent        text COLLATE "C",
    name          text NOT NULL,
    kind          text NOT NULL,
    registered_on date,          -- NULL: existed before records began
    retired_on    date,
    successor     text COLLATE "C",
    previous_path text COLLATE "C"
);
CREATE INDEX duty_units_parent ON duty_units (parent);

-- What held when: one row per value and interval [valid_from, valid_to) of one attribute of a
-- unit ('unit:<path>': name), a post ('post:<id>': unit, holder, oversees) or an outlet
-- ('outlet:<id>': unit, owner, status). valid_from NULL = before records began; valid_to NULL = now.
CREATE TABLE duty_history (
    id         bigserial PRIMARY KEY,
    subject    text NOT NULL COLLATE "C",
    attribute  text NOT NULL,
    value      text NOT NULL COLLATE "C",
    detail     text,           -- the holder's name for a 'holder' row (value: staff number)
    valid_from date,
    valid_to   date
);
CREATE INDEX duty_history_subject ON duty_history (subject, attribute);
CREATE INDEX duty_history_value ON duty_history (attribute, value);

CREATE TABLE duty_posts (
    post_id      text PRIMARY KEY,
    unit         text NOT NULL COLLATE "C",
    kind         text NOT NULL,
    title        text NOT NULL,
    created_on   date,
    abolished_on date,
    staff_no     text,          -- the current holder; NULL while vacant
    person_name  text,
    holder_since date
);
CREATE INDEX duty_posts_unit ON duty_posts (unit);

CREATE TABLE duty_outlets (
    outlet_id     text PRIMARY KEY,
    unit          text NOT NULL COLLATE "C",
    kind          text NOT NULL,
    name          text NOT NULL,
    address       text,
    status        text NOT NULL,
    owner_post_id text NOT NULL,
    registered_on date NOT NULL,
    gap_since     date          -- set while the owning post is vacant (a coverage gap)
);
CREATE INDEX duty_outlets_unit ON duty_outlets (unit);
CREATE INDEX duty_outlets_owner ON duty_outlets (owner_post_id);

CREATE TABLE duty_gaps (
    id          bigserial PRIMARY KEY,
    outlet_id   text NOT NULL,
    unit        text NOT NULL COLLATE "C",
    post_id     text NOT NULL,   -- the vacant post
    opened_on   date NOT NULL,
    closed_on   date,
    resolution  text,
    closed_by   text             -- the post answering for the outlet afterwards
);
CREATE INDEX duty_gaps_outlet ON duty_gaps (outlet_id) WHERE closed_on IS NULL;

CREATE TABLE duty_inspections (
    inspection_id   text PRIMARY KEY,
    unit            text NOT NULL COLLATE "C",
    inspected_on    date NOT NULL,
    inspector       text NOT NULL,
    outlets_checked text[] NOT NULL,
    summary         text
);
CREATE INDEX duty_inspections_unit ON duty_inspections (unit);

CREATE TABLE duty_findings (
    inspection_id    text NOT NULL,
    finding_id       text NOT NULL,
    outlet_id        text NOT NULL,
    item             text NOT NULL,
    description      text NOT NULL,
    rectification_id text,
    PRIMARY KEY (inspection_id, finding_id)
);

CREATE TABLE duty_rectifications (
    rectification_id   text PRIMARY KEY,
    unit               text NOT NULL COLLATE "C",
    inspection_id      text NOT NULL,
    finding_id         text NOT NULL,
    outlet_id          text NOT NULL,
    item               text NOT NULL,
    instructions       text NOT NULL,
    workdays           integer NOT NULL,
    opened_at          timestamptz NOT NULL,
    due_at             timestamptz NOT NULL,
    deadline_estimated boolean NOT NULL,
    evidence           jsonb NOT NULL DEFAULT '[]',
    overdue_at         timestamptz,
    closed_at          timestamptz,
    late               boolean,
    summary            text
);
CREATE INDEX duty_rectifications_unit ON duty_rectifications (unit);
