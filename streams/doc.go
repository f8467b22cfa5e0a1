// Package streams carries watermill messages over Redis Streams in batches: a Subscriber
// that reads, acknowledges and claims many entries per round trip and hands them to the
// router without waiting for each acknowledgement, and a Publisher that coalesces concurrent
// publishes into pipelined XADDs. It owns the stream wire format's use (the entries stay
// those of watermill-redisstream's DefaultMarshallerUnmarshaller), consumer-group creation,
// pending-entry recovery and claiming; what a message means is the caller's business.
package streams
