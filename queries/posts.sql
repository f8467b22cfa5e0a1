-- name: PostsByExternalIDs :many
-- The normalize stage reads what it already holds for a batch of one source's posts, to tell
-- new from edited from repeated before it writes. The index is forced: past
-- eq_range_index_dive_limit (200) keys MariaDB costs the IN list from the table's statistics,
-- which InnoDB recalculates in the background at most every 10 s; a new table whose posts
-- were written and rewritten within that time counted as empty, and the lookup was planned
-- as a full scan of posts (TestPostsByExternalIDsUsesTheIndex).
SELECT id, external_id, content_hash, message_id, edits
FROM posts FORCE INDEX (posts_source_external_id)
WHERE source = ? AND external_id IN (sqlc.slice('external_ids'));

-- name: UpsertPost :exec
-- One post; the batch form of this statement is UpsertPosts in batch.go. edits is assigned
-- before content_hash because MySQL evaluates the assignments left to right.
INSERT INTO posts (source, external_id, author, url, text, content_hash, raw_payload, message_id, posted_at, first_seen_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE
  edits = edits + IF(content_hash = VALUES(content_hash), 0, 1),
  author = VALUES(author),
  url = VALUES(url),
  text = VALUES(text),
  content_hash = VALUES(content_hash),
  raw_payload = VALUES(raw_payload),
  message_id = VALUES(message_id),
  posted_at = VALUES(posted_at),
  updated_at = VALUES(updated_at);

-- name: InsertPost :execresult
-- One new post; the batch form of this statement is InsertPosts in batch.go. The normalize
-- stage writes the posts its lookup did not find with it: a plain INSERT of many rows is a
-- "simple insert", whose ids InnoDB hands out consecutively under innodb_autoinc_lock_mode 0
-- or 1, so the stage knows them from LAST_INSERT_ID without reading them back.
INSERT INTO posts (source, external_id, author, url, text, content_hash, raw_payload, message_id, posted_at, first_seen_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: GetPost :one
SELECT id, source, external_id, author, url, text, content_hash, raw_payload, message_id, posted_at, first_seen_at, updated_at, edits
FROM posts
WHERE source = ? AND external_id = ?;

-- name: CountPosts :one
SELECT COUNT(*) FROM posts;

-- name: PostsSince :many
-- Posts first seen in a time range, oldest first, a page at a time (after id), for
-- `pipeline rules test`.
SELECT id, source, external_id, author, url, text, posted_at, first_seen_at
FROM posts
WHERE first_seen_at >= ? AND id > ?
ORDER BY id
LIMIT ?;

-- name: FirstPostIDSince :one
-- Where PostsSince starts: the least id first seen at or after a time (0: none), found through
-- posts_first_seen, so the walk by id does not pass every older post first.
SELECT CAST(COALESCE(MIN(id), 0) AS SIGNED) AS first_id FROM posts WHERE first_seen_at >= ?;

-- name: CountPostsSince :one
SELECT COUNT(*) FROM posts WHERE first_seen_at >= ?;

-- name: MaxAllowedPacket :one
-- The largest statement the server accepts: the normalize stage keeps each batch of posts
-- below it, and refuses a post that could never fit.
SELECT CAST(@@max_allowed_packet AS SIGNED) AS max_allowed_packet;

-- name: AutoIncrementScheme :one
-- How the server numbers new rows: InsertPosts's ids are first, first+increment, … only
-- when lock_mode is 0 or 1 (MariaDB's default; MySQL 8 and Galera use 2, interleaved).
SELECT CAST(@@innodb_autoinc_lock_mode AS SIGNED) AS lock_mode, CAST(@@auto_increment_increment AS SIGNED) AS increment;
