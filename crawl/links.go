package crawl

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"groupwatch/sources"
)

// VerdictRefused is a run's verdict when a page led somewhere a crawl of its source must not
// go (a next-page link or a redirect to another host, or to a local file): the link is not
// fetched, and the run's error says which link and why.
const VerdictRefused = "refused"

// ErrLinkRefused marks a URL that a source's crawl does not follow.
var ErrLinkRefused = errors.New("link refused")

// CheckLink says whether a URL found on one of source's pages (a next-page link, a cursor, a
// redirect's target) may be fetched for that source. The rule keeps a crawl where its
// source is, so a page cannot point the crawler at local files (file:///…/cookies.txt) or
// at hosts the source's cookies and pace were never meant for:
//   - an http or https source: the same host and port (ports 80 and 443 written or not),
//     and the same scheme, except that http may become https on that host;
//     Facebook's hosts (facebook.com and its subdomains, on their default ports) count as
//     one: its cookies are the whole domain's, and it sends m. to www. and links web.;
//   - a file:// source (a saved page): a file:// URL under the saved page's directory.
//
// The error names the link without its query (it may carry tokens) and wraps ErrLinkRefused.
func CheckLink(source, link string) error {
	src, err := url.Parse(source)
	if err != nil {
		return fmt.Errorf("%w: source URL does not parse", ErrLinkRefused)
	}
	u, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("%w: %q is not a URL", ErrLinkRefused, boundText(link, 200))
	}
	shown := redactURL(u)
	switch strings.ToLower(src.Scheme) {
	case "file":
		if strings.ToLower(u.Scheme) != "file" {
			return fmt.Errorf("%w: %s leaves the saved page's directory (a file:// source follows only file:// links)", ErrLinkRefused, shown)
		}
		dir := filepath.Dir(filePath(src))
		p := filepath.Clean(filePath(u))
		if rel, err := filepath.Rel(dir, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			return fmt.Errorf("%w: %s is not under %s, the saved page's directory", ErrLinkRefused, shown, dir)
		}
		return nil
	case "http", "https":
		scheme := strings.ToLower(u.Scheme)
		if scheme != "http" && scheme != "https" {
			return fmt.Errorf("%w: %s is not an http or https URL (the source is %s://%s)", ErrLinkRefused, shown, strings.ToLower(src.Scheme), src.Host)
		}
		if scheme == "http" && strings.ToLower(src.Scheme) == "https" {
			return fmt.Errorf("%w: %s drops https (the source is %s)", ErrLinkRefused, shown, redactURL(src))
		}
		if hostPort(src) != hostPort(u) && !(facebookHost(src) && facebookHost(u)) {
			return fmt.Errorf("%w: %s is on another host than the source (%s)", ErrLinkRefused, shown, src.Host)
		}
		return nil
	}
	return fmt.Errorf("%w: the source's scheme %q is not crawled", ErrLinkRefused, src.Scheme)
}

// hostPort is the URL's lower-cased host and port, a port that is its scheme's default
// written as "default": http://x and https://x:443 differ in scheme only.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" || (port == "80" && strings.EqualFold(u.Scheme, "http")) || (port == "443" && strings.EqualFold(u.Scheme, "https")) {
		port = "default"
	}
	return net.JoinHostPort(strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), port)
}

// facebookHost says the URL is on facebook.com or one of its subdomains, on its scheme's
// default port.
func facebookHost(u *url.URL) bool {
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	return (host == "facebook.com" || strings.HasSuffix(host, ".facebook.com")) && strings.HasSuffix(hostPort(u), ":default")
}

// filePath is the local path of a file:// URL, the way the fetcher reads it (file://dir/x
// is the relative path dir/x).
func filePath(u *url.URL) string {
	if u.Host != "" && u.Host != "localhost" {
		return u.Host + u.Path
	}
	return u.Path
}

// refuseLink ends a run on a link its source must not follow: the run's verdict says
// refused and its error names the link.
func refuseLink(res *Result, err error) {
	res.Verdict, res.Err = VerdictRefused, err.Error()
}

// dropForeignPermalinks empties the URL of each post whose permalink is not a web link (a
// file://, javascript: or data: URL, say): a permalink is stored and shown in alerts, never
// fetched, so one on another web host (a link aggregator's story) is kept, but nothing else
// is. It says how many it dropped, for the run's record.
func dropForeignPermalinks(source string, posts []sources.Post) int {
	dropped := 0
	for i := range posts {
		if posts[i].URL == "" {
			continue
		}
		u, err := url.Parse(posts[i].URL)
		if err == nil && (strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https")) && u.Host != "" {
			continue
		}
		if err == nil && CheckLink(source, posts[i].URL) == nil {
			continue // a saved page's own file
		}
		posts[i].URL = ""
		dropped++
	}
	return dropped
}

// sameHostRedirects is the HTTP client's redirect rule: a redirect is followed only where
// CheckLink would let a link of the first request's URL go (that URL passed CheckLink
// against the source before it was fetched), and never more than ten times.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return CheckLink(via[0].URL.String(), req.URL.String())
}

// fetchVerdict is the run's verdict when a fetch failed: refused when the fetch was a
// redirect the source must not follow.
func fetchVerdict(err error) string {
	if errors.Is(err, ErrLinkRefused) {
		return VerdictRefused
	}
	return "fetch_failed"
}

// nextLink is the URL a walk fetches next when that URL came from a page (a next-page link,
// or a stored cursor that is a URL), for CheckLink; empty when the walk's next request is
// the source's own URL or a GraphQL page, which goes to the host the first page came from.
func nextLink(resumeAt string, prev *sources.Page) string {
	if prev != nil {
		return prev.Next
	}
	if _, ok := graphQLCursor(resumeAt); ok {
		return ""
	}
	return resumeAt
}
