-- Version 1: the schema as `pipeline migrate` made it before migrations were versioned (every
-- table CREATE … IF NOT EXISTS, as schema.sql then was). On a database made by that command it
-- creates nothing and touches no row: that is how such a database is adopted as version 1
-- (version 2 then upgrades its post ids if it is older still). What each table and column
-- means is in schema.sql. There is no way down from here: it would drop every table.

-- +goose Up
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
