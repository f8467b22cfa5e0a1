package pipeline

import (
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// httpLimits bound what one client can hold of the HTTP server: without them an idle
// keep-alive connection, or a body sent a byte at a time, stays open for good, and enough
// of them exhaust the process's file descriptors.
type httpLimits struct {
	// ReadHeader bounds reading a request's headers. 5 s.
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included: the ingest API's largest body
	// (10 MiB) at about 200 KB/s. 60 s.
	Read time.Duration
	// Write bounds writing a response, from the end of the request's headers. 60 s.
	Write time.Duration
	// Idle is how long a keep-alive connection may wait for its next request. 60 s.
	Idle time.Duration
	// MaxConns caps connections open at once; more wait in the listen queue. 256.
	MaxConns int
}

func defaultHTTPLimits() httpLimits {
	return httpLimits{ReadHeader: 5 * time.Second, Read: 60 * time.Second, Write: 60 * time.Second, Idle: 60 * time.Second, MaxConns: 256}
}

// limited returns a server for h with the limits, and the listener capped at MaxConns.
func (l httpLimits) limited(ln net.Listener, h http.Handler) (*http.Server, net.Listener) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeader,
		ReadTimeout:       l.Read,
		WriteTimeout:      l.Write,
		IdleTimeout:       l.Idle,
		MaxHeaderBytes:    64 << 10,
	}
	return srv, netutil.LimitListener(ln, l.MaxConns)
}
