-- Version 4: a day of a rule's matches (the daily ETL, digests) through an index, rather than
-- every match the rule ever had (docs/benchmarks.md).

-- +goose Up
CREATE INDEX matches_rule_created ON matches (rule_id, created_at);

-- +goose Down
DROP INDEX matches_rule_created ON matches;
