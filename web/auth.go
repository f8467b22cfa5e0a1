package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Role is what a session may do.
type Role string

// Roles: the admin token acts; the read token only looks.
const (
	RoleAdmin Role = "admin"
	RoleRead  Role = "read"
)

// session is a signed cookie, not a row anywhere: "v1|role|expiry|id" and an HMAC of it
// under a key derived from the token that logged in. Nothing is stored, so a restart keeps
// every session, and changing a token ends every session it made.
type session struct {
	Role    Role
	Expires time.Time
	// ID names the session in logs and binds its CSRF token; it is random, not secret.
	ID string
}

// keys signs sessions and CSRF tokens; one key per token.
type keys struct {
	admin, read []byte
	// adminToken, readToken are compared at login in constant time.
	adminToken, readToken []byte
}

func newKeys(admin, read string) keys {
	k := keys{admin: derive(admin), adminToken: []byte(admin)}
	if read != "" {
		k.read, k.readToken = derive(read), []byte(read)
	}
	return k
}

// derive makes a signing key from a token, so the token itself signs nothing a client sees.
func derive(token string) []byte {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("groupwatch console session key v1"))
	return m.Sum(nil)
}

// login returns the role a presented token has, or "" for none. Both tokens are compared
// whatever the first gives, so the time taken does not tell which one was close.
func (k keys) login(presented string) Role {
	p := []byte(presented)
	admin := subtle.ConstantTimeCompare(p, k.adminToken) == 1
	read := k.readToken != nil && subtle.ConstantTimeCompare(p, k.readToken) == 1
	switch {
	case admin:
		return RoleAdmin
	case read:
		return RoleRead
	}
	return ""
}

func (k keys) key(r Role) []byte {
	if r == RoleAdmin {
		return k.admin
	}
	return k.read
}

// newSession starts a session of role for ttl.
func (k keys) newSession(r Role, now time.Time, ttl time.Duration) (session, string) {
	var id [12]byte
	_, _ = rand.Read(id[:]) // crypto/rand never fails on supported systems
	s := session{Role: r, Expires: now.Add(ttl).UTC().Truncate(time.Second), ID: hex.EncodeToString(id[:])}
	payload := "v1|" + string(r) + "|" + strconv.FormatInt(s.Expires.Unix(), 10) + "|" + s.ID
	return s, base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + sign(k.key(r), payload)
}

// parse checks a cookie's value: signed by the key of the role it names, not expired.
func (k keys) parse(value string, now time.Time) (session, bool) {
	enc, sig, ok := strings.Cut(value, ".")
	if !ok || len(value) > 256 {
		return session{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return session{}, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 4 || parts[0] != "v1" {
		return session{}, false
	}
	r := Role(parts[1])
	if (r != RoleAdmin && r != RoleRead) || k.key(r) == nil {
		return session{}, false
	}
	if !hmac.Equal([]byte(sig), []byte(sign(k.key(r), string(raw)))) {
		return session{}, false
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || !now.Before(time.Unix(exp, 0)) {
		return session{}, false
	}
	return session{Role: r, Expires: time.Unix(exp, 0).UTC(), ID: parts[3]}, true
}

// csrf is the session's CSRF token: a form posted from another site cannot know it.
func (k keys) csrf(s session) string { return sign(k.key(s.Role), "csrf|"+s.ID) }

func (k keys) checkCSRF(s session, token string) bool {
	return token != "" && hmac.Equal([]byte(token), []byte(k.csrf(s)))
}

func sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
