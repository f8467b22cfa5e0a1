-- name: GetDeliveryStatus :one
SELECT status FROM deliveries WHERE alert_id = ? AND sink = ?;

-- name: RecordDeliveryAttempt :exec
-- Called before a sink is written to, so attempts counts every try, including one that a
-- crash interrupted.
INSERT INTO deliveries (alert_id, sink, status, attempts, updated_at)
VALUES (?, ?, 'pending', 1, ?)
ON DUPLICATE KEY UPDATE attempts = attempts + 1, updated_at = VALUES(updated_at);

-- name: MarkDeliverySent :exec
UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, last_error = NULL
WHERE alert_id = ? AND sink = ?;

-- name: MarkDeliveryFailed :exec
UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ?
WHERE alert_id = ? AND sink = ?;

-- name: CountDeliveries :one
SELECT COUNT(*) FROM deliveries WHERE status = ?;
