-- A publication's standing column (栏目) on its outlet, so that pieces are counted by kind and column.
ALTER TABLE outreach_publications ADD COLUMN column_name text;
