package pipeline

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveLimited starts a real server with the limits over a handler that reads the body.
func serveLimited(t *testing.T, l httpLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, limited := l.limited(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	go srv.Serve(limited)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedWithin says whether the server closes conn within d (a read ends in EOF or a reset).
func closedWithin(conn net.Conn, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

func TestHTTPServerClosesIdleAndSlowConnections(t *testing.T) {
	l := httpLimits{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond, Write: time.Second, Idle: 300 * time.Millisecond, MaxConns: 2}
	addr := serveLimited(t, l)

	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("first request: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		if !closedWithin(conn, 3*time.Second) {
			t.Fatal("an idle keep-alive connection stays open")
		}
	})

	t.Run("slow body", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
		start := time.Now()
		closed := make(chan bool)
		go func() { closed <- closedWithin(conn, 5*time.Second) }()
		for i := 0; i < 40; i++ { // a byte every 100 ms: 4 s for 40 bytes
			if _, err := conn.Write([]byte("x")); err != nil {
				break
			}
			select {
			case c := <-closed:
				if !c {
					t.Fatal("a slow body is held")
				}
				if took := time.Since(start); took > 2*time.Second {
					t.Fatalf("closed only after %v", took)
				}
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		t.Fatal("a slow body is held for 4 s")
	})

	t.Run("connection cap", func(t *testing.T) {
		var held []net.Conn
		for i := 0; i < 2; i++ {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			held = append(held, c)
		}
		time.Sleep(50 * time.Millisecond) // both accepted
		client := &http.Client{Timeout: 150 * time.Millisecond}
		if _, err := client.Get("http://" + addr + "/"); err == nil {
			t.Fatal("a third connection was served while two are open (cap 2)")
		}
		// Silent connections are dropped after ReadHeader; then others are served.
		for _, c := range held {
			if !closedWithin(c, 3*time.Second) {
				t.Fatal("a connection that sends nothing stays open")
			}
		}
		client.Timeout = 2 * time.Second
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("after the silent connections closed: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.TrimSpace(string(b)) != "ok" {
			t.Fatalf("answer %q", b)
		}
	})
}

func TestDefaultHTTPLimitsAreSet(t *testing.T) {
	l := defaultHTTPLimits()
	srv, _ := l.limited(nilListener{}, http.NotFoundHandler())
	if srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 || srv.ReadHeaderTimeout == 0 || l.MaxConns == 0 {
		t.Fatalf("a limit is off: %+v", l)
	}
}

type nilListener struct{ net.Listener }
