package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvChromiumPath points at the Chromium binary when crawl.browser_path does not.
const EnvChromiumPath = "CHROMIUM_PATH"

// ErrNoChromium says no Chromium was found for a source that fetches with the browser.
var ErrNoChromium = errors.New("cannot find Chromium: install the Debian package chromium (apt-get install chromium), or set crawl.browser_path or " + EnvChromiumPath)

// FindChromium returns the Chromium to run: configured (crawl.browser_path), else
// $CHROMIUM_PATH, else the first of chromium, chromium-browser, google-chrome on PATH.
func FindChromium(configured string) (string, error) {
	for _, p := range []struct{ path, from string }{{configured, "crawl.browser_path"}, {os.Getenv(EnvChromiumPath), EnvChromiumPath}} {
		if p.path == "" {
			continue
		}
		if _, err := exec.LookPath(p.path); err != nil {
			return "", fmt.Errorf("%s %s: %w (%v)", p.from, p.path, ErrNoChromium, err)
		}
		return p.path, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// startTimeout bounds starting Chromium and opening a tab: a browser that does not answer
// by then is taken for hung, and the next crawl starts another.
const startTimeout = time.Minute

// Browser runs headless Chromium for the browser fetcher. It starts lazily, at the first
// crawl that needs it, and is reused by every later crawl: one Chromium for each cookie
// account (usually one), each with a profile directory of its own, so that accounts never
// share cookies or storage. Close kills them all. Cookies go in through the DevTools
// protocol, never on the command line.
type Browser struct {
	// Path is Chromium's binary; "" finds it (FindChromium).
	Path string
	// ProfileDir holds a profile directory per account. Default: the user's cache
	// directory, groupwatch/chromium.
	ProfileDir string
	// UserAgent, if set, replaces Chromium's own.
	UserAgent string
	Logger    *slog.Logger

	mu      sync.Mutex
	closed  bool
	running map[string]*chromium
}

// chromium is one running browser process and its root context.
type chromium struct {
	ctx          context.Context
	cancelAlloc  context.CancelFunc
	cancelBrowse context.CancelFunc
}

// Tab opens a new tab in the account's browser, starting the browser if it is not running.
// Cancelling the returned function closes the tab.
func (b *Browser) Tab(account string) (context.Context, context.CancelFunc, error) {
	c, err := b.browser(account)
	if err != nil {
		return nil, nil, err
	}
	tab, cancel := chromedp.NewContext(c.ctx)
	watchdog := time.AfterFunc(startTimeout, cancel)
	err = chromedp.Do(tab)
	if !watchdog.Stop() && err == nil {
		err = fmt.Errorf("no answer within %s", startTimeout)
	}
	if err != nil {
		cancel()
		b.forget(account, c)
		return nil, nil, fmt.Errorf("cannot open a tab in Chromium: %w", err)
	}
	return tab, cancel, nil
}

func (b *Browser) browser(account string) (*chromium, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("cannot start Chromium: shutting down")
	}
	if c := b.running[account]; c != nil {
		return c, nil
	}
	path := b.Path
	if path == "" {
		var err error
		if path, err = FindChromium(""); err != nil {
			return nil, err
		}
	}
	profile, err := b.profile(account)
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1280, 2000),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with it
	}
	if b.UserAgent != "" {
		opts = append(opts, chromedp.UserAgent(b.UserAgent))
	}
	// The browser outlives every crawl: its contexts come from Background, and Close ends it.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// chromedp's messages may quote protocol traffic (cookies, tokens): only their fixed
	// text is logged, never their arguments.
	quiet := func(level slog.Level) func(string, ...any) {
		return func(format string, _ ...any) {
			b.logger().Log(context.Background(), level, "chromium protocol", "message", format, "account", account)
		}
	}
	ctx, cancelBrowse := chromedp.NewContext(allocCtx, chromedp.WithLogf(quiet(slog.LevelDebug)), chromedp.WithErrorf(quiet(slog.LevelWarn)))
	// The start cannot take a deadline (it would bind the browser's life): a watchdog
	// ends a start that hangs.
	watchdog := time.AfterFunc(startTimeout, cancelBrowse)
	err = chromedp.Do(ctx)
	if !watchdog.Stop() && err == nil {
		err = fmt.Errorf("no answer within %s", startTimeout)
	}
	if err != nil {
		cancelBrowse()
		cancelAlloc()
		return nil, fmt.Errorf("cannot start Chromium %s: %w", path, err)
	}
	c := &chromium{ctx: ctx, cancelAlloc: cancelAlloc, cancelBrowse: cancelBrowse}
	if b.running == nil {
		b.running = map[string]*chromium{}
	}
	b.running[account] = c
	b.logger().Info("chromium started", "account", account, "profile", profile)
	return c, nil
}

// forget drops a browser that failed (it crashed, say), so the next crawl starts another.
func (b *Browser) forget(account string, c *chromium) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running[account] == c {
		delete(b.running, account)
		c.cancelBrowse()
		c.cancelAlloc()
	}
}

// profileName keeps an account name to characters safe in a directory name.
var profileName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (b *Browser) profile(account string) (string, error) {
	dir := b.ProfileDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("cannot choose a browser profile directory (set crawl.browser_profiles): %w", err)
		}
		dir = filepath.Join(cache, "groupwatch", "chromium")
	}
	p := filepath.Join(dir, profileName.ReplaceAllString(account, "_"))
	if err := os.MkdirAll(p, 0o700); err != nil {
		return "", fmt.Errorf("cannot create browser profile: %w", err)
	}
	return p, nil
}

// Running says how many browsers run, for tests and status.
func (b *Browser) Running() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.running)
}

// Close kills every browser and waits for them to exit; no later Tab starts one.
func (b *Browser) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for account, c := range b.running {
		c.cancelBrowse()
		c.cancelAlloc() // waits for the process to exit
		delete(b.running, account)
		b.logger().Info("chromium stopped", "account", account)
	}
	return nil
}

func (b *Browser) logger() *slog.Logger {
	if b.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Logger
}
