package sinks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testSMTP is a real SMTP server (emersion/go-smtp) on 127.0.0.1 for the length of a test.
type testSMTP struct {
	Host string
	Port int
	// Roots trusts the server's self-signed certificate.
	Roots *x509.CertPool

	opts testSMTPOptions

	mu        sync.Mutex
	mails     []receivedMail
	mailCmds  int
	authUsers []string
}

type testSMTPOptions struct {
	// STARTTLS offers STARTTLS with a self-signed certificate; Implicit speaks TLS from the
	// first byte. Neither: plain text only.
	STARTTLS, Implicit bool
	// Users may log in with AUTH PLAIN, by name and password; none: no AUTH offered.
	Users map[string]string
	// AuthReply, when set, answers every AUTH.
	AuthReply error
	// MailReply, RcptReply and DataReply, when set, answer every MAIL FROM, RCPT TO and
	// end of DATA.
	MailReply, RcptReply, DataReply error
}

// receivedMail is one message the server accepted.
type receivedMail struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	User string
}

func startTestSMTP(t *testing.T, o testSMTPOptions) *testSMTP {
	t.Helper()
	cert, roots := selfSignedCert(t)
	s := &testSMTP{Host: "127.0.0.1", Roots: roots, opts: o}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &testSession{srv: s, conn: c}, nil
	}))
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	if o.STARTTLS {
		srv.TLSConfig = tlsConfig
	}
	if !o.STARTTLS && !o.Implicit {
		srv.AllowInsecureAuth = true
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	if o.Implicit {
		l = tls.NewListener(l, tlsConfig)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return s
}

// Mails returns the messages accepted so far.
func (s *testSMTP) Mails() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.mails...)
}

// MailCommands counts the MAIL FROM commands the server saw.
func (s *testSMTP) MailCommands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mailCmds
}

type testSession struct {
	srv  *testSMTP
	conn *smtp.Conn
	user string
	mail receivedMail
}

func (ss *testSession) AuthMechanisms() []string {
	if ss.srv.opts.Users == nil && ss.srv.opts.AuthReply == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if ss.srv.opts.AuthReply != nil {
			return ss.srv.opts.AuthReply
		}
		if want, ok := ss.srv.opts.Users[username]; !ok || want != password {
			return smtp.ErrAuthFailed
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *testSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.srv.mu.Lock()
	ss.srv.mailCmds++
	ss.srv.mu.Unlock()
	if ss.srv.opts.MailReply != nil {
		return ss.srv.opts.MailReply
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.mail = receivedMail{From: from, TLS: isTLS, User: ss.user}
	return nil
}

func (ss *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.srv.opts.RcptReply != nil {
		return ss.srv.opts.RcptReply
	}
	ss.mail.To = append(ss.mail.To, to)
	return nil
}

func (ss *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.srv.opts.DataReply != nil {
		return ss.srv.opts.DataReply
	}
	ss.mail.Data = b
	ss.srv.mu.Lock()
	ss.srv.mails = append(ss.srv.mails, ss.mail)
	ss.srv.mu.Unlock()
	return nil
}

func (ss *testSession) Reset()        { ss.mail = receivedMail{} }
func (ss *testSession) Logout() error { return nil }

// selfSignedCert makes a certificate for 127.0.0.1 and localhost, and a pool that trusts it.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "groupwatch test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}
