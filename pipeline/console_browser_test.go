package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"groupwatch/crawl"
	"groupwatch/internal/fakefacebook"
)

// EnvUpdateScreenshots, set to 1, makes TestConsoleInChromium write the overview and alert
// screenshots the README shows into docs/; EnvScreenshotDir keeps every screenshot in that
// folder instead of the test's temporary one.
const (
	EnvUpdateScreenshots = "GROUPWATCH_UPDATE_SCREENSHOTS"
	EnvScreenshotDir     = "GROUPWATCH_SCREENSHOT_DIR"
)

// browserConsole drives the console in headless Chromium and collects what the page
// reports as an error: console.error, uncaught exceptions, the browser log's errors (a CSP
// violation, a failed request).
type browserConsole struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string

	mu       sync.Mutex
	errors   []string
	expected []string // errors the test caused on purpose
}

func newBrowserConsole(t *testing.T, base string) *browserConsole {
	t.Helper()
	path, err := crawl.FindChromium("")
	fakefacebook.SkipWithoutChromium(t, err)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Flag("headless", "new"),
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "en-US"))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	b := &browserConsole{t: t, ctx: ctx, base: base, dir: t.TempDir()}
	if dir := os.Getenv(EnvScreenshotDir); dir != "" {
		b.dir = dir
	}
	messages := chromedp.Console(ctx) // starts the browser
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); <-done })
	return b
}

func (b *browserConsole) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		b.t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, page)
	}
}

func run[T any](b *browserConsole, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// open navigates to a page of the console and waits for its heading.
func (b *browserConsole) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("h1")))
}

// openUntil opens a page again and again until sel is on it.
func (b *browserConsole) openUntil(path, sel string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b.open(path)
		if nodes := run(b, "query "+sel, chromedp.Nodes(chromedp.CSSAll(sel), chromedp.AtLeast(0))); len(nodes) > 0 {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s never showed %s", path, sel)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (b *browserConsole) text(sel string) string {
	b.t.Helper()
	return run(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// screenshot saves the page under the test's temp dir and says where with -v.
func (b *browserConsole) screenshot(name string) string {
	b.t.Helper()
	png := run(b, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s: %s", name, path)
	if os.Getenv(EnvUpdateScreenshots) == "1" && (name == "overview" || name == "alert") {
		if err := os.WriteFile(filepath.Join("..", "docs", "console-"+name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	return path
}

func (b *browserConsole) noErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var unexpected []string
	for _, e := range b.errors {
		ok := false
		for _, x := range b.expected {
			ok = ok || strings.Contains(e, x)
		}
		if !ok {
			unexpected = append(unexpected, e)
		}
	}
	if len(unexpected) > 0 {
		b.t.Fatalf("the page reported errors:\n%s", strings.Join(unexpected, "\n"))
	}
}

// TestConsoleInChromium: an operator logs in, looks at every page over a pipeline's data
// and acts, in real headless Chromium, with no JavaScript error or CSP violation.
func TestConsoleInChromium(t *testing.T) {
	c := startConsoleRun(t)
	b := newBrowserConsole(t, c.base)

	// Every page needs the session: the overview sends to the login form.
	b.open("/")
	loc := run(b, "location", chromedp.Location())
	if !strings.Contains(loc, "/login") {
		t.Fatalf("without a session the overview is at %s", loc)
	}
	b.do("log in", chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), consoleToken), chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#overview")))

	// The pipeline's data is on the pages; the charts are drawn.
	b.openUntil("/alerts?status=dead&rule=acme", `table.alerts a[href^="/alerts/"]`)
	href := run(b, "first dead alert", chromedp.AttributeValue(chromedp.CSS(`table.alerts a[href^="/alerts/"]`), "href")).Value
	b.screenshot("alerts")
	b.openUntil("/", "svg.line-chart polyline")
	b.do("overview refreshes itself", chromedp.WaitReady(chromedp.CSS("#overview[data-refreshed]")))
	if s := b.text("#stages"); !strings.Contains(s, "normalize") {
		t.Fatalf("stages table: %s", s)
	}
	b.screenshot("overview")
	b.open("/sources")
	b.screenshot("sources")
	b.open("/rules")
	b.screenshot("rules")
	b.open("/rules/camera?test_days=7")
	b.do("daily chart", chromedp.WaitVisible(chromedp.CSS("svg.bar-chart")), chromedp.WaitVisible(chromedp.CSS("#rule-test-hits")))
	b.screenshot("rule")
	b.open(href)
	if s := b.text("#deliveries"); !strings.Contains(s, "dead") || !strings.Contains(s, "no_service") {
		t.Fatalf("deliveries of the dead alert: %s", s)
	}
	b.do("terms marked", chromedp.WaitVisible(chromedp.CSS("#post-text mark")))
	b.screenshot("alert")

	// Resend the dead delivery to the mended Slack: the page shows it sent.
	c.slack.mend()
	b.do("resend", chromedp.Click(chromedp.CSS("#resend")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	b.openUntil(href, "#deliveries td.status.good")
	if len(c.slack.sent()) == 0 {
		t.Fatal("Slack got nothing")
	}
	b.screenshot("alert-resent")

	// A request without the CSRF token is refused, even from the logged-in page.
	status := run(b, "post without CSRF", chromedp.Evaluate[int](fmt.Sprintf(`fetch(%q, {method: "POST"}).then(r => r.status)`, href+"/resend"),
		chromedp.EvalAwaitPromise))
	if status != 403 {
		t.Fatalf("POST without CSRF from the page: %d, want 403", status)
	}
	// And without the session cookie, even with the page's CSRF token: 401.
	status = run(b, "post without session", chromedp.Evaluate[int](fmt.Sprintf(
		`fetch(%q, {method: "POST", credentials: "omit", body: new URLSearchParams({csrf: document.querySelector('input[name="csrf"]').value})}).then(r => r.status)`,
		href+"/resend"), chromedp.EvalAwaitPromise))
	if status != 401 {
		t.Fatalf("POST without the session from the page: %d, want 401", status)
	}
	b.mu.Lock()
	b.expected = append(b.expected, "status of 403 (Forbidden) ("+b.base+href+"/resend", "status of 401 (Unauthorized) ("+b.base+href+"/resend")
	b.mu.Unlock()

	// A silence created in the page suppresses the next alert of its rule.
	b.open("/silences?rule=acme")
	b.do("create silence", chromedp.SetValue(chromedp.CSS(`#new-silence input[name="duration"]`), "2h"),
		chromedp.SetValue(chromedp.CSS(`#new-silence input[name="reason"]`), "maintenance 維護"),
		chromedp.Submit(chromedp.CSS(`#new-silence`)), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if s := b.text("#silences"); !strings.Contains(s, "acme") || !strings.Contains(s, "maintenance 維護") {
		t.Fatalf("silences: %s", s)
	}
	b.screenshot("silences")
	sent := len(c.slack.sent())
	c.ingest("browser-silenced", "acme refund under a silence")
	b.openUntil("/alerts?rule=acme&source=api", "table.alerts span.warn")
	time.Sleep(300 * time.Millisecond)
	if len(c.slack.sent()) != sent {
		t.Fatal("a silenced alert reached Slack")
	}

	// A poisoned post requeued in the page is processed.
	c.poisonAPost("browser-poison", "acme 退款 from the poison topic")
	b.openUntil("/poison", `input[name="id"]`)
	b.screenshot("poison")
	b.do("open the entry", chromedp.Click(chromedp.CSS(`a[href^="/poison/entry"]`)), chromedp.WaitVisible(chromedp.CSS("pre.payload")))
	if s := b.text("pre.payload"); !strings.Contains(s, "from the poison topic") {
		t.Fatalf("poison entry payload: %s", s)
	}
	b.screenshot("poison-entry")
	b.open("/poison")
	b.do("requeue", chromedp.Click(chromedp.CSS(`input[name="id"]`)), chromedp.Click(chromedp.CSS("button.requeue")),
		chromedp.WaitVisible(chromedp.CSS("#flash")))
	b.openUntil("/alerts?source=requeued", `table.alerts a[href^="/alerts/"]`)

	// The language switch: Traditional Chinese, kept across pages.
	b.open("/")
	b.do("switch to 繁體中文", chromedp.Click(chromedp.CSS(`a[href^="/lang/zh-Hant"]`)), chromedp.WaitVisible(chromedp.CSS("#overview")))
	if h := b.text("h1"); h != "總覽" {
		t.Fatalf("heading after the switch: %q", h)
	}
	b.screenshot("overview-zh-hant")

	b.noErrors()
}
