-- Version 5: `alerts list --status S` reads the newest alert ids of a delivery status through
-- an index, instead of every delivery in it (3 s for "sent" at a million posts,
-- docs/benchmarks.md).

-- +goose Up
CREATE INDEX deliveries_status_alert ON deliveries (status, alert_id);

-- +goose Down
DROP INDEX deliveries_status_alert ON deliveries;
