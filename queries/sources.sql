-- name: UpsertSource :exec
-- Sources are synced from the configuration by name at start-up; their state is kept.
INSERT INTO sources (name, kind, url, account, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE kind = VALUES(kind), url = VALUES(url), account = VALUES(account), updated_at = VALUES(updated_at);

-- name: GetSource :one
SELECT id, name, kind, url, account, state, paused_until, last_crawl_at, last_verdict, last_new_post_at, updated_at
FROM sources WHERE name = ?;

-- name: PauseAccount :exec
-- A block or checkpoint pauses every source crawled with the account.
UPDATE sources SET state = 'paused', paused_until = ?, updated_at = ? WHERE account = ?;

-- name: SetSourceState :exec
UPDATE sources SET state = ?, paused_until = NULL, updated_at = ? WHERE name = ?;

-- name: RecordSourceCrawl :exec
UPDATE sources
SET last_crawl_at = ?, last_verdict = ?, last_new_post_at = COALESCE(?, last_new_post_at), updated_at = ?
WHERE name = ?;

-- name: ListSources :many
SELECT id, name, kind, url, account, state, paused_until, last_crawl_at, last_verdict, last_new_post_at, created_at, updated_at
FROM sources ORDER BY name;
