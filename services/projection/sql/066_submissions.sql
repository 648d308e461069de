-- Information submissions (信息报送) and their adoptions (录用), quotas, and the publications' 三校.

-- Every item sent upward: submitted_on is when it was sent (local date), recorded_at when Sanji learned it.
CREATE TABLE outreach_submissions (
    submission_id  text PRIMARY KEY,
    unit           text NOT NULL COLLATE "C",
    title          text NOT NULL,
    submitted_on   date NOT NULL,
    level          text NOT NULL,          -- of the body it was sent to
    recipient      text NOT NULL,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX outreach_submissions_unit_day ON outreach_submissions (unit, submitted_on);

-- Every adoption of an item by an outlet (one per outlet).
CREATE TABLE submission_adoptions (
    submission_id  text NOT NULL,
    outlet         text NOT NULL,
    unit           text NOT NULL COLLATE "C",
    level          text NOT NULL,          -- of the outlet that adopted it
    adopted_on     date NOT NULL,
    recorded_at    timestamptz NOT NULL,
    PRIMARY KEY (submission_id, outlet)
);
CREATE INDEX submission_adoptions_unit_day ON submission_adoptions (unit, adopted_on);

-- Items submitted (by the month sent) and adoptions (by the month adopted) per unit, month and level.
CREATE TABLE submission_monthly (
    path               text NOT NULL COLLATE "C",
    month              date NOT NULL,      -- first day of the local month
    level              text NOT NULL,
    own_submitted      bigint NOT NULL DEFAULT 0,
    own_adopted        bigint NOT NULL DEFAULT 0,
    subtree_submitted  bigint NOT NULL DEFAULT 0,
    subtree_adopted    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (path, month, level)
);

-- Quotas per unit, year, measure (submitted | adopted | published) and cadence, over the subtree.
CREATE TABLE outreach_quotas (
    unit      text NOT NULL COLLATE "C",
    year      integer NOT NULL,
    measure   text NOT NULL,
    cadence   text NOT NULL,
    count     integer NOT NULL,
    revision  integer NOT NULL,
    reason    text,
    set_at    timestamptz NOT NULL,
    PRIMARY KEY (unit, year, measure, cadence)
);

-- A publication's proofreads of its current round: number → {proofreader, corrections}.
ALTER TABLE outreach_publications ADD COLUMN proofreads jsonb NOT NULL DEFAULT '{}';
