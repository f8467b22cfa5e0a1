package sinks

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"groupwatch/config"
)

func leaves(p mimePart) []mimePart {
	if len(p.Parts) == 0 {
		return []mimePart{p}
	}
	var out []mimePart
	for _, c := range p.Parts {
		out = append(out, leaves(c)...)
	}
	return out
}

func TestRuleTemplatesOverrideSlackAndEmail(t *testing.T) {
	templates, err := CompileTemplates([]config.Rule{{Name: "iphone-deals", Templates: config.Templates{
		Text: `{{.Author}} sells: {{.Text}} [{{join .Terms ", "}}]`,
	}}})
	if err == nil {
		t.Fatal("an unknown function must fail to compile")
	}
	templates, err = CompileTemplates([]config.Rule{{Name: "iphone-deals", Templates: config.Templates{
		Text: `{{.Author}} sells: {{.Text}}`,
		HTML: `<p class="custom">{{.Author}} sells {{.Text}}</p>{{if .ChartCID}}<img src="cid:{{.ChartCID}}">{{end}}`,
	}}})
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var body string
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		body = string(b)
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	defer slack.Close()
	s, err := NewSlack("team", slack.URL+"/services/x", SlackOptions{Templates: templates})
	if err != nil {
		t.Fatal(err)
	}
	a := emailAlert("threshold")
	if err := s.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if !strings.Contains(body, a.Author+" sells: 出售 二手") {
		t.Fatalf("slack body does not use the template: %s", body)
	}
	mu.Unlock()

	srv := startTestSMTP(t, testSMTPOptions{STARTTLS: true, Users: map[string]string{testUser: testPassword}})
	e := newTestEmail(t, emailConfig(srv, EmailSTARTTLS), srv, EmailOptions{Templates: templates})
	if err := e.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(srv.Mails()[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	var text, html string
	for _, p := range leaves(parseMIME(t, textproto.MIMEHeader(msg.Header), msg.Body)) {
		switch p.Type {
		case "text/plain":
			text = string(p.Body)
		case "text/html":
			html = string(p.Body)
		}
	}
	if !strings.HasPrefix(text, a.Author+" sells: 出售") {
		t.Errorf("text part does not use the template: %q", text)
	}
	if !strings.Contains(html, `<p class="custom">`) || !strings.Contains(html, "&lt;b&gt;不議價&lt;/b&gt;") || !strings.Contains(html, `src="cid:`) {
		t.Errorf("html part does not use the escaped template with the chart: %s", html)
	}
}
