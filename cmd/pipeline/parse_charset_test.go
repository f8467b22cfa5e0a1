package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/traditionalchinese"
)

// A saved page is read in the charset --charset names; without it, as its <meta> says or as
// detected. An unknown --charset is an error naming it.
func TestParseCharset(t *testing.T) {
	dir := t.TempDir()
	save := func(name string, enc encoding.Encoding, author, text string) string {
		html := `<html><head><title>forum</title></head><body><ul><li class="row">` +
			`<a class="topictitle" href="viewtopic.php?t=1">` + text + `</a>` +
			`<a class="username" href="memberlist.php?u=5">` + author + `</a></li></ul></body></html>`
		b, err := enc.NewEncoder().Bytes([]byte(html))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big5 := save("big5.html", traditionalchinese.Big5, "陳大文", "出售二手 iPhone 15，價格便宜，九成新")
	koi8 := save("koi8.html", charmap.KOI8R, "Иван", "Продаю велосипед, почти новый")
	selectors := repoFile(t, "sources/testdata/selectors/forum.yaml")
	tests := []struct {
		name         string
		args         []string
		author, text string
	}{
		{"detected", []string{big5}, "陳大文", "出售二手 iPhone 15，價格便宜，九成新"},
		{"named", []string{"--charset", "big5-hkscs", big5}, "陳大文", "出售二手 iPhone 15，價格便宜，九成新"},
		{"only when named", []string{"--charset", "koi8-r", koi8}, "Иван", "Продаю велосипед, почти новый"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parseOutput(t, run(t, dir, nil, append([]string{"parse", "--kind", "html", "--selectors", selectors}, tt.args...)...))
			if len(p.Posts) != 1 || p.Posts[0].Author != tt.author || p.Posts[0].Text != tt.text {
				t.Fatalf("posts %+v", p.Posts)
			}
		})
	}
	r := run(t, dir, nil, "parse", "--kind", "html", "--selectors", selectors, "--charset", "klingon", big5)
	if r.code != 1 || !strings.Contains(r.stderr, `--charset`) || !strings.Contains(r.stderr, "klingon") {
		t.Fatalf("unknown charset: exit %d, %s", r.code, r.stderr)
	}
}
