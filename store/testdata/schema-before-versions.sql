-- groupwatch schema: the one schema, for MySQL 8 and MariaDB 10.11 alike.
-- Every statement is idempotent (CREATE ... IF NOT EXISTS) so `pipeline migrate` can run again.
-- Every write the pipeline makes is idempotent too: the streams deliver at least once, so each
-- table has the unique key that makes a repeated write a no-op.

-- posts: one row per (source, external_id), upserted by the normalize stage. content_hash is
-- the SHA-256 of the normalized text and tells a new post from an edited or a repeated one.
-- message_id is the stream message that last wrote the row: when that same message is
-- delivered again (its publish failed, or the process died before the ack), normalize
-- publishes it again instead of taking it for a repeat, so nothing is lost between stages.
-- source and external_id are VARBINARY (191 characters of UTF-8: 764 bytes) so that they
-- compare byte for byte on MySQL 8 and MariaDB alike, as Go compares them: MariaDB's
-- utf8mb4_bin pads with spaces ('42' = '42 '), which made two posts one row. Ids are also
-- refused with white space at either end (handlers.RawPost.Validate); a database made
-- before this is altered by `pipeline migrate` (store/upgrade.go).
CREATE TABLE IF NOT EXISTS posts (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  source        VARBINARY(764) NOT NULL,
  external_id   VARBINARY(764) NOT NULL,
  author        VARCHAR(255) NOT NULL DEFAULT '',
  url           VARCHAR(2048) NOT NULL DEFAULT '',
  text          MEDIUMTEXT   NOT NULL,
  content_hash  CHAR(64)     NOT NULL,
  raw_payload   MEDIUMTEXT   NOT NULL,
  message_id    VARCHAR(64)  NOT NULL DEFAULT '',
  posted_at     DATETIME(6)  NULL,
  first_seen_at DATETIME(6)  NOT NULL,
  updated_at    DATETIME(6)  NOT NULL,
  edits         INT          NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY posts_source_external_id (source, external_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- rules: synced from the configuration by name at start-up; a rule removed from the
-- configuration is kept (its matches and alerts refer to it) but disabled.
CREATE TABLE IF NOT EXISTS rules (
  id         BIGINT       NOT NULL AUTO_INCREMENT,
  name       VARCHAR(191) NOT NULL,
  query      TEXT         NOT NULL,
  kind       VARCHAR(32)  NOT NULL,
  enabled    TINYINT      NOT NULL DEFAULT 1,
  updated_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY rules_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- matches: one row per (rule, post) with the terms that matched (a JSON array of strings).
CREATE TABLE IF NOT EXISTS matches (
  id         BIGINT      NOT NULL AUTO_INCREMENT,
  rule_id    BIGINT      NOT NULL,
  post_id    BIGINT      NOT NULL,
  terms      TEXT        NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY matches_rule_post (rule_id, post_id),
  KEY matches_post (post_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- alerts: one row per dedup key. For an instant rule the key is derived from (rule, post), so
-- a replayed or re-ingested post never makes a second alert. published says whether the alert
-- reached the alerts topic; a crash between storing and publishing is repaired on redelivery.
-- suppressed holds why an alert was not sent (a silence): it is stored, not lost. summary
-- says why a threshold, digest or health alert fired ("12 matches in 1h for source x").
-- backfill marks alerts made by `pipeline backfill` over stored posts: never sent one by one.
CREATE TABLE IF NOT EXISTS alerts (
  id         BIGINT       NOT NULL AUTO_INCREMENT,
  dedup_key  CHAR(64)     NOT NULL,
  rule_id    BIGINT       NOT NULL,
  post_id    BIGINT       NOT NULL,
  kind       VARCHAR(32)  NOT NULL,
  terms      TEXT         NOT NULL,
  published  TINYINT      NOT NULL DEFAULT 0,
  suppressed VARCHAR(512) NOT NULL DEFAULT '',
  summary    VARCHAR(512) NOT NULL DEFAULT '',
  backfill   TINYINT      NOT NULL DEFAULT 0,
  created_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY alerts_dedup_key (dedup_key),
  KEY alerts_rule_created (rule_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- deliveries: one row per (alert, sink), with the alert as sent (alert_json), so a retry
-- needs nothing else. status: pending (created), sending (claimed until lease_until, so two
-- consumers handed the same alert never both send it; a claim whose sender died lapses),
-- sent (never sent again, whatever the stream redelivers), failed (a transient failure: tried
-- again at next_attempt_at, by whichever process's retrier gets there first, a restart
-- included) and dead (a permanent failure, or too many attempts: `pipeline alerts resend`).
CREATE TABLE IF NOT EXISTS deliveries (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  alert_id        BIGINT       NOT NULL,
  sink            VARCHAR(191) NOT NULL,
  status          VARCHAR(16)  NOT NULL,
  attempts        INT          NOT NULL DEFAULT 0,
  last_error      TEXT         NULL,
  lease_until     DATETIME(6)  NULL,
  next_attempt_at DATETIME(6)  NULL,
  alert_json      MEDIUMTEXT   NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  sent_at         DATETIME(6)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY deliveries_alert_sink (alert_id, sink),
  KEY deliveries_status_next (status, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- sources: the crawl state of each configured source, synced from the configuration by name.
-- state is ok, paused (blocked or checkpoint: until paused_until, with every source of the
-- same account) or needs_cookies (a login wall: crawling stops until the cookies are renewed
-- and a manual `pipeline crawl` succeeds).
CREATE TABLE IF NOT EXISTS sources (
  id               BIGINT        NOT NULL AUTO_INCREMENT,
  name             VARCHAR(191)  NOT NULL,
  kind             VARCHAR(32)   NOT NULL,
  url              VARCHAR(2048) NOT NULL,
  account          VARCHAR(191)  NOT NULL,
  state            VARCHAR(32)   NOT NULL DEFAULT 'ok',
  paused_until     DATETIME(6)   NULL,
  last_crawl_at    DATETIME(6)   NULL,
  last_verdict     VARCHAR(32)   NOT NULL DEFAULT '',
  last_new_post_at DATETIME(6)   NULL,
  created_at       DATETIME(6)   NOT NULL,
  updated_at       DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY sources_name (name),
  KEY sources_account (account)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- crawl_runs: one row per crawl job. job_id is the source and its schedule tick, so a job
-- published twice (two schedulers during a hand-over) is crawled once. cursor_url is the next
-- page of an unfinished run: a crawl that died resumes there when its job is redelivered.
-- lease_until keeps a second consumer off a run that is still going.
CREATE TABLE IF NOT EXISTS crawl_runs (
  id          BIGINT        NOT NULL AUTO_INCREMENT,
  job_id      VARCHAR(191)  NOT NULL,
  source      VARCHAR(191)  NOT NULL,
  started_at  DATETIME(6)   NOT NULL,
  finished_at DATETIME(6)   NULL,
  lease_until DATETIME(6)   NULL,
  verdict     VARCHAR(32)   NOT NULL DEFAULT '',
  pages       INT           NOT NULL DEFAULT 0,
  posts_new   INT           NOT NULL DEFAULT 0,
  posts_seen  INT           NOT NULL DEFAULT 0,
  cursor_url  VARCHAR(4096) NOT NULL DEFAULT '',
  error       TEXT          NULL,
  PRIMARY KEY (id),
  UNIQUE KEY crawl_runs_job (job_id),
  KEY crawl_runs_source_started (source, started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- rule_events: the matches a threshold rule counts, one per (rule, group key, post), so a
-- redelivered match counts once. Counted over a sliding window by (rule_id, group_key, at).
CREATE TABLE IF NOT EXISTS rule_events (
  id        BIGINT       NOT NULL AUTO_INCREMENT,
  rule_id   BIGINT       NOT NULL,
  group_key VARCHAR(191) NOT NULL,
  post_id   BIGINT       NOT NULL,
  at        DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY rule_events_once (rule_id, group_key, post_id),
  KEY rule_events_window (rule_id, group_key, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- rule_state: per threshold rule and group key, when it may fire next (its cool-down), the
-- cool-down it is on (doubling while it keeps firing) and the dedup key of its last alert.
-- Firing is a compare-and-set on next_allowed_at, so two consumers crossing the threshold at
-- once fire once; last_dedup_key lets the post that fired, delivered again after a crash or a
-- failed publish, store and publish that same alert instead of losing it.
CREATE TABLE IF NOT EXISTS rule_state (
  rule_id         BIGINT       NOT NULL,
  group_key       VARCHAR(191) NOT NULL,
  next_allowed_at DATETIME(6)  NOT NULL,
  realert_ms      BIGINT       NOT NULL DEFAULT 0,
  last_fired_at   DATETIME(6)  NULL,
  last_dedup_key  CHAR(64)     NOT NULL DEFAULT '',
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (rule_id, group_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- silences: a rule (group_key '') or one of its keys (a threshold rule's group key, or an
-- instant rule's source) is silent until a time; alerts it would make are stored suppressed.
CREATE TABLE IF NOT EXISTS silences (
  id         BIGINT        NOT NULL AUTO_INCREMENT,
  rule       VARCHAR(191)  NOT NULL,
  group_key  VARCHAR(191)  NOT NULL DEFAULT '',
  ends_at    DATETIME(6)   NOT NULL,
  reason     VARCHAR(255)  NOT NULL DEFAULT '',
  created_at DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  KEY silences_rule_ends (rule, ends_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- keyword_daily: the daily ETL's counts of each rule's matches per day, per group_by
-- dimension and key (rule '*', each source, author and term). A day is computed once its
-- ('rule', '*') row exists, zero included; threshold rules with a baseline read the mean and
-- spread of these counts instead of a fixed count.
CREATE TABLE IF NOT EXISTS keyword_daily (
  day        DATE         NOT NULL,
  rule_id    BIGINT       NOT NULL,
  group_by   VARCHAR(16)  NOT NULL,
  group_key  VARCHAR(191) NOT NULL,
  matches    INT          NOT NULL,
  updated_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (day, rule_id, group_by, group_key),
  KEY keyword_daily_key (rule_id, group_by, group_key, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
