package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secret = "SECRETVALUE"

func TestLoadCookiesFormatsAndLimits(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := func(name, value string) string {
		return ".example.com\tTRUE\t/\tFALSE\t0\t" + name + "\t" + value + "\n"
	}
	var many strings.Builder
	for i := range MaxCookies + 1 {
		many.WriteString(line(fmt.Sprint("c", i), secret))
	}
	huge := write("huge.txt", nil)
	if err := os.Truncate(huge, MaxCookieFileBytes+1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		want    int // cookies read, when no error
		wantErr []string
	}{
		{"playwright storage state", write("state.json", []byte(`{"cookies":[{"name":"c_user","value":"`+secret+`","domain":".facebook.com","path":"/","expires":1999999999,"httpOnly":false,"secure":true,"sameSite":"None"},{"name":"xs","value":"`+secret+`","domain":".facebook.com","path":"/","expires":-1}],"origins":[]}`)), 2, nil},
		{"one cookie object", write("one.json", []byte(`{"name":"c_user","value":"`+secret+`","domain":".facebook.com"}`)), 1, nil},
		{"array with a BOM", write("bom.json", append([]byte{0xEF, 0xBB, 0xBF}, `[{"name":"a","value":"b","domain":"x.com"}]`...)), 1, nil},
		{"object without cookies", write("obj.json", []byte(`{"origins":[],"token":"`+secret+`"}`)), 0, []string{"obj.json", `without a "cookies" list`}},
		{"JSON of the wrong shape", write("shape.json", []byte(`{"cookies":{"name":"`+secret+`"}}`)), 0, []string{"shape.json", "not a JSON cookie export"}},
		{"file over the size limit", huge, 0, []string{"huge.txt", "over 4 MiB"}},
		{"too many cookies", write("many.txt", []byte(many.String())), 0, []string{"many.txt line 5001", "more than 5000 cookies"}},
		{"a line over 64 KiB", write("long.txt", []byte(line("ok", "1")+line("big", strings.Repeat("v", 70<<10)+secret))), 0, []string{"long.txt line 2", "longer than any cookie"}},
		{"a JSON cookie over 8 KiB", write("big.json", []byte(`[{"name":"big","value":"`+strings.Repeat("v", 9<<10)+secret+`","domain":"x.com"}]`)), 0, []string{"big.json", "cookie 1", "cookie big", "over the 8 KiB"}},
		{"a directory", dir, 0, []string{"not a regular file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := LoadCookies(tt.path)
			if tt.wantErr == nil {
				if err != nil || len(cs) != tt.want {
					t.Fatalf("%d cookies, %v; want %d", len(cs), err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("read %d cookies, want an error", len(cs))
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "vvvv") {
				t.Errorf("a cookie value leaked into the error: %.200s", err)
			}
		})
	}
	cs, _ := LoadCookies(filepath.Join(dir, "state.json"))
	if len(cs) == 2 && (cs[0].Expires.IsZero() || !cs[1].Expires.IsZero()) {
		t.Errorf("expires: %v, %v (want a time, then a session cookie)", cs[0].Expires, cs[1].Expires)
	}
}

// Through the jar, a request carries only the cookies whose domain and path match it, each
// once (a later export line of the same cookie replaces the earlier one).
func TestFetchSendsOnlyMatchingCookiesOnce(t *testing.T) {
	var header string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Get("Cookie")
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	host := strings.Split(strings.TrimPrefix(srv.URL, "http://"), ":")[0]
	f, err := NewFetcher([]*http.Cookie{
		{Name: "c_user", Value: "1", Domain: "." + host, Path: "/"},
		{Name: "xs", Value: "old", Domain: "." + host, Path: "/"},
		{Name: "xs", Value: "new", Domain: "." + host, Path: "/"},
		{Name: "admin", Value: "2", Domain: "." + host, Path: "/admin"},
		{Name: "elsewhere", Value: "3", Domain: ".other.example", Path: "/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.Clock = &fakeClock{}
	if _, err := f.Fetch(context.Background(), srv.URL+"/groups/1"); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(header, "; ")
	if len(got) != 2 || !strings.Contains(header, "c_user=1") || !strings.Contains(header, "xs=new") {
		t.Fatalf("Cookie: %q, want c_user and the newer xs only", header)
	}
}
