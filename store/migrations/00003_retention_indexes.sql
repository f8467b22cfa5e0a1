-- Version 3: the indexes the retention purge (leader/purge.go) needs to find old rows
-- without scanning a table, and to keep the posts an alert refers to.

-- +goose Up
CREATE INDEX posts_first_seen ON posts (first_seen_at);
CREATE INDEX alerts_post ON alerts (post_id);
CREATE INDEX alerts_created ON alerts (created_at);
CREATE INDEX crawl_runs_started ON crawl_runs (started_at);
CREATE INDEX rule_events_post ON rule_events (post_id);

-- +goose Down
DROP INDEX rule_events_post ON rule_events;
DROP INDEX crawl_runs_started ON crawl_runs;
DROP INDEX alerts_created ON alerts;
DROP INDEX alerts_post ON alerts;
DROP INDEX posts_first_seen ON posts;
