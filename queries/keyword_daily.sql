-- name: MatchKeysOfRuleBetween :many
-- What the daily ETL counts: each match's terms, source and author.
SELECT m.terms, p.source, p.author
FROM matches m
JOIN posts p ON p.id = m.post_id
WHERE m.rule_id = ? AND m.created_at >= ? AND m.created_at < ?;

-- name: UpsertKeywordDaily :exec
INSERT INTO keyword_daily (day, rule_id, group_by, group_key, matches, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE matches = VALUES(matches), updated_at = VALUES(updated_at);

-- name: DaysComputed :many
-- The days the ETL has counted for a rule in [from, to).
SELECT day FROM keyword_daily
WHERE rule_id = ? AND group_by = 'rule' AND group_key = '*' AND day >= ? AND day < ?;

-- name: DailyCounts :many
SELECT day, matches FROM keyword_daily
WHERE rule_id = ? AND group_by = ? AND group_key = ? AND day >= ? AND day < ?;
