package sinks

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
)

func checkAlertHeaders(t *testing.T, h mail.Header, a handlers.Alert) {
	t.Helper()
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q: %v", h.Get("Subject"), err)
	}
	want := "[groupwatch] iphone-deals: 出售 二手 iPhone 15 Pro，九成新 <b>不議價</b> 面交 旺角"
	if a.Kind != "instant" {
		want = "[groupwatch] iphone-deals " + string(a.Kind) + " (266 matches): 出售 二手 iPhone 15 Pro，九成新 <b>不議價</b> 面交 旺角"
	}
	if subject != want {
		t.Errorf("subject\n got %q\nwant %q", subject, want)
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "alerts@example.com" {
		t.Errorf("From %q (%v)", h.Get("From"), err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "陳經理" || to[0].Address != "manager@example.com" || to[1].Address != "team@example.com" {
		t.Errorf("To %q (%v)", h.Get("To"), err)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<alert.42.") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID %q, want <alert.42.…@example.com>", id)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if got := h.Get(HeaderDedupKey); got != a.DedupKey {
		t.Errorf("%s %q, want %q", HeaderDedupKey, got, a.DedupKey)
	}
	unsub, post := h.Get("List-Unsubscribe"), h.Get("List-Unsubscribe-Post")
	if a.Kind == "digest" {
		if unsub != "<https://groupwatch.example.com/unsubscribe?rule=iphone-deals>" || post != "List-Unsubscribe=One-Click" {
			t.Errorf("digest: List-Unsubscribe %q, List-Unsubscribe-Post %q", unsub, post)
		}
	} else if unsub != "" || post != "" {
		t.Errorf("%s alert: List-Unsubscribe %q, List-Unsubscribe-Post %q, want none", a.Kind, unsub, post)
	}
}

// checkAlertBody wants multipart/alternative (text, HTML), inside multipart/related with an
// inline PNG that the HTML refers to when the alert has a trend.
func checkAlertBody(t *testing.T, root mimePart, a handlers.Alert) {
	t.Helper()
	alt := root
	var img *mimePart
	if len(a.Trend) > 0 {
		if root.Type != "multipart/related" || len(root.Parts) != 2 {
			t.Fatalf("root is %s with %d parts, want multipart/related with 2", root.Type, len(root.Parts))
		}
		alt, img = root.Parts[0], &root.Parts[1]
	}
	if alt.Type != "multipart/alternative" || len(alt.Parts) != 2 ||
		alt.Parts[0].Type != "text/plain" || alt.Parts[1].Type != "text/html" {
		t.Fatalf("want multipart/alternative of text/plain and text/html, got %s", root)
	}
	text, html := string(alt.Parts[0].Body), string(alt.Parts[1].Body)
	for _, p := range alt.Parts {
		if _, params, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); !strings.EqualFold(params["charset"], "utf-8") {
			t.Errorf("%s part is not UTF-8: %q", p.Type, p.Header.Get("Content-Type"))
		}
	}

	for _, want := range []string{"出售 二手 iPhone 15 Pro，九成新 <b>不議價</b>", "陳大文", "fb:g", a.URL, "iphone 15, 二手", "Posted:  Fri 20 Nov 2026, 09:15 HKT"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{
		"&lt;b&gt;不議價&lt;/b&gt;", // escaped, never markup
		`<mark style="background:#fde68a;color:#0f172a;border-radius:2px;padding:0 1px;">二手</mark>`,
		`<mark style="background:#fde68a;color:#0f172a;border-radius:2px;padding:0 1px;">iPhone 15</mark> Pro`,
		`href="https://www.facebook.com/groups/g/posts/1001/?a=1&amp;b=2"`,
		"陳大文", "Fri 20 Nov 2026, 09:15 HKT",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q", want)
		}
	}
	if strings.Contains(html, "<b>不議價") {
		t.Error("HTML part has the post's <b> unescaped")
	}

	if img == nil {
		if strings.Contains(html, "cid:") {
			t.Error("HTML refers to an image, but the alert has no trend")
		}
		return
	}
	if img.Type != "image/png" {
		t.Fatalf("second part of multipart/related is %s, want image/png", img.Type)
	}
	cid := strings.TrimSuffix(strings.TrimPrefix(img.Header.Get("Content-Id"), "<"), ">")
	if cid == "" || !strings.Contains(html, `src="cid:`+cid+`"`) {
		t.Errorf("Content-ID %q not referred to by the HTML", img.Header.Get("Content-Id"))
	}
	if d := img.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "inline") {
		t.Errorf("Content-Disposition %q, want inline", d)
	}
	pic, err := png.Decode(bytes.NewReader(img.Body))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if b := pic.Bounds(); b.Dx() != emailChartWidth || b.Dy() != emailChartHeight {
		t.Errorf("chart is %v", b)
	}
	for _, want := range []string{"Matches per hour", "26 Nov 09:00 – 27 Nov 09:00 HKT", "37 matches at 26 Nov 21:00", "<b>266</b>"} {
		if !strings.Contains(html, want) {
			t.Errorf("chart caption lacks %q", want)
		}
	}
}

func TestEmailMessageIDIsStablePerAlertAndSink(t *testing.T) {
	cfg := config.Sink{Name: "a", Host: "h", From: "x@Example.COM", To: []string{"y@example.com"}}
	e1 := newTestEmail(t, cfg, nil, EmailOptions{})
	cfg.Name = "b"
	e2 := newTestEmail(t, cfg, nil, EmailOptions{})
	a := emailAlert("instant")
	if e1.messageID(a) != e1.messageID(a) {
		t.Error("two attempts at one alert got different Message-IDs")
	}
	if e1.messageID(a) == e2.messageID(a) {
		t.Error("two sinks got the same Message-ID")
	}
	if !strings.HasSuffix(e1.messageID(a), "@example.com") {
		t.Errorf("Message-ID %s does not end in the sender's domain", e1.messageID(a))
	}
}

func TestEmailSubjectSnippet(t *testing.T) {
	long := strings.Repeat("二手 iPhone 15 九成新 ", 10)
	got := snippet(long, subjectSnippetMax)
	if !strings.HasSuffix(got, " …") || len([]rune(got)) > subjectSnippetMax+2 {
		t.Errorf("snippet %q", got)
	}
	if got := snippet("  one\n\ttwo  ", 60); got != "one two" {
		t.Errorf("snippet %q, want one line", got)
	}
}

func TestHighlightTerms(t *testing.T) {
	tests := []struct {
		text  string
		terms []string
		want  string // matches in [brackets]
	}{
		{"Selling my iPhone 15 Pro", []string{"iphone 15"}, "Selling my [iPhone 15] Pro"},
		{"iPhone 150 and myiphone 15", []string{"iphone 15"}, "iPhone 150 and myiphone 15"},
		{"iPhone\n\n15!", []string{"iphone 15"}, "[iPhone\n\n15]!"},
		{"Ｉｐｈｏｎｅ　１５ 全新", []string{"iphone 15"}, "[Ｉｐｈｏｎｅ　１５] 全新"},
		{"二手車 and iphone二手", []string{"二手", "iphone"}, "[二手]車 and [iphone二手]"}, // adjacent matches make one mark
		{"i\u200bphone 15", []string{"iphone 15"}, "[i\u200bphone 15]"},
		{"nothing here", []string{"iphone"}, "nothing here"},
		{"", []string{"iphone"}, ""},
		{"iphone iphone", []string{"iphone", ""}, "[iphone] [iphone]"},
		// Chinese variants: the post's own characters are marked, whichever script the rule used.
		{"出售二手相机，價格很便宜", []string{"相機", "价格"}, "出售二手[相机]，[價格]很便宜"},
		{"這裏 这里 著", []string{"這裡", "着"}, "[這裏] [这里] [著]"},
		{"軟體 软件", []string{"软件"}, "軟體 [软件]"},
		{"exact: 相机 相機", []string{"exact", "相機"}, "[exact]: 相机 [相機]"},
	}
	for _, tt := range tests {
		var b strings.Builder
		fold := tt.terms[0] != "exact" // a first term "exact" stands for variants: exact
		for _, s := range highlightTerms(tt.text, tt.terms, fold) {
			if s.Match {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		if b.String() != tt.want {
			t.Errorf("highlight %q with %q:\n got %q\nwant %q", tt.text, tt.terms, b.String(), tt.want)
		}
	}
}

// TestWriteSampleEmail writes the HTML and the raw message of a digest alert for a person to
// look at: GROUPWATCH_SAMPLE_EMAIL=/tmp/mail go test ./sinks -run SampleEmail
func TestWriteSampleEmail(t *testing.T) {
	dir := os.Getenv("GROUPWATCH_SAMPLE_EMAIL")
	if dir == "" {
		t.Skip("GROUPWATCH_SAMPLE_EMAIL not set")
	}
	cfg := config.Sink{Name: "brand-team", Host: "smtp.example.com", From: "groupwatch <alerts@example.com>", To: []string{"manager@example.com"}}
	e := newTestEmail(t, cfg, nil, EmailOptions{ListUnsubscribe: "https://groupwatch.example.com/unsubscribe"})
	msg, err := e.alertMessage(emailAlert("digest"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	root := parseMIME(t, textproto.MIMEHeader(m.Header), m.Body)
	html := strings.ReplaceAll(string(root.Parts[0].Parts[1].Body), "cid:"+e.chartCID(emailAlert("digest")), "trend.png")
	for name, b := range map[string][]byte{"mail.eml": raw.Bytes(), "mail.html": []byte(html), "trend.png": root.Parts[1].Body, "mail.txt": root.Parts[0].Parts[0].Body} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mimePart is a parsed MIME entity: a leaf with its decoded body, or a multipart with parts.
type mimePart struct {
	Type   string
	Header textproto.MIMEHeader
	Body   []byte
	Parts  []mimePart
}

func (p mimePart) String() string {
	if len(p.Parts) == 0 {
		return p.Type
	}
	var s []string
	for _, c := range p.Parts {
		s = append(s, c.String())
	}
	return p.Type + "{" + strings.Join(s, ", ") + "}"
}

func parseMIME(t *testing.T, h textproto.MIMEHeader, body io.Reader) mimePart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	p := mimePart{Type: mt, Header: h}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			part, err := r.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			p.Parts = append(p.Parts, parseMIME(t, part.Header, part))
		}
		return p
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	if p.Body, err = io.ReadAll(body); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEmailHighlightsVariantsUnlessExact checks that the email marks a term in the post's
// own characters whether it matched through Chinese variants or as written, and that an
// exact rule's alert marks only what it matched.
func TestEmailHighlightsVariantsUnlessExact(t *testing.T) {
	e := newTestEmail(t, config.Sink{Name: "a", Host: "h", From: "x@example.com", To: []string{"y@example.com"}}, nil, EmailOptions{})
	marked := func(a handlers.Alert) []string {
		var out []string
		for _, s := range e.alertView(a).Text {
			if s.Match {
				out = append(out, s.Text)
			}
		}
		return out
	}
	a := testAlert(7)
	a.Text, a.Terms = "相机 相機", []string{"相機"}
	if got := marked(a); !reflect.DeepEqual(got, []string{"相机", "相機"}) {
		t.Errorf("folding rule marked %q, want both spellings", got)
	}
	a.Variants = handlers.VariantsExact
	if got := marked(a); !reflect.DeepEqual(got, []string{"相機"}) {
		t.Errorf("exact rule marked %q, want only 相機", got)
	}
}
