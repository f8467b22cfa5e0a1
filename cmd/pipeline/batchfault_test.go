package main_test

import (
	"syscall"
	"testing"
	"time"
)

// A process running only the batched stages (normalize, match) is SIGKILLed while it holds
// at least a full batch (pipeline.batch_size entries read, handed to the router, not yet
// acked). A second process, started after it, claims the whole batch (its entries idle past
// claim_idle, taken in batches) and drains: every post stored once, every alert stored once
// and written to the file sink exactly once, nothing pending.
func TestKill9WithAFullBatchInHand(t *testing.T) {
	env, vars := serverEnv(t)
	needsRealServers(t, env, "two pipeline processes share one database, and go-mysql-server loses writes made over concurrent connections")
	dir := t.TempDir()
	cfg := prefixedConfig(t, dir, env.Prefix)
	const posts = 20000
	const batch = 256 // pipeline.batch_size's default
	input, want := genPosts(t, t.TempDir(), posts)
	db := env.DB(t)

	if r := run(t, dir, vars, "ingest", "--config", cfg, input); r.code != 0 {
		t.Fatalf("ingest: exit %d\n%s", r.code, r.stderr)
	}
	a := startPipeline(t, "run a", dir, vars, "run", "--config", cfg, "--instance", "batch-a", "--handlers", "normalize,match")
	var held int
	waitFor(t, 60*time.Second, "run a holding a full batch", func() bool {
		held, _ = heldBy(t, dir, vars, cfg, "batch-a.")
		return held >= batch
	})
	a.signal(t, syscall.SIGKILL)
	<-a.done
	held, _ = heldBy(t, dir, vars, cfg, "batch-a.")
	t.Logf("SIGKILL to run a while it held %d entries; %d posts stored", held, countRows(t, db, "SELECT COUNT(*) FROM posts"))

	// claim_idle is 2 s in the test config: run b claims the dead consumers' entries.
	if r := run(t, dir, vars, "run", "--config", cfg, "--drain", "--instance", "batch-b"); r.code != 0 {
		t.Fatalf("run --drain after the kill: exit %d\n%s", r.code, tail(r.stderr))
	}
	c := outcome(t, dir, vars, cfg, db, want, posts)
	c.log(t)
	// Run a sent nothing (notify was not its stage), so no notification may repeat.
	c.requireClean(t, 0)
	if c.poisoned > 0 {
		t.Errorf("%d entries poisoned; none was bad", c.poisoned)
	}
}
