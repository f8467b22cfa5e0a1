-- name: InsertSilence :exec
INSERT INTO silences (rule, group_key, ends_at, reason, created_at) VALUES (?, ?, ?, ?, ?);

-- name: ActiveSilence :one
-- The silence that holds for a rule and key at a time: the rule's own or the key's, made by
-- then (a simulation of past days is not silenced by what was decided later), the one that
-- lasts longest.
SELECT id, rule, group_key, ends_at, reason FROM silences
WHERE rule = sqlc.arg(rule) AND created_at <= sqlc.arg(at) AND ends_at > sqlc.arg(at)
  AND (group_key = '' OR group_key = sqlc.arg(group_key))
ORDER BY ends_at DESC
LIMIT 1;

-- name: EndSilences :execrows
-- pipeline silence RULE --clear: silences of the rule (and key) end now.
UPDATE silences SET ends_at = ? WHERE rule = ? AND group_key = ? AND ends_at > ?;

-- name: ListActiveSilences :many
SELECT id, rule, group_key, ends_at, reason, created_at FROM silences WHERE ends_at > ? ORDER BY rule, group_key;
