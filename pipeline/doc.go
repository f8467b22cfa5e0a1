// Package pipeline wires the handlers to Redis Streams: topics, watermill routers and their
// middleware, the fx modules that build a running `pipeline run`, draining, ingest and the
// HTTP endpoints. It is the one composition root: the other commands (crawl, ingest, alerts,
// silence, status, replay, backfill, migrate) get their stores, Redis clients and publishers
// from it too, so every publisher is made by one constructor. Handlers themselves live in
// package handlers and know nothing of this.
package pipeline
