-- name: InsertRuleEvent :exec
INSERT IGNORE INTO rule_events (rule_id, group_key, post_id, at) VALUES (?, ?, ?, ?);

-- name: RuleEventTimes :many
-- The matches of a rule and key in the window (since, now]: their count crosses the
-- threshold, their times draw the trend. The upper bound matters when the caller's now is in
-- the past (a backfill): events recorded after it are not in its window.
SELECT at FROM rule_events
WHERE rule_id = ? AND group_key = ? AND at > ? AND at <= ?
ORDER BY at
LIMIT 100000;

-- name: EnsureRuleState :exec
INSERT IGNORE INTO rule_state (rule_id, group_key, next_allowed_at, realert_ms, updated_at)
VALUES (?, ?, '1970-01-02 00:00:00', 0, ?);

-- name: GetRuleState :one
SELECT next_allowed_at, realert_ms, last_fired_at, last_dedup_key FROM rule_state WHERE rule_id = ? AND group_key = ?;

-- name: FireRuleState :execrows
-- Compare-and-set on the state the caller read: one affected row means this caller fires.
UPDATE rule_state
SET next_allowed_at = ?, realert_ms = ?, last_fired_at = ?, last_dedup_key = ?, updated_at = ?
WHERE rule_id = ? AND group_key = ? AND next_allowed_at = ?;
