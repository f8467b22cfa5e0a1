-- name: UpsertMatch :exec
-- Unique per (rule, post): a redelivered or edited post keeps one row, with the newest terms.
INSERT INTO matches (rule_id, post_id, terms, created_at)
VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE terms = VALUES(terms);

-- name: CountMatches :one
SELECT COUNT(*) FROM matches;
