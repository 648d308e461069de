-- The opinion view: one row per case (its current place in the loop and its timestamps), each case's
-- timeline, nil reports, response plan versions, and the units as opinion sees them (monitoring posts).
-- Unit columns sort and prefix-match byte-wise (COLLATE "C"): a subtree is
-- `col = $1 OR (col >= $1 || '.' AND col < $1 || '/')`, a range the indexes serve ('/' follows '.').
CREATE TABLE opinion_cases (
    case_id           text PRIMARY KEY,
    drill             boolean NOT NULL DEFAULT false,
    title             text NOT NULL,
    channel           text NOT NULL,
    source            text NOT NULL,
    external_id       text,
    link              text,
    reported_unit     text NOT NULL COLLATE "C",
    owning_unit       text COLLATE "C",
    desk              text NOT NULL COLLATE "C",
    assignee          text COLLATE "C",
    supervisor        text COLLATE "C",
    state             text NOT NULL,
    relevant          boolean,
    category          text,
    severity          text,
    plan_version      integer,
    captured_at       timestamptz NOT NULL,
    captured_on       date NOT NULL,  -- local date (Asia/Shanghai): the period a case counts in
    reported_at       timestamptz NOT NULL,
    graded_at         timestamptz,  -- when the response clocks started (first relevant grading)
    first_assigned_at timestamptz,
    acknowledged_at   timestamptz,
    first_action_at   timestamptz,
    closed_at         timestamptz,
    deadlines         jsonb NOT NULL DEFAULT '{}',  -- running deadlines: kind → {due_at, estimated}
    overdue           text[] NOT NULL DEFAULT '{}',  -- deadlines missed and not met yet
    ever_overdue      boolean NOT NULL DEFAULT false,
    escalations       integer NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX opinion_cases_reported ON opinion_cases (reported_unit, captured_on);
CREATE INDEX opinion_cases_owner ON opinion_cases (owning_unit, captured_on);
CREATE INDEX opinion_cases_desk ON opinion_cases (desk);
CREATE INDEX opinion_cases_assignee ON opinion_cases (assignee);
CREATE INDEX opinion_cases_supervisor ON opinion_cases (supervisor);

CREATE TABLE opinion_timeline (
    case_id  text NOT NULL,
    seq      bigint NOT NULL,  -- stream sequence: the order things happened in
    at       timestamptz NOT NULL,
    type     text NOT NULL,
    actor    text NOT NULL,
    unit     text COLLATE "C",
    detail   jsonb NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE opinion_nil_reports (
    unit      text NOT NULL COLLATE "C",
    day       date NOT NULL,
    filed_at  timestamptz NOT NULL,
    PRIMARY KEY (unit, day)
);

CREATE TABLE opinion_plans (
    city        text NOT NULL,
    version     integer NOT NULL,
    limits      jsonb NOT NULL,
    note        text NOT NULL,
    adopted_at  timestamptz NOT NULL,
    PRIMARY KEY (city, version)
);

CREATE TABLE opinion_units (
    path        text PRIMARY KEY COLLATE "C",
    parent      text COLLATE "C",
    name        text NOT NULL,
    kind        text NOT NULL,
    since       date NOT NULL,  -- local date it took effect (or was registered): nil reports due from then
    retired_on  date
);
CREATE INDEX opinion_units_parent ON opinion_units (parent);
