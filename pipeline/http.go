package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)

// HTTPServer serves /healthz (the process is up), /readyz (Redis and MySQL answer and the
// router runs), /metrics (Prometheus), with a token configured the ingest API and, with an
// admin token, the console at / (package web).
type HTTPServer struct {
	mux    *http.ServeMux
	srv    *http.Server
	ln     net.Listener
	logger *slog.Logger
}

// NewHTTPServer listens on addr at once, so a busy port fails the start, not later. ingest,
// when not nil, serves POST /api/v1/posts; router may be nil (no stage runs here).
func NewHTTPServer(addr string, rdb redis.UniversalClient, db *sql.DB, router *Router, metrics *Metrics, ingest http.Handler, logger *slog.Logger) (*HTTPServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var problems []error
		if err := rdb.Ping(ctx).Err(); err != nil {
			problems = append(problems, fmt.Errorf("redis: %w", err))
		}
		if err := db.PingContext(ctx); err != nil {
			problems = append(problems, fmt.Errorf("mysql: %w", err))
		}
		if router != nil && !router.IsRunning() { // nil: `pipeline console`, which runs no stage
			problems = append(problems, errors.New("router: not running"))
		}
		if len(problems) > 0 {
			http.Error(w, errors.Join(problems...).Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}))
	if ingest != nil {
		mux.Handle("POST /api/v1/posts", ingest)
	}
	srv, ln := defaultHTTPLimits().limited(ln, mux)
	return &HTTPServer{mux: mux, srv: srv, ln: ln, logger: logger}, nil
}

// Console serves the console at / (every path the other handlers do not take). Call it
// before Serve.
func (s *HTTPServer) Console(h http.Handler) { s.mux.Handle("/", h) }

// Addr is the address the server listens on.
func (s *HTTPServer) Addr() string { return s.ln.Addr().String() }

// Serve runs until Shutdown.
func (s *HTTPServer) Serve() {
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.logger.Error("http server stopped", "error", err.Error())
	}
}

// Shutdown stops the server, letting requests in flight finish.
func (s *HTTPServer) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
