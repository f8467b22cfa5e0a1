-- name: UpsertMatch :exec
-- Unique per (rule, post): a redelivered or edited post keeps one row, with the newest terms.
INSERT INTO matches (rule_id, post_id, terms, created_at)
VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE terms = VALUES(terms);

-- name: CountMatches :one
SELECT COUNT(*) FROM matches;

-- name: MatchesOfRuleBetween :many
-- A digest's matches: those of the rule stored in [from, to), with their posts.
SELECT m.terms, m.created_at, p.id AS post_id, p.source, p.external_id, p.author, p.url, p.text
FROM matches m
JOIN posts p ON p.id = m.post_id
WHERE m.rule_id = ? AND m.created_at >= ? AND m.created_at < ?
ORDER BY m.created_at
LIMIT 100000;
