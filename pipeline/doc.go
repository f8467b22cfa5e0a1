// Package pipeline wires the handlers to Redis Streams: topics, watermill routers and their
// middleware, the fx modules that build a running `pipeline run`, draining, ingest and the
// HTTP endpoints. Handlers themselves live in package handlers and know nothing of this.
package pipeline
