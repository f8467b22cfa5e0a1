package pipeline

import "github.com/ThreeDotsLabs/watermill/message"

// stageStack is the goroutine stack a stage's message needs, through the middleware, the
// JSON codec, the handler and the publisher, rounded up to a power of two.
const stageStack = 16 << 10

// presizeStack grows the stack of a message's goroutine once, at the top, to stageStack.
//
// watermill's router runs every message in a goroutine of its own, which starts with a small
// stack. Without this the runtime grows it deep inside the middleware and the codec, by
// doubling and copying every frame each time, and that copying was a tenth of the pipeline's
// CPU in the end-to-end benchmark (docs/benchmarks.md, issue 12). Grown here, it copies a few
// frames once. The stack goes back to the runtime when the message is done.
func presizeStack(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		growStack()
		return h(msg)
	}
}

// stackProbe keeps growStack's frame from being optimised away.
var stackProbe int

// growStack has a frame that fills a stageStack stack but for the few frames above it and
// the runtime's guard: calling it makes the runtime grow the stack to stageStack in one step
// (a frame any larger would make it double once more).
//
//go:noinline
func growStack() byte {
	var frame [stageStack - 6<<10]byte
	i := stackProbe % len(frame)
	frame[i] = 1
	return frame[(i+1)%len(frame)]
}
