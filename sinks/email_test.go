package sinks

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"groupwatch/config"
	"groupwatch/handlers"
)

const (
	testUser     = "alerts@example.com"
	testPassword = "s3cr3t-Pa55word"
)

// emailAlert is an alert of kind with a post that needs escaping, two matched terms and, for
// threshold and digest, a day of hourly counts.
func emailAlert(kind config.RuleKind) handlers.Alert {
	a := testAlert(42)
	a.Kind = kind
	a.DedupKey = handlers.DedupKey(string(kind), a.Rule, a.Source, a.ExternalID)
	a.Text = "出售 二手 iPhone 15 Pro，九成新 <b>不議價</b>\n面交 旺角"
	a.URL = "https://www.facebook.com/groups/g/posts/1001/?a=1&b=2"
	if kind != "instant" {
		a.Trend = hourlyTrend(time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC))
	}
	return a
}

func emailConfig(srv *testSMTP, mode string) config.Sink {
	return config.Sink{
		Name: "brand-team", Type: config.SinkEmail, Host: srv.Host, Port: srv.Port, TLS: mode,
		Username: testUser, Password: testPassword,
		From: "groupwatch <alerts@example.com>", To: []string{"陳經理 <manager@example.com>", "team@example.com"},
	}
}

func newTestEmail(t *testing.T, cfg config.Sink, srv *testSMTP, opts EmailOptions) *Email {
	t.Helper()
	if opts.TLSConfig == nil && srv != nil {
		opts.TLSConfig = tlsTrusting(srv)
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("HKT", 8*3600)
	}
	e, err := NewEmail(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func tlsTrusting(srv *testSMTP) *tls.Config { return &tls.Config{RootCAs: srv.Roots} }

func TestEmailSendsAlertOverSTARTTLSWithAuth(t *testing.T) {
	for _, kind := range []config.RuleKind{config.RuleInstant, config.RuleThreshold, config.RuleDigest} {
		t.Run(string(kind), func(t *testing.T) {
			srv := startTestSMTP(t, testSMTPOptions{STARTTLS: true, Users: map[string]string{testUser: testPassword}})
			e := newTestEmail(t, emailConfig(srv, EmailSTARTTLS), srv,
				EmailOptions{ListUnsubscribe: "https://groupwatch.example.com/unsubscribe?rule=iphone-deals"})
			alert := emailAlert(kind)
			if err := e.Send(context.Background(), alert); err != nil {
				t.Fatal(err)
			}

			mails := srv.Mails()
			if len(mails) != 1 || srv.MailCommands() != 1 {
				t.Fatalf("server got %d mails in %d transactions, want exactly 1", len(mails), srv.MailCommands())
			}
			got := mails[0]
			if !got.TLS || got.User != testUser {
				t.Errorf("TLS %v, user %q: want the mail sent over STARTTLS after AUTH", got.TLS, got.User)
			}
			if got.From != "alerts@example.com" || strings.Join(got.To, ",") != "manager@example.com,team@example.com" {
				t.Errorf("envelope from %q to %q", got.From, got.To)
			}

			msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
			if err != nil {
				t.Fatal(err)
			}
			checkAlertHeaders(t, msg.Header, alert)
			root := parseMIME(t, textproto.MIMEHeader(msg.Header), msg.Body)
			checkAlertBody(t, root, alert)
		})
	}
}

func TestEmailImplicitTLS(t *testing.T) {
	srv := startTestSMTP(t, testSMTPOptions{Implicit: true, Users: map[string]string{testUser: testPassword}})
	e := newTestEmail(t, emailConfig(srv, EmailImplicit), srv, EmailOptions{})
	if err := e.Send(context.Background(), emailAlert("instant")); err != nil {
		t.Fatal(err)
	}
	if m := srv.Mails(); len(m) != 1 || !m[0].TLS || m[0].User != testUser {
		t.Fatalf("got %+v, want one mail over TLS after AUTH", m)
	}
}

func TestEmailSendTestReturnsTheServersAnswer(t *testing.T) {
	srv := startTestSMTP(t, testSMTPOptions{STARTTLS: true, Users: map[string]string{testUser: testPassword}})
	e := newTestEmail(t, emailConfig(srv, ""), srv, EmailOptions{})
	answer, err := e.SendTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if answer != "250 2.0.0 OK: queued" {
		t.Errorf("answer %q", answer)
	}
	m := srv.Mails()
	if len(m) != 1 {
		t.Fatalf("%d mails", len(m))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if s := msg.Header.Get("Subject"); s != "[groupwatch] test mail from sink brand-team" {
		t.Errorf("subject %q", s)
	}
}

func TestEmailFailures(t *testing.T) {
	reply := func(code int, msg string) error {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: msg}
	}
	users := map[string]string{testUser: testPassword}
	tests := []struct {
		name      string
		server    testSMTPOptions
		mode      string
		password  string // default testPassword
		noTrust   bool   // the client does not trust the server's certificate
		permanent bool
		want      []string // in the error
	}{
		{
			name: "550 to RCPT", server: testSMTPOptions{STARTTLS: true, Users: users, RcptReply: reply(550, "no such user")},
			permanent: true, want: []string{"RCPT TO <manager@example.com>", "550", "no such user"},
		},
		{
			name: "553 to RCPT", server: testSMTPOptions{STARTTLS: true, Users: users, RcptReply: reply(553, "mailbox name not allowed")},
			permanent: true, want: []string{"RCPT TO", "553"},
		},
		{
			name: "450 to RCPT", server: testSMTPOptions{STARTTLS: true, Users: users, RcptReply: reply(450, "mailbox busy")},
			want: []string{"RCPT TO", "450"},
		},
		{
			name: "550 to MAIL FROM", server: testSMTPOptions{STARTTLS: true, Users: users, MailReply: reply(550, "sender rejected")},
			permanent: true, want: []string{"MAIL FROM <alerts@example.com>", "550"},
		},
		{
			name: "554 to the message", server: testSMTPOptions{STARTTLS: true, Users: users, DataReply: reply(554, "looks like spam")},
			permanent: true, want: []string{"DATA end of message", "554", "looks like spam"},
		},
		{
			name: "451 to the message", server: testSMTPOptions{STARTTLS: true, Users: users, DataReply: reply(451, "try later")},
			want: []string{"DATA end of message", "451"},
		},
		{
			name: "wrong password", server: testSMTPOptions{STARTTLS: true, Users: users}, password: "not-" + testPassword,
			permanent: true, want: []string{"AUTH as alerts@example.com", "535"},
		},
		{
			name: "server echoes the password",
			server: testSMTPOptions{STARTTLS: true, AuthReply: &smtp.SMTPError{Code: 454, Message: "temporary failure for " +
				testPassword + " / " + base64.StdEncoding.EncodeToString([]byte("\x00"+testUser+"\x00"+testPassword))}},
			want: []string{"AUTH", "454", "[redacted]"},
		},
		{
			name: "no STARTTLS offered", server: testSMTPOptions{Users: users},
			want: []string{"STARTTLS", "plain text"},
		},
		{
			name: "untrusted certificate", server: testSMTPOptions{STARTTLS: true, Users: users}, noTrust: true,
			want: []string{"STARTTLS", "certificate"},
		},
		{
			name: "implicit TLS to a plain server", server: testSMTPOptions{Users: users}, mode: EmailImplicit,
			want: []string{"TLS handshake"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startTestSMTP(t, tt.server)
			cfg := emailConfig(srv, tt.mode)
			if tt.password != "" {
				cfg.Password = tt.password
			}
			opts := EmailOptions{Timeout: 5 * time.Second}
			if tt.noTrust {
				opts.TLSConfig = &tls.Config{RootCAs: x509.NewCertPool()}
			}
			e := newTestEmail(t, cfg, srv, opts)
			err := e.Send(context.Background(), emailAlert("threshold"))
			checkSendError(t, err, cfg.Password, tt.permanent, append(tt.want, net.JoinHostPort(srv.Host, strconv.Itoa(srv.Port)))...)
			if n := len(srv.Mails()); n != 0 {
				t.Errorf("server accepted %d mails", n)
			}
			if tt.name == "no STARTTLS offered" && srv.MailCommands() != 0 {
				t.Error("MAIL FROM went out in plain text")
			}
		})
	}
}

func TestEmailServerNotListening(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg := config.Sink{Name: "x", Host: "127.0.0.1", Port: port, Username: testUser, Password: testPassword,
		From: "alerts@example.com", To: []string{"a@example.com"}}
	e := newTestEmail(t, cfg, nil, EmailOptions{})
	err = e.Send(context.Background(), emailAlert("instant"))
	checkSendError(t, err, testPassword, false, "connect", "127.0.0.1:"+strconv.Itoa(port))
}

func TestEmailServerThatNeverAnswersTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			defer c.Close()
			_, _ = io.Copy(io.Discard, c) // never greets
		}
	}()
	cfg := config.Sink{Name: "x", Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port,
		From: "alerts@example.com", To: []string{"a@example.com"}}
	e := newTestEmail(t, cfg, nil, EmailOptions{Timeout: 200 * time.Millisecond})
	start := time.Now()
	err = e.Send(context.Background(), emailAlert("instant"))
	checkSendError(t, err, "", false, "greeting", "timeout")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to time out", d)
	}
}

func TestEmailCancelledContextStopsTheConversation(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			defer c.Close()
			_, _ = io.Copy(io.Discard, c)
		}
	}()
	cfg := config.Sink{Name: "x", Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port,
		From: "alerts@example.com", To: []string{"a@example.com"}}
	e := newTestEmail(t, cfg, nil, EmailOptions{Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	err = e.Send(ctx, emailAlert("instant"))
	checkSendError(t, err, "", false, "greeting")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error does not say the context was cancelled: %v", err)
	}
}

func checkSendError(t *testing.T, err error, password string, permanent bool, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	t.Logf("error: %v", err)
	if got := errors.Is(err, handlers.ErrPermanent); got != permanent {
		t.Errorf("permanent: %v, want %v: %v", got, permanent, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	if password != "" && strings.Contains(err.Error(), password) {
		t.Errorf("error holds the password: %v", err)
	}
	if password != "" && strings.Contains(err.Error(), base64.StdEncoding.EncodeToString([]byte(password))) {
		t.Errorf("error holds the password in base64: %v", err)
	}
}

func TestNewEmailValidates(t *testing.T) {
	valid := config.Sink{Name: "mail", Host: "smtp.example.com", Username: "u", Password: testPassword,
		From: "alerts@example.com", To: []string{"a@example.com"}}
	tests := []struct {
		name     string
		edit     func(*config.Sink)
		opts     EmailOptions
		want     string // in the error; "" for none
		wantAddr string
	}{
		{name: "starttls by default, on 587", wantAddr: "smtp.example.com:587"},
		{name: "implicit on 465", edit: func(s *config.Sink) { s.TLS = EmailImplicit }, wantAddr: "smtp.example.com:465"},
		{name: "a port of one's own", edit: func(s *config.Sink) { s.Port = 2525 }, wantAddr: "smtp.example.com:2525"},
		{name: "none to a local relay", edit: func(s *config.Sink) { s.TLS, s.Host = EmailNoTLS, "127.0.0.1" }, wantAddr: "127.0.0.1:25"},
		{name: "no host", edit: func(s *config.Sink) { s.Host = "" }, want: "host: missing"},
		{name: "host with port", edit: func(s *config.Sink) { s.Host = "smtp.example.com:587" }, want: "host:"},
		{name: "bad port", edit: func(s *config.Sink) { s.Port = 70000 }, want: "port:"},
		{name: "unknown tls", edit: func(s *config.Sink) { s.TLS = "ssl" }, want: `tls: unknown mode "ssl"`},
		{name: "no from", edit: func(s *config.Sink) { s.From = "" }, want: "from: missing"},
		{name: "bad from", edit: func(s *config.Sink) { s.From = "not an address" }, want: "from:"},
		{name: "no to", edit: func(s *config.Sink) { s.To = nil }, want: "to: at least one"},
		{name: "bad to", edit: func(s *config.Sink) { s.To = []string{"a@example.com", "b@"} }, want: "to[1]:"},
		{name: "password without username", edit: func(s *config.Sink) { s.Username = "" }, want: "username: missing"},
		{name: "username without password", edit: func(s *config.Sink) { s.Password = "" }, want: "password: missing"},
		{name: "AUTH in clear text", edit: func(s *config.Sink) { s.TLS = EmailNoTLS }, want: "username: tls: none"},
		{name: "bad unsubscribe", opts: EmailOptions{ListUnsubscribe: "http://example.com/u"}, want: "list_unsubscribe:"},
		{name: "mailto unsubscribe", opts: EmailOptions{ListUnsubscribe: "mailto:unsub@example.com"}, wantAddr: "smtp.example.com:587"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			cfg.To = append([]string(nil), valid.To...)
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			e, err := NewEmail(cfg, tt.opts)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if e.addr != tt.wantAddr {
					t.Errorf("address %s, want %s", e.addr, tt.wantAddr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"mail"`) {
				t.Fatalf("error %v, want one naming the sink and %q", err, tt.want)
			}
			if strings.Contains(err.Error(), cfg.Password) && cfg.Password != "" {
				t.Errorf("error holds the password: %v", err)
			}
			if _, ok := config.AsErrors(err); !ok {
				t.Errorf("error is not config.Errors: %T", err)
			}
		})
	}
}
