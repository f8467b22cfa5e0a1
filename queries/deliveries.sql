-- name: GetDeliveryStatus :one
SELECT status FROM deliveries WHERE alert_id = ? AND sink = ?;

-- name: CreateDelivery :exec
INSERT IGNORE INTO deliveries (alert_id, sink, status, attempts, updated_at)
VALUES (?, ?, 'pending', 0, ?);

-- name: ClaimDelivery :execrows
-- One affected row means this caller may send: the delivery was pending or failed, or its
-- last claim lapsed (the sender died). Counting the attempt here counts one a crash cut short.
UPDATE deliveries
SET status = 'sending', attempts = attempts + 1, lease_until = ?, updated_at = ?
WHERE alert_id = ? AND sink = ?
  AND (status IN ('pending', 'failed') OR (status = 'sending' AND lease_until < ?));

-- name: MarkDeliverySent :exec
UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, last_error = NULL, lease_until = NULL
WHERE alert_id = ? AND sink = ?;

-- name: MarkDeliveryFailed :exec
UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ?, lease_until = NULL
WHERE alert_id = ? AND sink = ?;

-- name: CountDeliveries :one
SELECT COUNT(*) FROM deliveries WHERE status = ?;
