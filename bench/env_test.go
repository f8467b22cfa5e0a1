package bench

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"groupwatch/config"
	"groupwatch/internal/testenv"
)

// Knobs, each a flag (go test ./bench -bench . -args -posts 20000) or an environment variable;
// the flag wins.
var (
	postsFlag     = flag.Int("posts", 0, "posts per end-to-end run (default $GROUPWATCH_BENCH_POSTS, else 100000)")
	rateFlag      = flag.Int("rate", 0, "posts/s of the paced end-to-end run (default $GROUPWATCH_BENCH_RATE, else 2500)")
	consumersFlag = flag.String("consumers", "", "consumers per stage, like normalize=32,match=16 (default $GROUPWATCH_BENCH_CONSUMERS, else the configuration defaults)")
)

const (
	envPosts     = "GROUPWATCH_BENCH_POSTS"
	envRate      = "GROUPWATCH_BENCH_RATE"
	envConsumers = "GROUPWATCH_BENCH_CONSUMERS"
)

// realEnv is a database and a topic prefix of the benchmark's own on the real servers. The
// in-process stand-ins are orders of magnitude slower than the servers and are not what
// these figures are about, so without real servers the benchmark is skipped.
func realEnv(b *testing.B) testenv.Env {
	b.Helper()
	skipUnlessReal(b)
	env := testenv.New(b)
	if !env.Real {
		b.Skip("testenv gave the stand-ins; these benchmarks measure real servers only")
	}
	return env
}

// intKnob reads a positive integer from a flag or else an environment variable.
func intKnob(b *testing.B, flagValue int, env string, def int) int {
	b.Helper()
	if flagValue > 0 {
		return flagValue
	}
	s := os.Getenv(env)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive integer", env, s)
	}
	return n
}

// consumersKnob reads "stage=n,stage=n"; nil leaves the configuration's defaults.
func consumersKnob(b *testing.B) map[string]int {
	b.Helper()
	s := *consumersFlag
	if s == "" {
		s = os.Getenv(envConsumers)
	}
	if s == "" {
		return nil
	}
	out := map[string]int{}
	for _, kv := range strings.Split(s, ",") {
		stage, n, ok := strings.Cut(strings.TrimSpace(kv), "=")
		v, err := strconv.Atoi(n)
		if !ok || err != nil {
			b.Fatalf("consumers %q: want stage=n,stage=n", s)
		}
		out[stage] = v
	}
	return out
}

// consumersString is the consumer counts as they are configured, for the log.
func consumersString(cfg *config.Config) string {
	var parts []string
	for _, stage := range config.Stages {
		parts = append(parts, fmt.Sprintf("%s=%d", stage, cfg.Pipeline.Consumers[stage]))
	}
	return strings.Join(parts, ",")
}

// logTail keeps the first lines the pipeline logs (it logs at warn, so any line is news) and
// counts them all, without letting a flood of retries fill memory.
type logTail struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines int
}

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines++
	if l.buf.Len() < 8<<10 {
		l.buf.Write(p)
	}
	return len(p), nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lines == 0 {
		return ""
	}
	return fmt.Sprintf("%d log lines at warn or above; the first:\n%s", l.lines, l.buf.String())
}

// skipUnlessReal skips before any expensive set-up when the real servers are not configured.
func skipUnlessReal(b *testing.B) {
	b.Helper()
	if os.Getenv(testenv.EnvRedisURL) == "" || os.Getenv(testenv.EnvMySQLDSN) == "" {
		b.Skipf("needs real Redis and MySQL: set %s=redis://127.0.0.1:6379/0 and %s='root@tcp(127.0.0.1:3306)/test'",
			testenv.EnvRedisURL, testenv.EnvMySQLDSN)
	}
}
