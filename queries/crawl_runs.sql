-- name: CreateCrawlRun :exec
-- INSERT IGNORE on the job id: a job delivered twice finds the run of its first delivery.
INSERT IGNORE INTO crawl_runs (job_id, source, started_at) VALUES (?, ?, ?);

-- name: ClaimCrawlRun :execrows
-- One affected row: this consumer runs (or resumes) the crawl. None: it is finished, or
-- another consumer holds a live lease on it.
UPDATE crawl_runs SET lease_until = ?
WHERE job_id = ? AND finished_at IS NULL AND (lease_until IS NULL OR lease_until < ?);

-- name: GetCrawlRun :one
SELECT id, job_id, source, started_at, finished_at, lease_until, verdict, pages, posts_new, posts_seen, cursor_url, error
FROM crawl_runs WHERE job_id = ?;

-- name: SaveCrawlProgress :exec
-- After each page: where to resume, and the counts so far.
UPDATE crawl_runs SET cursor_url = ?, pages = ?, posts_new = ?, posts_seen = ?, lease_until = ?
WHERE job_id = ?;

-- name: FinishCrawlRun :exec
UPDATE crawl_runs
SET finished_at = ?, verdict = ?, pages = ?, posts_new = ?, posts_seen = ?, error = ?, cursor_url = '', lease_until = NULL
WHERE job_id = ?;

-- name: ListCrawlRuns :many
SELECT id, job_id, source, started_at, finished_at, lease_until, verdict, pages, posts_new, posts_seen, cursor_url, error
FROM crawl_runs WHERE source = ? ORDER BY started_at DESC LIMIT ?;
