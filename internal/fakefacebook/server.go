// Package fakefacebook is a www.facebook.com for tests, on 127.0.0.1: a group page in the
// Comet shape (stories as Relay JSON in data-sjs scripts, the feed's pagination query and
// the form tokens declared as the real page declares them) whose inline script fetches the
// next pages from POST /api/graphql/ as NDJSON when the reader scrolls; a cookie check that
// redirects to /login; a block page, a checkpoint, a gone group, and a group whose next
// pages are too slow to come. It checks every GraphQL POST's form (doc_id, cursor, fb_dtsg)
// and remembers what it was asked, so the fetchers are tested against what Facebook wants.
package fakefacebook

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fixed values of the fake: the group ids it serves and what a client must send.
const (
	// GroupID is the group whose feed has pages.
	GroupID = "8100000000000001"
	// BlockedGroup answers Facebook's "You're Temporarily Blocked" page.
	BlockedGroup = "8100000000000002"
	// SlowGroup's next pages take longer than any test's time limit.
	SlowGroup = "8100000000000003"
	// CheckpointGroup redirects to /checkpoint/block/.
	CheckpointGroup = "8100000000000004"
	// GoneGroup answers "This content isn't available".
	GoneGroup = "8100000000000005"
	// UserID and XS are the cookies the fake wants (c_user and xs).
	UserID = "100000000000042"
	XS     = "XS-SECRET-fake"
	// DTSG and LSD are the form tokens the page declares and a POST must send back.
	DTSG = "DTSG-SECRET-fake"
	LSD  = "LSD-SECRET-fake"
	// DocID is the pagination query's doc_id the page declares.
	DocID = "7392323987463765"
	// PageSize is how many feed stories a page holds.
	PageSize = 3
	// notificationsQuery is a query the page sends that is not its feed's.
	notificationsQuery = "CometNotificationsDropdownQuery"
)

// Story is one post of the fake group's feed.
type Story struct {
	ID, Author, Text string
	Created          time.Time
	Pinned           bool
}

// Server is the fake. Its fields may be changed between requests.
type Server struct {
	// URL is the server's base, http://127.0.0.1:PORT.
	URL string

	mu      sync.Mutex
	stories []Story // the feed, newest first; the pinned story apart
	pinned  Story
	blocked bool
	// SlowDelay is how long the slow group's GraphQL answers take. Default 1 minute.
	slowDelay time.Duration
	log       []Request
	// failures is how many group page loads still answer 503.
	failures int
	srv      *http.Server
	ln       net.Listener
}

// Request is what the fake was asked, for tests to check.
type Request struct {
	Method, Path string
	// Query is a GraphQL POST's fb_api_req_friendly_name.
	Query string
	// Cursor is a GraphQL POST's cursor variable.
	Cursor string
	// Problem says what was wrong with a GraphQL POST's form ("" when it was right).
	Problem string
}

// Start serves the fake on 127.0.0.1 until Close. Its feed holds eight stories and a
// pinned post: three pages of three, three and two.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot listen for the fake Facebook: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln, slowDelay: time.Minute}
	base := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	s.pinned = Story{ID: "9300000000000001", Author: "Mei Chan", Text: "Welcome to Harbour Makers! Rules: be kind.", Created: base.AddDate(-6, 0, 0), Pinned: true}
	texts := []string{
		"Anyone selling a used 3D printer? 二手 3D 打印機",
		"Soldering workshop next Tuesday, 7pm. 焊接工作坊，歡迎新手。",
		"Free laser cutter time this weekend",
		"Lost: a blue multimeter near bench 4",
		"Looking for an iPhone 15 repair kit",
		"Photos from the open day",
		"徵求二手示波器",
		"Welcome to our new members",
	}
	for i, t := range texts {
		s.stories = append(s.stories, Story{
			ID: strconv.Itoa(9100000000000001 + len(texts) - 1 - i), Author: []string{"Jo Smith", "Wing Ho", "李小明"}[i%3],
			Text: t, Created: base.Add(-time.Duration(i+1) * time.Hour),
		})
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// GroupURL is the www URL of a group.
func (s *Server) GroupURL(id string) string { return s.URL + "/groups/" + id + "/" }

// Stories returns the feed, newest first, and the pinned post last.
func (s *Server) Stories() []Story {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(append([]Story(nil), s.stories...), s.pinned)
}

// AddStory puts a new story at the top of the feed.
func (s *Server) AddStory(st Story) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stories = append([]Story{st}, s.stories...)
}

// SetBlocked makes every page the block page (true) or not.
func (s *Server) SetBlocked(b bool) {
	s.mu.Lock()
	s.blocked = b
	s.mu.Unlock()
}

// SetSlowDelay sets how long the slow group's GraphQL answers take.
func (s *Server) SetSlowDelay(d time.Duration) {
	s.mu.Lock()
	s.slowDelay = d
	s.mu.Unlock()
}

// FailNext makes the next n group page loads answer 503 Service Unavailable.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failures = n
	s.mu.Unlock()
}

// Requests returns what the fake was asked, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Cursors returns the cursors of the feed's GraphQL POSTs, in order, and the first problem
// any of their forms had.
func (s *Server) Cursors() ([]string, string) {
	var cursors []string
	problem := ""
	for _, r := range s.Requests() {
		if r.Method == http.MethodPost && r.Query != notificationsQuery {
			cursors = append(cursors, r.Cursor)
			if problem == "" {
				problem = r.Problem
			}
		}
	}
	return cursors, problem
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	s.log = append(s.log, r)
	s.mu.Unlock()
}

func signedIn(r *http.Request) bool {
	c, err := r.Cookie("c_user")
	xs, err2 := r.Cookie("xs")
	return err == nil && err2 == nil && c.Value == UserID && xs.Value == XS
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && (path == "/login/" || path == "/login"):
		s.record(Request{Method: r.Method, Path: path})
		writeHTML(w, loginPage())
		return
	case strings.HasPrefix(path, "/checkpoint/"):
		s.record(Request{Method: r.Method, Path: path})
		writeHTML(w, messagePage("Security check", "Your account has been locked. Confirm your identity to continue."))
		return
	case path == "/favicon.ico":
		http.NotFound(w, r)
		return
	}
	if !signedIn(r) {
		s.record(Request{Method: r.Method, Path: path})
		http.Redirect(w, r, "/login/?next="+url.QueryEscape(s.URL+r.URL.RequestURI()), http.StatusFound)
		return
	}
	s.mu.Lock()
	blocked := s.blocked
	s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && path == "/api/graphql/":
		s.graphQL(w, r, blocked)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/groups/"):
		s.record(Request{Method: r.Method, Path: path})
		s.group(w, r, strings.Trim(strings.TrimPrefix(path, "/groups/"), "/"), blocked)
	default:
		s.record(Request{Method: r.Method, Path: path})
		http.NotFound(w, r)
	}
}

func (s *Server) group(w http.ResponseWriter, r *http.Request, id string, blocked bool) {
	s.mu.Lock()
	fail := s.failures > 0
	if fail {
		s.failures--
	}
	s.mu.Unlock()
	switch {
	case fail:
		http.Error(w, "Sorry, something went wrong.", http.StatusServiceUnavailable)
	case blocked || id == BlockedGroup:
		writeHTML(w, messagePage("You're Temporarily Blocked", "You're Temporarily Blocked. It looks like you were misusing this feature by going too fast."))
	case id == CheckpointGroup:
		http.Redirect(w, r, "/checkpoint/block/?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
	case id == GoneGroup:
		writeHTML(w, messagePage("Facebook", "This content isn't available right now"))
	case id == GroupID || id == SlowGroup:
		s.mu.Lock()
		page, pinned := s.page(0), s.pinned
		s.mu.Unlock()
		writeHTML(w, groupPage(id, pinned, page))
	default:
		writeHTML(w, messagePage("Facebook", "This content isn't available right now"))
	}
}

// feedPage is one page of the feed: its stories, and the cursor of the next page ("" on the
// last).
type feedPage struct {
	stories []Story
	next    string
}

// page returns the page starting at offset. Callers hold s.mu.
func (s *Server) page(offset int) feedPage {
	end := min(offset+PageSize, len(s.stories))
	p := feedPage{stories: append([]Story(nil), s.stories[min(offset, end):end]...)}
	if end < len(s.stories) {
		p.next = cursorAt(end)
	}
	return p
}

// Cursors are opaque to clients, as Facebook's are; the fake's hold the offset.
func cursorAt(offset int) string { return "AQHRfake" + strconv.Itoa(offset) + "cursor" }

func offsetOf(cursor string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(cursor, "AQHRfake"), "cursor"))
	return n, err == nil && cursor == cursorAt(n)
}

// graphQL answers the feed's pagination query once its form is what the page declared.
func (s *Server) graphQL(w http.ResponseWriter, r *http.Request, blocked bool) {
	req := Request{Method: r.Method, Path: r.URL.Path}
	var vars map[string]any
	if err := r.ParseForm(); err != nil {
		req.Problem = "unreadable form"
	} else if req.Query = r.PostForm.Get("fb_api_req_friendly_name"); req.Query == notificationsQuery {
		// Not the feed: the page asks for other things too, as Facebook's does.
		s.record(req)
		w.Write([]byte(`for (;;);{"data":{"viewer":{"notifications_unseen_count":2}},"extensions":{"is_final":true}}`))
		return
	} else if err := json.Unmarshal([]byte(r.PostForm.Get("variables")), &vars); err != nil {
		req.Problem = "variables are not JSON"
	}
	cursor, _ := vars["cursor"].(string)
	req.Cursor = cursor
	offset, okCursor := offsetOf(cursor)
	id, _ := vars["id"].(string)
	switch {
	case req.Problem != "":
	case r.PostForm.Get("doc_id") != DocID:
		req.Problem = "doc_id " + r.PostForm.Get("doc_id")
	case r.PostForm.Get("fb_dtsg") != DTSG:
		req.Problem = "no or wrong fb_dtsg"
	case r.PostForm.Get("fb_api_req_friendly_name") != "GroupsCometFeedRegularStoriesPaginationQuery":
		req.Problem = "friendly name " + r.PostForm.Get("fb_api_req_friendly_name")
	case !okCursor:
		req.Problem = "unknown cursor"
	case id != GroupID && id != SlowGroup:
		req.Problem = "variables.id " + id
	}
	s.record(req)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if req.Problem != "" || blocked {
		message := "Rate limit exceeded"
		if req.Problem != "" {
			message = "A server error missing_required_variable_value occured. " + req.Problem
		}
		fmt.Fprintf(w, `for (;;);{"errors":[{"message":%q,"severity":"CRITICAL","code":1675004}],"data":null,"extensions":{"is_final":true}}`, message)
		return
	}
	s.mu.Lock()
	page, delay := s.page(offset), s.slowDelay
	s.mu.Unlock()
	if id == SlowGroup {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Write(graphQLAnswer(id, page))
}

func writeHTML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(body)
}
