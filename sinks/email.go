package sinks

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
)

// TLS modes of an email sink (config.Sink.TLS).
const (
	EmailSTARTTLS = "starttls"
	EmailImplicit = "implicit"
	EmailNoTLS    = "none"
)

// EmailOptions tunes an email sink beyond its configuration.
type EmailOptions struct {
	// TLSConfig is used for STARTTLS and implicit TLS. Default: the system's roots, TLS 1.2
	// or newer. ServerName is set to the sink's host when empty (tests trust a self-signed
	// certificate through RootCAs).
	TLSConfig *tls.Config
	// Timeout bounds one whole delivery, from connecting to the server's answer to the
	// message; a context deadline that comes sooner wins. Default 30s.
	Timeout time.Duration
	// ListUnsubscribe is a mailto: or https: URL that digest mails carry in List-Unsubscribe
	// (an https URL also gets List-Unsubscribe-Post for one-click unsubscribing). Default
	// none. Other kinds of alert never carry it.
	ListUnsubscribe string
	// Location is the time zone the mail shows times in. Default time.Local.
	Location *time.Location
	// HELO is the name the sink greets the server with. Default the host name, or
	// "localhost" when it cannot be read.
	HELO string
	// Logger receives a debug line per mail sent. Default: nothing is logged.
	Logger *slog.Logger
	// Templates override, per rule, the text part (Text) and the HTML part (HTML).
	Templates map[string]RuleTemplates
}

// Email sends each alert as a mail over SMTP: plain text and HTML, with a chart of the
// rule's trend for threshold and digest alerts. It opens one connection per mail, so it is
// safe for concurrent use.
type Email struct {
	name     string
	host     string
	addr     string // host:port
	mode     string // EmailSTARTTLS, EmailImplicit or EmailNoTLS
	username string
	password string
	from     *mail.Address
	to       []*mail.Address
	opts     EmailOptions
}

// NewEmail returns an email sink for cfg, or an error that names every invalid field.
func NewEmail(cfg config.Sink, opts EmailOptions) (*Email, error) {
	var errs config.Errors
	add := func(field, format string, args ...any) {
		errs = append(errs, config.FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	s := &Email{name: cfg.Name, host: cfg.Host, mode: cfg.TLS, username: cfg.Username, password: cfg.Password}

	switch {
	case cfg.Host == "":
		add("host", "missing")
	case strings.ContainsAny(cfg.Host, " \t\r\n/:") && net.ParseIP(cfg.Host) == nil:
		add("host", "%q is not a host name or IP address (give the port in port)", cfg.Host)
	}
	if s.mode == "" {
		s.mode = EmailSTARTTLS
	}
	port := cfg.Port
	switch s.mode {
	case EmailSTARTTLS:
		port = cmp.Or(port, 587)
	case EmailImplicit:
		port = cmp.Or(port, 465)
	case EmailNoTLS:
		port = cmp.Or(port, 25)
	default:
		add("tls", "unknown mode %q (starttls, implicit or none)", cfg.TLS)
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		add("port", "%d is not a TCP port", cfg.Port)
	}
	s.addr = net.JoinHostPort(cfg.Host, fmt.Sprint(port))

	if cfg.From == "" {
		add("from", "missing")
	} else if a, err := mail.ParseAddress(cfg.From); err != nil {
		add("from", "%q is not a mail address: %v", cfg.From, err)
	} else {
		s.from = a
	}
	if len(cfg.To) == 0 {
		add("to", "at least one recipient is needed")
	}
	for i, to := range cfg.To {
		a, err := mail.ParseAddress(to)
		if err != nil {
			add(fmt.Sprintf("to[%d]", i), "%q is not a mail address: %v", to, err)
			continue
		}
		s.to = append(s.to, a)
	}

	switch {
	case cfg.Username == "" && cfg.Password != "":
		add("username", "missing, but a password is set")
	case cfg.Username != "" && cfg.Password == "":
		add("password", "missing, but a username is set")
	case cfg.Username != "" && s.mode == EmailNoTLS && !isLoopback(cfg.Host):
		add("username", "tls: none would send the password in clear text to %s; use starttls or implicit", cfg.Host)
	}

	if u := opts.ListUnsubscribe; u != "" {
		p, err := url.Parse(u)
		switch {
		case err != nil:
			add("list_unsubscribe", "not a URL: %v", err)
		case p.Scheme == "https" && p.Host != "":
		case p.Scheme == "mailto" && p.Opaque != "":
		default:
			add("list_unsubscribe", "%q is neither a mailto: nor an https: URL", u)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid email sink %q: %w", cfg.Name, errs)
	}

	s.opts = opts.withDefaults(cfg.Host)
	return s, nil
}

func (o EmailOptions) withDefaults(host string) EmailOptions {
	if o.TLSConfig == nil {
		o.TLSConfig = &tls.Config{}
	}
	o.TLSConfig = o.TLSConfig.Clone()
	if o.TLSConfig.ServerName == "" {
		o.TLSConfig.ServerName = host
	}
	if o.TLSConfig.MinVersion == 0 {
		o.TLSConfig.MinVersion = tls.VersionTLS12
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.HELO == "" {
		o.HELO = "localhost"
		if h, err := os.Hostname(); err == nil && h != "" {
			o.HELO = h
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Name is the sink's name in the configuration.
func (s *Email) Name() string { return s.name }

// Send mails the alert to every recipient in one message. A 5xx answer to AUTH, MAIL FROM,
// RCPT TO or DATA is permanent (handlers.ErrPermanent); a 4xx answer, a connection, TLS or
// time-out failure is transient.
func (s *Email) Send(ctx context.Context, a handlers.Alert) error {
	msg, err := s.alertMessage(a, time.Now())
	if err != nil {
		return handlers.Permanent(fmt.Errorf("cannot compose mail for alert %d: %w", a.AlertID, err))
	}
	answer, err := s.deliver(ctx, msg)
	if err != nil {
		return err
	}
	s.opts.Logger.DebugContext(ctx, "email sent", "sink", s.name, "alert_id", a.AlertID,
		"server", s.addr, "answer", answer)
	return nil
}

// SendTest mails a short test message and returns the server's answer to it, such as
// "250 2.0.0 Ok: queued as 4F2A1", for `pipeline sinks test`.
func (s *Email) SendTest(ctx context.Context) (string, error) {
	return s.deliver(ctx, s.testMessage(time.Now()))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
