package leader

import "time"

// Publish sends payload, as JSON, to topic as one message. correlationID ties the log lines
// of everything it leads to; receivedAt, when not zero, is when its latency is counted from.
// The pipeline supplies it, so the jobs know nothing of watermill's metadata.
type Publish func(topic string, payload any, correlationID string, receivedAt time.Time) error
