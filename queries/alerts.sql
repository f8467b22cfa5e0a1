-- name: InsertAlert :execresult
-- INSERT IGNORE on the unique dedup key: one affected row means this call stored the alert.
INSERT IGNORE INTO alerts (dedup_key, rule_id, post_id, kind, terms, published, suppressed, summary, backfill, created_at)
VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?);

-- name: GetAlertByDedupKey :one
SELECT id, published, suppressed, created_at FROM alerts WHERE dedup_key = ?;

-- name: MarkAlertPublished :exec
UPDATE alerts SET published = 1 WHERE id = ?;

-- name: CountAlerts :one
SELECT COUNT(*) FROM alerts;

-- name: ListAlerts :many
-- Newest first, with the rule and post they are about. STRAIGHT_JOIN reads alerts first,
-- backwards along the primary key, and stops at the limit: left to itself MariaDB starts from
-- the few rules and sorts every alert (2 s at a million posts, docs/benchmarks.md).
SELECT a.id, a.dedup_key, a.kind, a.terms, a.published, a.created_at,
       r.name AS rule_name, p.source, p.external_id
FROM alerts a
STRAIGHT_JOIN rules r ON r.id = a.rule_id
LEFT JOIN posts p ON p.id = a.post_id
ORDER BY a.id DESC
LIMIT ?;

-- name: ListAlertsByDeliveryStatus :many
-- Alerts with at least one delivery in the given status (pipeline alerts list --status dead),
-- newest first. The newest alert ids of the status come first, backwards along
-- deliveries_status_alert, so a common status (sent) costs what a rare one does.
SELECT a.id, a.dedup_key, a.kind, a.terms, a.published, a.created_at,
       r.name AS rule_name, p.source, p.external_id
FROM (
  SELECT DISTINCT d.alert_id FROM deliveries d WHERE d.status = ? ORDER BY d.alert_id DESC LIMIT ?
) newest
STRAIGHT_JOIN alerts a ON a.id = newest.alert_id
STRAIGHT_JOIN rules r ON r.id = a.rule_id
LEFT JOIN posts p ON p.id = a.post_id
ORDER BY a.id DESC;

-- name: GetAlertDetail :one
-- Everything that says why an alert fired: the rule and its query, the terms, the post.
SELECT a.id, a.dedup_key, a.kind, a.terms, a.published, a.suppressed, a.summary, a.created_at,
       r.name AS rule_name, r.query AS rule_query,
       p.source, p.external_id, p.author, p.url, p.text, p.posted_at
FROM alerts a
JOIN rules r ON r.id = a.rule_id
LEFT JOIN posts p ON p.id = a.post_id
WHERE a.id = ?;
