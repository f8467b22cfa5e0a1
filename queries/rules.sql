-- name: UpsertRule :exec
-- Rules are synced from the configuration by name at start-up.
INSERT INTO rules (name, query, kind, enabled, updated_at)
VALUES (?, ?, ?, 1, ?)
ON DUPLICATE KEY UPDATE
  query = VALUES(query),
  kind = VALUES(kind),
  enabled = 1,
  updated_at = VALUES(updated_at);

-- name: ListRules :many
SELECT id, name, query, kind, enabled FROM rules ORDER BY name;

-- name: DisableRule :exec
UPDATE rules SET enabled = 0, updated_at = ? WHERE id = ?;
