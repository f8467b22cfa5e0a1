package sources

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

// utc parses an RFC 3339 time for a test table.
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// readFixture reads a file under testdata.
func readFixture(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newFacebook is a parser with the default selectors, showing times in loc (nil: UTC).
func newFacebook(t testing.TB, loc *time.Location) *FacebookGroup {
	t.Helper()
	f, err := NewFacebookGroup(FacebookOptions{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// samePosts compares posts field by field through their JSON form, which names the field
// that differs.
func samePosts(t *testing.T, got, want []Post) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d posts, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		var gm, wm map[string]any
		json.Unmarshal(g, &gm)
		json.Unmarshal(w, &wm)
		for k, wv := range wm {
			gj, _ := json.Marshal(gm[k])
			wj, _ := json.Marshal(wv)
			if string(gj) != string(wj) {
				t.Errorf("post %d (%s) %s = %s, want %s", i, want[i].ExternalID, k, gj, wj)
			}
		}
	}
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }
