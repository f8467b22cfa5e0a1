package sources

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// chinesePage is a forum listing in the markup of testdata/selectors/forum.yaml, with a
// <meta> line the test fills in.
func chinesePage(meta, author, text string) string {
	return `<!DOCTYPE html><html><head>` + meta + `<title>二手市場 討論區</title></head><body>
<ul><li class="row"><a class="topictitle" href="viewtopic.php?t=88">` + text + `</a>
<span class="excerpt">有意請私訊，謝謝。</span>
<a class="username" href="memberlist.php?mode=viewprofile&u=5">` + author + `</a>
<time datetime="2024-01-09T21:15:00+08:00">9 Jan</time></li></ul></body></html>`
}

func encodeWith(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("cannot encode fixture: %v", err)
	}
	return b
}

// Pages in Big5, Big5-HKSCS, GBK and GB18030 are read as the text they are, whether the
// charset is in the header only, in the page only, or nowhere.
func TestHTMLPagesInChineseCharsets(t *testing.T) {
	p, err := NewParser(KindHTML, ParserOptions{SelectorsFile: filepath.Join("testdata", "selectors", "forum.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	charsets := []struct {
		label        string
		enc          encoding.Encoding
		author, text string
	}{
		{"big5", traditionalchinese.Big5, "陳大文", "出售二手 iPhone 15，價格便宜，九成新，這個星期交收"},
		{"big5-hkscs", traditionalchinese.Big5, "佢哋", "部機冇花冇損，啱啱先用咗一個月，唔係好貴㗎，買咗嘅人都話好用"},
		{"gbk", simplifiedchinese.GBK, "王小明", "出售二手手机，价格便宜，九成新，这个星期交收"},
		{"gb18030", simplifiedchinese.GB18030, "李㐀华", "出售二手手机，价格便宜，这个星期交收 😀 㐂"},
	}
	for _, cs := range charsets {
		for _, where := range []string{"header", "meta", "http-equiv", "neither"} {
			t.Run(cs.label+"/"+where, func(t *testing.T) {
				meta, contentType := "", ""
				switch where {
				case "header":
					contentType = "text/html; charset=" + cs.label
				case "meta":
					meta = `<meta charset="` + cs.label + `">`
				case "http-equiv":
					meta = `<meta http-equiv="Content-Type" content="text/html; charset=` + cs.label + `">`
				}
				body := encodeWith(t, cs.enc, chinesePage(meta, cs.author, cs.text))
				page, err := p.Parse(Response{Body: body, ContentType: contentType, FetchedAt: utc(t, "2024-01-10T09:00:00Z")})
				if err != nil {
					t.Fatal(err)
				}
				if page.Verdict != VerdictOK || len(page.Posts) != 1 {
					t.Fatalf("verdict %s, %d posts", page.Verdict, len(page.Posts))
				}
				got := page.Posts[0]
				if got.Author != cs.author || !strings.HasPrefix(got.Text, cs.text+"\n有意請私訊") || strings.ContainsRune(got.Text, '\uFFFD') {
					t.Fatalf("read as author %q text %q", got.Author, got.Text)
				}
			})
		}
	}
}

func TestToUTF8Precedence(t *testing.T) {
	big5 := encodeWith(t, traditionalchinese.Big5, "<p>價格便宜，這個星期交收，謝謝</p>")
	gbk := encodeWith(t, simplifiedchinese.GBK, `<meta charset="gbk"><p>价格便宜，这个星期交收</p>`)
	tests := []struct {
		name, contentType string
		body              []byte
		want, wantName    string
	}{
		{"header beats detection", "text/html; charset=big5", big5, "價格便宜", "big5"},
		{"header beats meta", "text/html; charset=gbk", gbk, "价格便宜", "gbk"},
		{"unknown header label falls to meta", "text/html; charset=klingon", gbk, "价格便宜", "gbk"},
		{"a BOM beats the header", "text/html; charset=big5", append([]byte{0xEF, 0xBB, 0xBF}, "<p>價格</p>"...), "<p>價格</p>", "utf-8"},
		{"utf-8 is left alone", "", []byte("<p>價格 café</p>"), "<p>價格 café</p>", "utf-8"},
		{"latin-1 without declaration", "", []byte("<p>caf\xe9 cr\xe8me</p>"), "café crème", "windows-1252"},
		{"meta utf-16 means utf-8", "", []byte(`<meta charset="utf-16"><p>價格</p>`), "價格", "utf-8"},
		{"gzip left for the parser to refuse", "text/html; charset=big5", []byte{0x1f, 0x8b, 8, 0}, "\x1f\x8b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, name, err := ToUTF8(tt.body, tt.contentType)
			if err != nil || name != tt.wantName || !bytes.Contains(out, []byte(tt.want)) {
				t.Fatalf("got %q as %q (%v); want %q as %q", out, name, err, tt.want, tt.wantName)
			}
		})
	}
}

// A meta declaration after 1024 bytes of scripts (where browsers stop looking) is still found.
func TestMetaCharsetAfterLongHead(t *testing.T) {
	head := `<html><head><script>` + strings.Repeat("var x = 1;\n", 300) + `</script><meta charset="big5">`
	body := encodeWith(t, traditionalchinese.Big5, head+`</head><body><p>九成新</p></body></html>`)
	out, name, err := ToUTF8(body, "")
	if err != nil || name != "big5" || !bytes.Contains(out, []byte("九成新")) {
		t.Fatalf("got %s %v", name, err)
	}
}

// A feed keeps its XML declaration's encoding, and one without a declaration is decoded by
// the header's charset.
func TestFeedCharsets(t *testing.T) {
	item := `<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>價格便宜，九成新</title></item></channel></rss>`
	declared := encodeWith(t, traditionalchinese.Big5, `<?xml version="1.0" encoding="big5"?>`+item)
	undeclared := encodeWith(t, traditionalchinese.Big5, item)
	p, err := NewParser(KindFeed, ParserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]Response{
		"declared, no header":      {Body: declared},
		"declared, header says so": {Body: declared, ContentType: "application/rss+xml; charset=big5"},
		"undeclared, header":       {Body: undeclared, ContentType: "application/rss+xml; charset=big5"},
	} {
		page, err := p.Parse(r)
		if err != nil || len(page.Posts) != 1 || page.Posts[0].Text != "價格便宜，九成新" {
			t.Errorf("%s: %+v %v", name, page.Posts, err)
		}
	}
}

func TestCharsetContentType(t *testing.T) {
	if ct, err := CharsetContentType("big5"); err != nil || ct != "text/html; charset=big5" {
		t.Fatalf("%q %v", ct, err)
	}
	if ct, err := CharsetContentType(""); err != nil || ct != "" {
		t.Fatalf("%q %v", ct, err)
	}
	if _, err := CharsetContentType("klingon"); err == nil || !strings.Contains(err.Error(), "klingon") {
		t.Fatalf("want an error naming the label, got %v", err)
	}
}
