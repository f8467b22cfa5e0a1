-- name: GetDelivery :one
SELECT status, attempts FROM deliveries WHERE alert_id = ? AND sink = ?;

-- name: CreateDelivery :exec
INSERT IGNORE INTO deliveries (alert_id, sink, status, attempts, alert_json, updated_at)
VALUES (?, ?, 'pending', 0, ?, ?);

-- name: ClaimDelivery :execrows
-- One affected row means this caller may send: the delivery was pending, or failed and due,
-- or its last claim lapsed (the sender died). Counting the attempt here counts one a crash
-- cut short.
UPDATE deliveries
SET status = 'sending', attempts = attempts + 1, lease_until = ?, updated_at = ?
WHERE alert_id = ? AND sink = ?
  AND (status = 'pending'
       OR (status = 'failed' AND next_attempt_at <= ?)
       OR (status = 'sending' AND lease_until < ?));

-- name: MarkDeliverySent :exec
UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, last_error = NULL, lease_until = NULL, next_attempt_at = NULL
WHERE alert_id = ? AND sink = ?;

-- name: MarkDeliveryFailed :exec
UPDATE deliveries SET status = 'failed', last_error = ?, next_attempt_at = ?, updated_at = ?, lease_until = NULL
WHERE alert_id = ? AND sink = ?;

-- name: MarkDeliveryDead :exec
UPDATE deliveries SET status = 'dead', last_error = ?, updated_at = ?, lease_until = NULL, next_attempt_at = NULL
WHERE alert_id = ? AND sink = ?;

-- name: DueDeliveries :many
-- Deliveries to try again now: failed and due, or claimed by a sender that died.
SELECT alert_id, sink, attempts, alert_json
FROM deliveries
WHERE sink IN (sqlc.slice('sinks'))
  AND ((status = 'failed' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until < ?))
ORDER BY next_attempt_at
LIMIT ?;

-- name: ResendDeliveries :execrows
-- pipeline alerts resend: every delivery of the alert that is not sent is tried again now.
UPDATE deliveries SET status = 'failed', next_attempt_at = ?, updated_at = ?
WHERE alert_id = ? AND status IN ('failed', 'dead');

-- name: CountUnfinishedDeliveries :one
-- What --drain waits for: deliveries neither sent nor dead.
SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending', 'failed');

-- name: CountDeliveries :one
SELECT COUNT(*) FROM deliveries WHERE status = ?;

-- name: ListDeliveriesOfAlert :many
SELECT sink, status, attempts, last_error, next_attempt_at, sent_at, updated_at
FROM deliveries WHERE alert_id = ? ORDER BY sink;

-- name: CountDeliveriesByStatus :many
-- Every status but sent, through deliveries_status_alert: the deliveries still to send, in
-- flight or given up, few whatever the table's size. (Sent ones are counted apart, bounded.)
SELECT status, COUNT(*) AS n FROM deliveries
WHERE status IN ('pending', 'sending', 'failed', 'dead')
GROUP BY status ORDER BY status;

-- name: CountSentDeliveriesUpTo :one
-- Sent deliveries, counted up to a bound: they grow without end, and status, the console and
-- /metrics must stay fast at millions.
SELECT COUNT(*) AS n FROM (SELECT 1 FROM deliveries WHERE status = 'sent' LIMIT ?) AS sent;
