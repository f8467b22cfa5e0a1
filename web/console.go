package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the console.
type Options struct {
	// AdminToken logs in with every right; required. ReadToken, when set, logs in to look only.
	AdminToken, ReadToken string
	// Data is what the pages show and the actions change; required.
	Data Data
	// Logger records every action with the token role and session that made it.
	Logger *slog.Logger
	// SessionTTL is how long a login lasts. Default 12h.
	SessionTTL time.Duration
	// MaxBodyBytes bounds a form's body. Default 64 KiB.
	MaxBodyBytes int64
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Console is the console's HTTP handler.
type Console struct {
	opts  Options
	keys  keys
	pages map[string]*template.Template // by language
	mux   *http.ServeMux
	login *throttle
}

// New checks the options and parses the pages.
func New(opts Options) (*Console, error) {
	if len(opts.AdminToken) < 16 {
		return nil, errors.New("console needs an admin token of at least 16 characters")
	}
	if opts.Data == nil {
		return nil, errors.New("console needs its data")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 10
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Console{opts: opts, keys: newKeys(opts.AdminToken, opts.ReadToken), pages: map[string]*template.Template{},
		login: &throttle{limit: 10, per: time.Minute}}
	for _, l := range languages {
		t, err := template.New("").Funcs(funcs(l.Code)).ParseFS(templateFS, "templates/*.html")
		if err != nil {
			return nil, fmt.Errorf("cannot parse console templates: %w", err)
		}
		c.pages[l.Code] = t
	}
	c.routes()
	return c, nil
}

func (c *Console) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /login", c.loginPage)
	m.HandleFunc("POST /login", c.loginPost)
	m.HandleFunc("GET /lang/{code}", c.setLang)
	m.Handle("POST /logout", c.action(false, c.logout))

	m.Handle("GET /{$}", c.page(c.overviewPage))
	m.Handle("GET /overview/live", c.page(c.overviewLive))
	m.Handle("GET /sources", c.page(c.sourcesPage))
	m.Handle("POST /sources/crawl", c.action(true, c.crawlNow))
	m.Handle("GET /rules", c.page(c.rulesPage))
	m.Handle("GET /rules/{name}", c.page(c.rulePage))
	m.Handle("GET /alerts", c.page(c.alertsPage))
	m.Handle("GET /alerts/{id}", c.page(c.alertPage))
	m.Handle("POST /alerts/{id}/resend", c.action(true, c.resend))
	m.Handle("GET /poison", c.page(c.poisonPage))
	m.Handle("GET /poison/entry", c.page(c.poisonEntryPage))
	m.Handle("POST /poison/requeue", c.action(true, c.requeue))
	m.Handle("POST /poison/drop", c.action(true, c.drop))
	m.Handle("GET /silences", c.page(c.silencesPage))
	m.Handle("POST /silences", c.action(true, c.addSilence))
	m.Handle("POST /silences/clear", c.action(true, c.clearSilences))
	c.mux = m
}

// ServeHTTP sets the security headers on every answer and serves the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No inline script or style, nothing from elsewhere, never in a frame.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// Same-origin: no page address leaves for another site, and the console's own POSTs
	// keep their Origin (with no-referrer, Chromium sends "Origin: null").
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "no-store")
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, c.opts.MaxBodyBytes)
	}
	c.mux.ServeHTTP(w, r)
}

const sessionCookie = "gw_session"

// view is what every page's template gets.
type view struct {
	Title, Nav, Lang, Path string
	Role                   Role
	CSRF                   string
	Flash, Error           string
	Languages              any
	Data                   any
}

// request is one authenticated request.
type request struct {
	*http.Request
	s    session
	lang string
}

// page serves a GET to a logged-in session; anyone else is sent to the login form.
func (c *Console) page(render func(w http.ResponseWriter, r request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.session(r)
		if !ok {
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		req := request{Request: r, s: s, lang: pickLang(r)}
		if err := render(w, req); err != nil {
			c.fail(w, req, err)
		}
	})
}

// action serves a POST: a session (of the admin token when admin is set), a request from
// this site, and the session's CSRF token in the form; anything else is refused before the
// action runs.
func (c *Console) action(admin bool, do func(w http.ResponseWriter, r request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.session(r)
		if !ok {
			http.Error(w, "not logged in", http.StatusUnauthorized)
			return
		}
		if !sameSite(r) {
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if !c.keys.checkCSRF(s, r.PostForm.Get("csrf")) {
			c.opts.Logger.Warn("console request refused: no or wrong CSRF token", "path", r.URL.Path, "session", s.ID, "role", string(s.Role))
			http.Error(w, "missing or wrong CSRF token", http.StatusForbidden)
			return
		}
		req := request{Request: r, s: s, lang: pickLang(r)}
		if admin && s.Role != RoleAdmin {
			c.render(w, req, http.StatusForbidden, "error", translate(req.lang, "Error"), "", nil, translate(req.lang, "This needs the admin token."))
			return
		}
		if err := do(w, req); err != nil {
			c.fail(w, req, err)
		}
	})
}

func (c *Console) session(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	return c.keys.parse(ck.Value, c.opts.Now())
}

// sameSite refuses a POST another site made: browsers say so in Sec-Fetch-Site or Origin.
// (SameSite=Strict already keeps the cookie off such requests; this is the second lock.)
func sameSite(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		o := strings.TrimPrefix(strings.TrimPrefix(origin, "http://"), "https://")
		return o == r.Host
	}
	return true
}

// logAction records who did what: the role of the token that logged in and its session.
func (c *Console) logAction(r request, action string, args ...any) {
	c.opts.Logger.Info("console action", append([]any{"action", action, "by", string(r.s.Role) + " token", "session", r.s.ID,
		"remote", r.RemoteAddr}, args...)...)
}

// fail answers an error: 404 for a thing that is not there, 400 with the message for an
// input refused, 500 otherwise with a generic text (the log has the error; a page never
// shows a backend's error, which may name a host or a DSN).
func (c *Console) fail(w http.ResponseWriter, r request, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		c.render(w, r, http.StatusNotFound, "error", translate(r.lang, "Error"), "", nil, translate(r.lang, "Not found."))
	case errors.Is(err, ErrInvalid):
		c.render(w, r, http.StatusBadRequest, "error", translate(r.lang, "Error"), "", nil, err.Error())
	default:
		c.opts.Logger.Error("console page failed", "path", r.URL.Path, "error", err.Error())
		c.render(w, r, http.StatusInternalServerError, "error", translate(r.lang, "Error"), "", nil,
			translate(r.lang, "Something went wrong; the log says what."))
	}
}

func (c *Console) render(w http.ResponseWriter, r request, status int, name, title, nav string, data any, errText string) {
	v := view{Title: title, Nav: nav, Lang: r.lang, Path: r.URL.Path, Role: r.s.Role, CSRF: c.keys.csrf(r.s),
		Flash: flashText(r.Request, r.lang), Error: errText, Languages: languages, Data: data}
	if r.s.ID == "" {
		v.CSRF = ""
	}
	var buf strings.Builder
	if err := c.pages[r.lang].ExecuteTemplate(&buf, name, v); err != nil {
		c.opts.Logger.Error("cannot render console page", "page", name, "error", err.Error())
		http.Error(w, "cannot render the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// Flashes: what a finished action says on the page it returns to. The URL carries only the
// key and one short argument, so a crafted link cannot put text of its own on the console.
const (
	flashCrawl   = "crawl"
	flashResend  = "resend"
	flashRequeue = "requeue"
	flashDrop    = "drop"
	flashSilence = "silence"
	flashClear   = "clear"
)

var flashes = map[string]string{
	flashCrawl:   "Crawl queued: %s",
	flashResend:  "Deliveries due again: %s",
	flashRequeue: "Entries requeued: %s",
	flashDrop:    "Entries dropped: %s",
	flashSilence: "Silenced: %s",
	flashClear:   "Silences ended: %s",
}

// flashArg is what a flash's argument may hold: a count, a rule or source name, a job id.
var flashArg = regexp.MustCompile(`^[\p{L}\p{N}@:._\- ]{1,120}$`)

// flashText is the flash a request asks for, in lang; "" for none or a forged one.
func flashText(r *http.Request, lang string) string {
	q := r.URL.Query()
	format, ok := flashes[q.Get("done")]
	arg := q.Get("arg")
	if !ok || !flashArg.MatchString(arg) {
		return ""
	}
	return fmt.Sprintf(translate(lang, format), arg)
}

// redirect answers a finished action: back to a page of this console, with what was done.
func redirect(w http.ResponseWriter, r request, to, flash, arg string) {
	if !localPath(to) {
		to = "/"
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r.Request, to+sep+"done="+flash+"&arg="+urlQueryEscape(arg), http.StatusSeeOther)
}

// localPath accepts only a path on this site: "/x", never "//host" or "/\host".
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\") && !strings.ContainsAny(p, "\r\n")
}

// throttle bounds failed logins per client address (a token cannot be guessed online, and
// one client's failures do not lock the others out); the counts start afresh every period,
// so the map holds at most the addresses seen in one.
type throttle struct {
	mu     sync.Mutex
	limit  int
	per    time.Duration
	window time.Time
	failed map[string]int
}

func (t *throttle) allow(addr string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.window) >= t.per {
		t.window, t.failed = now, map[string]int{}
	}
	return t.failed[addr] < t.limit
}

func (t *throttle) fail(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failed == nil {
		t.failed = map[string]int{}
	}
	t.failed[addr]++
}

// clientAddr is the request's remote host (behind a proxy, the proxy's).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
