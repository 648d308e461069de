-- Field surveys (调研) with the problems found and solved, and selections and awards (评选表彰).

CREATE TABLE field_surveys (
    survey_id        text PRIMARY KEY,
    unit             text NOT NULL COLLATE "C",
    held_on          date NOT NULL,         -- local date (Asia/Shanghai)
    led_by           text NOT NULL,
    topic            text NOT NULL,
    places           jsonb NOT NULL,
    problems         jsonb NOT NULL,
    problems_found   integer NOT NULL,
    problems_solved  integer NOT NULL,
    recorded_at      timestamptz NOT NULL
);
CREATE INDEX field_surveys_unit_day ON field_surveys (unit, held_on);

CREATE TABLE survey_monthly (
    path                    text NOT NULL COLLATE "C",
    month                   date NOT NULL,
    own_surveys             bigint NOT NULL DEFAULT 0,
    own_problems_found      bigint NOT NULL DEFAULT 0,
    own_problems_solved     bigint NOT NULL DEFAULT 0,
    subtree_surveys         bigint NOT NULL DEFAULT 0,
    subtree_problems_found  bigint NOT NULL DEFAULT 0,
    subtree_problems_solved bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (path, month)
);

CREATE TABLE awards (
    award_id     text PRIMARY KEY,
    unit         text NOT NULL COLLATE "C",
    kind         text NOT NULL,
    title        text NOT NULL,
    recipient    text NOT NULL,
    awarded_by   text NOT NULL,
    awarded_on   date NOT NULL,
    recorded_at  timestamptz NOT NULL
);
CREATE INDEX awards_unit_day ON awards (unit, awarded_on);

CREATE TABLE award_monthly (
    path            text NOT NULL COLLATE "C",
    month           date NOT NULL,
    kind            text NOT NULL,
    own_awards      bigint NOT NULL DEFAULT 0,
    subtree_awards  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (path, month, kind)
);
