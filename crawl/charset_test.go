package crawl

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/sources"
)

// A forum served in Big5, Big5-HKSCS, GBK or GB18030 is crawled into posts whose author and
// text are the page's, whether the charset is in the Content-Type only, in a <meta> only,
// or nowhere (Chinese only): the fetcher hands the header to the parser, which decodes before reading.
func TestCrawlChineseCharsetsEndToEnd(t *testing.T) {
	pages := []struct {
		path, label  string
		enc          encoding.Encoding
		header, meta bool
		author, text string
	}{
		{"/big5", "big5", traditionalchinese.Big5, true, false, "陳大文", "出售二手 iPhone 15，價格便宜，九成新"},
		{"/hkscs", "big5-hkscs", traditionalchinese.Big5, false, true, "佢哋", "部機冇花冇損，啱啱先用咗一個月，唔係好貴㗎"},
		{"/gbk", "gbk", simplifiedchinese.GBK, false, true, "王小明", "出售二手手机，价格便宜，九成新"},
		{"/gb18030", "gb18030", simplifiedchinese.GB18030, false, false, "李㐀华", "出售二手手机，价格便宜，这个星期交收 😀"},
		// Detection knows only Chinese: this one is read right only through the header.
		{"/koi8", "koi8-r", charmap.KOI8R, true, false, "Иван", "Продаю велосипед, почти новый"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range pages {
			if r.URL.Path != p.path {
				continue
			}
			meta := ""
			if p.meta {
				meta = `<meta charset="` + p.label + `">`
			}
			html := `<html><head>` + meta + `<title>forum</title></head><body><ul><li class="row">` +
				`<a class="topictitle" href="viewtopic.php?t=1">` + p.text + `</a>` +
				`<a class="username" href="memberlist.php?u=5">` + p.author + `</a></li></ul></body></html>`
			body, err := p.enc.NewEncoder().Bytes([]byte(html))
			if err != nil {
				t.Errorf("cannot encode %s: %v", p.label, err)
			}
			if p.header {
				w.Header().Set("Content-Type", "text/html; charset="+p.label)
			} else {
				w.Header().Set("Content-Type", "text/html")
			}
			w.Write(body)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	parser, err := sources.NewParser(sources.KindHTML, sources.ParserOptions{SelectorsFile: "../sources/testdata/selectors/forum.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		t.Run(p.label, func(t *testing.T) {
			f, err := NewFetcher(nil)
			if err != nil {
				t.Fatal(err)
			}
			f.Clock = &fakeClock{now: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}
			var got []handlers.RawPost
			r := &Runner{
				Source:  config.Source{Name: "forum", URL: srv.URL + p.path, StopAfterSeen: 5, MaxPages: 1},
				Fetcher: f, Parser: parser, State: &fakeState{seen: map[string]bool{}}, Clock: f.Clock,
				Publish: func(_ context.Context, ps []handlers.RawPost) error { got = append(got, ps...); return nil },
			}
			res, err := r.Run(context.Background(), Job{ID: "forum@1", Source: "forum"})
			if err != nil || res.Verdict != "ok" || len(got) != 1 {
				t.Fatalf("result %+v, %d posts, %v", res, len(got), err)
			}
			if got[0].Author != p.author || !strings.HasPrefix(got[0].Text, p.text) || strings.ContainsRune(got[0].Text+got[0].Author, '\uFFFD') {
				t.Fatalf("stored author %q text %q", got[0].Author, got[0].Text)
			}
		})
	}
}
