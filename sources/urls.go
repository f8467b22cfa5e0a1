package sources

import (
	"net/url"
	"strings"
)

// absoluteURL resolves href against base. An href that is empty, a fragment, javascript:
// or unparseable gives "".
func absoluteURL(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !u.IsAbs() {
		return ""
	}
	return u.String()
}

// facebookTrackingParams are query parameters Facebook adds to links to follow clicks; they
// change from fetch to fetch and say nothing about what the link points to.
func isFacebookTrackingParam(name string) bool {
	switch name {
	case "_ft_", "__tn__", "refid", "ref", "refsrc", "_rdr", "fref", "hc_ref", "eid", "groupid",
		"__xts__[0]", "__cft__[0]", "privacy_mutation_token", "paipv", "acontext":
		return true
	}
	return false
}

// cleanFacebookURL resolves href against base and drops the tracking parameters, so that the
// same post or profile has the same URL in every fetch.
func cleanFacebookURL(base *url.URL, href string) string {
	abs := absoluteURL(base, href)
	if abs == "" {
		return ""
	}
	u, err := url.Parse(abs)
	if err != nil {
		return abs
	}
	if u.RawQuery != "" {
		// Rebuilt by hand rather than with url.Values.Encode, which would sort the
		// parameters and re-escape the ones it keeps.
		var kept []string
		for _, kv := range strings.Split(u.RawQuery, "&") {
			name, _, _ := strings.Cut(kv, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			if kv != "" && !isFacebookTrackingParam(name) {
				kept = append(kept, kv)
			}
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	u.ForceQuery = false
	return u.String()
}

// parseBase parses a base URL; anything but an absolute http(s) URL gives nil.
func parseBase(raw string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}
