package fakefacebook

import (
	"os"
	"testing"
)

// SkipWithoutChromium decides for a browser test whose Chromium lookup failed with err: it
// skips with a message on a machine without Chromium (a laptop), and fails in CI (CI=true),
// where .ci/run installs Debian's chromium and the browser path must be tested.
func SkipWithoutChromium(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI must run the browser tests: %v", err)
	}
	t.Skipf("skipping the browser test: %v", err)
}
