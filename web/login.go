package web

import (
	"net/http"
	"net/url"
	"time"
)

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	req := request{Request: r, lang: pickLang(r)}
	c.render(w, req, http.StatusOK, "login", translate(req.lang, "Log in"), "", loginView{Next: nextOf(r)}, "")
}

type loginView struct{ Next string }

// loginPost takes the token from the form body (never from the URL) and sets the session
// cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's request carries
// it), Secure when the request came over TLS.
func (c *Console) loginPost(w http.ResponseWriter, r *http.Request) {
	req := request{Request: r, lang: pickLang(r)}
	if !sameSite(r) {
		http.Error(w, "cross-site request refused", http.StatusForbidden)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	next := r.PostForm.Get("next")
	if !localPath(next) {
		next = "/"
	}
	now := c.opts.Now()
	if !c.login.allow(clientAddr(r), now) {
		c.opts.Logger.Warn("console login refused: too many failed attempts", "remote", r.RemoteAddr)
		c.render(w, req, http.StatusTooManyRequests, "login", translate(req.lang, "Log in"), "", loginView{Next: next},
			translate(req.lang, "Too many attempts; wait a minute."))
		return
	}
	role := c.keys.login(r.PostForm.Get("token"))
	if role == "" {
		c.login.fail(clientAddr(r))
		c.opts.Logger.Warn("console login failed", "remote", r.RemoteAddr)
		c.render(w, req, http.StatusUnauthorized, "login", translate(req.lang, "Log in"), "", loginView{Next: next},
			translate(req.lang, "Wrong token."))
		return
	}
	s, value := c.keys.newSession(role, now, c.opts.SessionTTL)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", Expires: s.Expires, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	c.opts.Logger.Info("console login", "by", string(role)+" token", "session", s.ID, "remote", r.RemoteAddr)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r request) error {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	c.logAction(r, "logout")
	http.Redirect(w, r.Request, "/login", http.StatusSeeOther)
	return nil
}

// setLang remembers the language chosen with the switch and goes back to the page.
func (c *Console) setLang(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if !knownLang(code) {
		http.NotFound(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, nextOf(r), http.StatusSeeOther)
}

func nextOf(r *http.Request) string {
	next := r.URL.Query().Get("next")
	if !localPath(next) {
		return "/"
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
