package sinks

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"groupwatch/handlers"
)

// Steps of an SMTP conversation, as errors name them.
const (
	stepConnect  = "connect"
	stepTLS      = "TLS handshake"
	stepGreeting = "greeting"
	stepEHLO     = "EHLO"
	stepSTARTTLS = "STARTTLS"
	stepAUTH     = "AUTH"
	stepMAIL     = "MAIL FROM"
	stepRCPT     = "RCPT TO"
	stepDATA     = "DATA"
)

// permanentSteps are the steps where a 5xx reply refuses this mail, or these credentials,
// for good: the same mail with the same configuration gets the same answer next time. A 5xx
// to the greeting, EHLO or STARTTLS says more about the server's state than about the mail,
// so it is retried like a 4xx.
var permanentSteps = map[string]bool{stepAUTH: true, stepMAIL: true, stepRCPT: true, stepDATA: true}

var errNoSTARTTLS = errors.New("the server does not offer STARTTLS and tls is starttls: not sending in plain text")

// deliver runs one SMTP conversation (connect, TLS, EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO
// for each recipient, DATA) and returns the server's answer to the message. Every step
// shares one deadline; cancelling ctx ends the step in progress.
func (s *Email) deliver(ctx context.Context, msg *gomail.Msg) (string, error) {
	deadline := time.Now().Add(s.opts.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := net.Dialer{Deadline: deadline}
	raw, err := dialer.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return "", s.fail(ctx, stepConnect, "", err)
	}
	defer raw.Close()
	if err := raw.SetDeadline(deadline); err != nil {
		return "", s.fail(ctx, stepConnect, "", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	conn := raw
	if s.mode == EmailImplicit {
		tc := tls.Client(raw, s.opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return "", s.fail(ctx, stepTLS, "", err)
		}
		conn = tc
	}
	client, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return "", s.fail(ctx, stepGreeting, "", err)
	}
	defer func() { _ = client.Quit() }() // polite, and harmless when the connection is gone

	if err := client.Hello(s.opts.HELO); err != nil {
		return "", s.fail(ctx, stepEHLO, "", err)
	}
	if s.mode == EmailSTARTTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return "", s.fail(ctx, stepSTARTTLS, "", errNoSTARTTLS)
		}
		if err := client.StartTLS(s.opts.TLSConfig); err != nil {
			return "", s.fail(ctx, stepSTARTTLS, "", err)
		}
	}
	if s.username != "" {
		auth, err := s.auth(client)
		if err != nil {
			return "", s.fail(ctx, stepAUTH, "", err)
		}
		if err := client.Auth(auth); err != nil {
			return "", s.fail(ctx, stepAUTH, "as "+s.username, err)
		}
	}

	if err := client.Mail("<" + s.from.Address + ">"); err != nil {
		return "", s.fail(ctx, stepMAIL, "<"+s.from.Address+">", err)
	}
	// One refused recipient stops the whole mail: sending to the others now and to all of
	// them again on the retry would repeat the mail for them.
	for _, to := range s.to {
		if err := client.Rcpt("<" + to.Address + ">"); err != nil {
			return "", s.fail(ctx, stepRCPT, "<"+to.Address+">", err)
		}
	}
	w, err := client.Data()
	if err != nil {
		return "", s.fail(ctx, stepDATA, "", err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return "", s.fail(ctx, stepDATA, "sending the message", err)
	}
	if err := w.Close(); err != nil {
		return "", s.fail(ctx, stepDATA, "end of message", err)
	}
	answer := "250"
	if dc, ok := w.(*smtp.DataCloser); ok {
		answer += " " + dc.ServerResponse()
	}
	return answer, nil
}

// auth picks PLAIN, else LOGIN, from the mechanisms the server offers. Both send the
// password as it is, so the smtp package refuses them on a connection without TLS (except
// to localhost).
func (s *Email) auth(client *smtp.Client) (smtp.Auth, error) {
	ok, offered := client.Extension("AUTH")
	if !ok {
		return nil, errors.New("the server offers no AUTH, but a username is set")
	}
	mechs := strings.Fields(strings.ToUpper(offered))
	switch {
	case slices.Contains(mechs, "PLAIN"):
		return smtp.PlainAuth("", s.username, s.password, s.host, false), nil
	case slices.Contains(mechs, "LOGIN"):
		return smtp.LoginAuth(s.username, s.password, s.host, false), nil
	}
	return nil, fmt.Errorf("the server offers AUTH %s, and the sink speaks only PLAIN and LOGIN", offered)
}

// fail describes a failed step, naming the server, and tells permanent from transient: a
// 5xx reply at one of the permanentSteps is permanent, everything else (4xx replies,
// connection, TLS and time-out failures) transient. The password never appears in it.
func (s *Email) fail(ctx context.Context, step, detail string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%w)", err, cerr)
	}
	where := step
	if detail != "" {
		where += " " + detail
	}
	out := s.redact(fmt.Errorf("cannot send mail via %s: %s: %w", s.addr, where, err))
	var reply *textproto.Error
	if errors.As(err, &reply) && reply.Code >= 500 && reply.Code < 600 && permanentSteps[step] {
		return handlers.Permanent(out)
	}
	return out
}

// redact removes the password, plainly or as the base64 an AUTH exchange carries, from an
// error a server's reply may have echoed it into. The result no longer wraps the original,
// which still holds it.
func (s *Email) redact(err error) error {
	if s.password == "" {
		return err
	}
	b64 := base64.StdEncoding.EncodeToString
	msg := err.Error()
	for _, secret := range []string{
		b64([]byte("\x00" + s.username + "\x00" + s.password)), // AUTH PLAIN
		b64([]byte(s.password)),                                // AUTH LOGIN
		s.password,
	} {
		msg = strings.ReplaceAll(msg, secret, "[redacted]")
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}
