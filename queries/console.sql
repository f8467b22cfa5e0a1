-- Read models of the console (package web, through store/console.go): searches and counts
-- an operator looks at. Nothing here writes.

-- name: SearchAlerts :many
-- Newest first; an empty rule, source or status matches every one; status matches alerts
-- with at least one delivery in it.
SELECT a.id, a.kind, a.terms, a.suppressed, a.summary, a.backfill, a.created_at,
       r.name AS rule_name, p.source, p.external_id
FROM alerts a
JOIN rules r ON r.id = a.rule_id
LEFT JOIN posts p ON p.id = a.post_id
WHERE (sqlc.arg(rule) = '' OR r.name = sqlc.arg(rule))
  AND (sqlc.arg(source) = '' OR p.source = sqlc.arg(source))
  AND (sqlc.arg(status) = '' OR EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND d.status = sqlc.arg(status)))
  AND a.created_at >= sqlc.arg(created_from) AND a.created_at < sqlc.arg(created_to)
ORDER BY a.id DESC
LIMIT ?;

-- The per-minute counts read only rows after after_id: the time columns have no index, but
-- rows are written in id order at about their time, so the last row older than the window
-- (LastPostBefore and the like: the primary key read backwards from the newest row, so the
-- cost is the window's rows, not the table's) bounds the scan to the window.

-- name: LastPostBefore :one
SELECT id FROM posts WHERE first_seen_at < ? ORDER BY id DESC LIMIT 1;

-- name: LastMatchBefore :one
SELECT id FROM matches WHERE created_at < ? ORDER BY id DESC LIMIT 1;

-- name: LastAlertBefore :one
SELECT id FROM alerts WHERE created_at < ? ORDER BY id DESC LIMIT 1;

-- name: PostsPerMinute :many
-- New posts (the normalize stage's output) per minute since a time; minute 0 is since.
SELECT TIMESTAMPDIFF(MINUTE, sqlc.arg(since), first_seen_at) AS minute, COUNT(*) AS n
FROM posts WHERE id > sqlc.arg(after_id) AND first_seen_at >= sqlc.arg(since)
GROUP BY minute ORDER BY minute;

-- name: MatchesPerMinute :many
SELECT TIMESTAMPDIFF(MINUTE, sqlc.arg(since), created_at) AS minute, COUNT(*) AS n
FROM matches WHERE id > sqlc.arg(after_id) AND created_at >= sqlc.arg(since)
GROUP BY minute ORDER BY minute;

-- name: AlertsPerMinute :many
SELECT TIMESTAMPDIFF(MINUTE, sqlc.arg(since), created_at) AS minute, COUNT(*) AS n
FROM alerts WHERE id > sqlc.arg(after_id) AND created_at >= sqlc.arg(since)
GROUP BY minute ORDER BY minute;

-- name: SentPerMinute :many
-- origin and since are the same time (sent_at is nullable, so sqlc types them apart).
SELECT TIMESTAMPDIFF(MINUTE, sqlc.arg(origin), sent_at) AS minute, COUNT(*) AS n
FROM deliveries WHERE sent_at >= sqlc.arg(since)
GROUP BY minute ORDER BY minute;

-- name: CountSourcesByState :many
SELECT state, COUNT(*) AS n FROM sources GROUP BY state ORDER BY state;
