-- The retention purge (leader/purge.go, store/purge.go): each DELETE removes a bounded batch
-- found through an index, so no statement scans a table or holds its locks for long.
-- "Has no alert" is a LEFT JOIN … IS NULL in a SELECT and NOT IN in a DELETE: so both servers
-- look each post up in alerts_post; MariaDB runs NOT EXISTS, and NOT IN in a SELECT, by
-- reading the whole alerts_post index per statement (docs/benchmarks.md).

-- name: PostsPurgeBoundary :one
-- The newest post first seen before the cutoff: the purge walks ids up to it. first_seen_at
-- grows with id (it is set when the row is made), so the walk needs no second index scan.
SELECT id FROM posts WHERE first_seen_at < ? ORDER BY first_seen_at DESC, id DESC LIMIT 1;

-- name: PurgeablePostIDs :many
-- The next batch of posts first seen before the cutoff that no alert refers to.
SELECT p.id FROM posts p
LEFT JOIN alerts a ON a.post_id = p.id
WHERE p.id > sqlc.arg(after_id) AND p.id <= sqlc.arg(max_id) AND p.first_seen_at < sqlc.arg(before)
  AND a.id IS NULL
ORDER BY p.id
LIMIT ?;

-- name: DeletePostsByID :execrows
-- Deletes the posts of a batch, checking again that no alert refers to them (one may have
-- been made since they were found). NOT IN over a NOT NULL column, uncorrelated: both
-- servers answer it with one index lookup per row, and go-mysql-server can run it (it cannot
-- run a correlated subquery in a DELETE).
DELETE FROM posts
WHERE posts.id IN (sqlc.slice('ids')) AND posts.id NOT IN (SELECT a.post_id FROM alerts a);

-- name: DeleteOrphanMatches :execrows
-- Deletes the matches of a batch's posts that are gone.
DELETE FROM matches
WHERE post_id IN (sqlc.slice('post_ids')) AND post_id NOT IN (SELECT posts.id FROM posts);

-- name: DeleteOrphanRuleEvents :execrows
DELETE FROM rule_events
WHERE post_id IN (sqlc.slice('post_ids')) AND post_id NOT IN (SELECT posts.id FROM posts);

-- name: CountPurgeablePosts :one
SELECT COUNT(*) FROM posts p
LEFT JOIN alerts a ON a.post_id = p.id
WHERE p.id <= sqlc.arg(max_id) AND p.first_seen_at < sqlc.arg(before)
  AND a.id IS NULL;

-- name: CountMatchesOfPurgeablePosts :one
SELECT COUNT(*) FROM matches m
JOIN posts p ON p.id = m.post_id
LEFT JOIN alerts a ON a.post_id = p.id
WHERE p.id <= sqlc.arg(max_id) AND p.first_seen_at < sqlc.arg(before)
  AND a.id IS NULL;

-- name: CountPostsKeptForAlerts :one
SELECT COUNT(DISTINCT p.id) FROM posts p
JOIN alerts a ON a.post_id = p.id
WHERE p.id <= sqlc.arg(max_id) AND p.first_seen_at < sqlc.arg(before);

-- name: PurgeableAlertIDs :many
-- The next batch of alerts made before the cutoff with no delivery still to be sent.
SELECT a.id FROM alerts a
WHERE a.created_at < sqlc.arg(before) AND a.id > sqlc.arg(after_id)
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND d.status IN ('pending', 'sending', 'failed'))
ORDER BY a.id
LIMIT ?;

-- name: DeleteDeliveriesOfAlerts :execrows
DELETE FROM deliveries WHERE alert_id IN (sqlc.slice('alert_ids'));

-- name: DeleteAlertsByID :execrows
DELETE FROM alerts WHERE id IN (sqlc.slice('ids'));

-- name: CountPurgeableAlerts :one
SELECT COUNT(*) FROM alerts a
WHERE a.created_at < ?
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND d.status IN ('pending', 'sending', 'failed'));

-- name: DeleteOldDeliveries :execrows
-- Sent and dead deliveries only: one still to be sent is never deleted.
DELETE FROM deliveries WHERE updated_at < ? AND status IN ('sent', 'dead') ORDER BY id LIMIT ?;

-- name: CountOldDeliveries :one
SELECT COUNT(*) FROM deliveries WHERE updated_at < ? AND status IN ('sent', 'dead');

-- name: DeleteOldCrawlRuns :execrows
-- Finished runs only: an unfinished run holds a crawl's cursor.
DELETE FROM crawl_runs WHERE started_at < ? AND finished_at IS NOT NULL ORDER BY started_at LIMIT ?;

-- name: CountOldCrawlRuns :one
SELECT COUNT(*) FROM crawl_runs WHERE started_at < ? AND finished_at IS NOT NULL;

-- name: DeleteOldKeywordDaily :execrows
DELETE FROM keyword_daily WHERE day < ? ORDER BY day LIMIT ?;

-- name: CountOldKeywordDaily :one
SELECT COUNT(*) FROM keyword_daily WHERE day < ?;
