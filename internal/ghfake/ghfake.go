// Package ghfake is a fake of the part of the GitHub REST API (v3) that the
// action talks to: the issue comments of a pull request, and who a token is
// (GET /user). It runs on httptest so tests drive it with the real
// go-github client.
//
// What it reproduces of GitHub's behaviour:
//
//   - GET /repos/{owner}/{repo}/issues/{number}/comments lists comments
//     oldest first, paginated with `page` (default 1) and `per_page`
//     (default 30, at most 100) and an RFC 8288 Link header carrying
//     first/prev/next/last, as api.github.com does.
//   - POST /repos/{owner}/{repo}/issues/{number}/comments creates a comment
//     (201); PATCH /repos/{owner}/{repo}/issues/comments/{id} edits one
//     (200, 404 when the id does not exist in that repository).
//   - A body must be present and hold at most 65,536 characters, else 422
//     "Validation Failed" like GitHub's "Body is too long".
//   - Authorship as GitHub keeps it. Each token acts as an Identity
//     (Tokens maps tokens to identities); a request without a known token
//     acts as GitHubActions, the bot GITHUB_TOKEN writes as. A comment
//     records its author: `user.login`, `user.id`, `user.type` ("User" or
//     "Bot") and, when a GitHub App wrote it, `performed_via_github_app`.
//     PATCH and DELETE of another identity's comment answer 403 "You do
//     not have permission ..." (GitHub may instead let an identity with
//     write access to the repository edit it: either way a client must not
//     try).
//   - GET /user returns the token's user; for an installation access token
//     (Identity.Installation, which GITHUB_TOKEN is) it answers 403
//     "Resource not accessible by integration", as GitHub does.
//   - DELETE /repos/{owner}/{repo}/issues/comments/{id} deletes a comment
//     (204).
//   - With Token set, or Tokens not empty, requests without
//     "Authorization: Bearer TOKEN" (or "token TOKEN") for a known token
//     get 401 "Bad credentials".
//   - Faults: Fail makes a method and path answer with a status (403
//     "Resource not accessible by integration" is what a read-only fork
//     token gets, 404 what a token without access to the repository gets).
//
// Every request is recorded (method, path, query, body) and counted by
// method and path. A request outside these routes answers 404 and fails
// the test: a client calling something unexpected cannot pass silently.
package ghfake

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// MaxBodyChars is GitHub's limit on a comment body.
const MaxBodyChars = 65536

// Default and maximum page sizes of GitHub's list endpoints.
const (
	DefaultPerPage = 30
	MaxPerPage     = 100
)

// DefaultUser is the author of comments created through the API, the login
// GITHUB_TOKEN posts as.
const DefaultUser = "github-actions[bot]"

// Identity is who a token acts as.
type Identity struct {
	Login string
	ID    int64
	// Bot is a GitHub App's bot account (user type "Bot"); otherwise a
	// person's account (type "User").
	Bot bool
	// App is the slug of the GitHub App the token acts through (reported
	// as the comment's performed_via_github_app): set for installation
	// tokens and for an app's user access tokens, "" for personal tokens.
	App   string
	AppID int64
	// Installation marks an installation access token, which acts as the
	// app's bot and may not call GET /user.
	Installation bool
}

// GitHubActions is the identity of GITHUB_TOKEN: an installation access
// token of the GitHub Actions app, writing as its bot (github.com's ids).
var GitHubActions = Identity{Login: DefaultUser, ID: 41898282, Bot: true, App: "github-actions", AppID: 15368, Installation: true}

// User is a person's identity with a personal access token; its id is
// derived from the login, so the same login always has the same id.
func User(login string) Identity {
	return Identity{Login: login, ID: userID(login)}
}

// AppBot is the identity of another GitHub App's installation access
// token: the bot "<slug>[bot]".
func AppBot(slug string) Identity {
	return Identity{Login: slug + "[bot]", ID: userID(slug + "[bot]"), Bot: true, App: slug, AppID: userID(slug) % 1000000, Installation: true}
}

// identityOf is the identity of a login given to AddComments: a known
// bot's, or a user's.
func identityOf(login string) Identity {
	if strings.EqualFold(login, DefaultUser) {
		return GitHubActions
	}
	if slug, ok := strings.CutSuffix(login, "[bot]"); ok {
		return AppBot(slug)
	}
	return User(login)
}

// userID derives a stable account id from a login (FNV-1a, case-folded
// like GitHub logins), distinct for distinct logins in practice.
func userID(login string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(login)))
	return 1000000 + int64(h.Sum32()%900000000)
}

// epoch is the fixed creation time of the first comment; each later comment
// is one minute newer, so responses are deterministic.
var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Comment is a stored issue comment.
type Comment struct {
	ID        int64
	Owner     string
	Repo      string
	Issue     int
	User      string // the author's login
	Author    Identity
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Request is one recorded request.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
}

// Fault makes requests matching Method and Path answer with Status and
// Message. Path "" matches every path. Times limits how many requests it
// hits (0: all).
type Fault struct {
	Method  string
	Path    string
	Status  int
	Message string
	Times   int
}

// Server is the fake API. Create it with New.
type Server struct {
	// Token, when set, is the only token accepted (besides Tokens); it
	// acts as GitHubActions.
	Token string
	// Tokens maps the accepted tokens to who they act as. When it is not
	// empty, only its tokens (and Token) are accepted.
	Tokens map[string]Identity

	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	comments []*Comment // ordered by id
	nextID   int64
	clock    time.Time
	requests []Request
	faults   []*Fault
}

var (
	listRe = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/([0-9]+)/comments$`)
	editRe = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/comments/([0-9]+)$`)
)

// New starts a fake server, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, nextID: 1000001, clock: epoch}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API base URL with a trailing slash, what GITHUB_API_URL holds.
func (s *Server) URL() string { return s.srv.URL + "/" }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AddComments stores comments by user on an issue, as if posted earlier,
// and returns their ids. user is a login: DefaultUser is GitHubActions,
// "slug[bot]" another app's bot (AppBot), anything else a person (User).
func (s *Server) AddComments(owner, repo string, issue int, user string, bodies ...string) []int64 {
	return s.AddCommentsAs(owner, repo, issue, identityOf(user), bodies...)
}

// AddCommentsAs stores comments written by an identity on an issue, as if
// posted earlier, and returns their ids.
func (s *Server) AddCommentsAs(owner, repo string, issue int, author Identity, bodies ...string) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, len(bodies))
	for i, b := range bodies {
		ids[i] = s.add(owner, repo, issue, author, b).ID
	}
	return ids
}

func (s *Server) add(owner, repo string, issue int, author Identity, body string) *Comment {
	now := s.tick()
	c := &Comment{ID: s.nextID, Owner: owner, Repo: repo, Issue: issue, User: author.Login, Author: author, Body: body, CreatedAt: now, UpdatedAt: now}
	s.nextID++
	s.comments = append(s.comments, c)
	return c
}

func (s *Server) tick() time.Time {
	s.clock = s.clock.Add(time.Minute)
	return s.clock
}

// Comments returns copies of the comments on an issue, oldest first.
func (s *Server) Comments(owner, repo string, issue int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Owner == owner && c.Repo == repo && c.Issue == issue {
			out = append(out, *c)
		}
	}
	return out
}

// Fail installs a fault.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Message == "" {
		f.Message = http.StatusText(f.Status)
		if f.Status == http.StatusForbidden {
			f.Message = "Resource not accessible by integration"
		}
	}
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests (comments stay).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Calls counts the requests with a method and path ("" matches any path).
func (s *Server) Calls(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && (path == "" || r.Path == path) {
			n++
		}
	}
	return n
}

// CallCounts maps "METHOD /path" to the number of such requests.
func (s *Server) CallCounts() map[string]int {
	out := map[string]int{}
	for _, r := range s.Requests() {
		out[r.Method+" "+r.Path]++
	}
	return out
}

// Bodies returns the request bodies sent with a method and path, in order.
func (s *Server) Bodies(method, path string) []string {
	var out []string
	for _, r := range s.Requests() {
		if r.Method == method && (path == "" || r.Path == path) {
			out = append(out, r.Body)
		}
	}
	return out
}

// commentJSON is the subset of GitHub's issue-comment object the fake
// returns (the fields go-github's IssueComment decodes that matter here).
type commentJSON struct {
	ID                int64    `json:"id"`
	NodeID            string   `json:"node_id"`
	URL               string   `json:"url"`
	HTMLURL           string   `json:"html_url"`
	IssueURL          string   `json:"issue_url"`
	Body              string   `json:"body"`
	User              userJSON `json:"user"`
	CreatedAt         string   `json:"created_at"`
	UpdatedAt         string   `json:"updated_at"`
	AuthorAssociation string   `json:"author_association"`
	// PerformedViaGitHubApp is null unless a GitHub App wrote the comment.
	PerformedViaGitHubApp *appJSON `json:"performed_via_github_app"`
}

type userJSON struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"`
}

type appJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func renderUser(id Identity) userJSON {
	typ := "User"
	if id.Bot {
		typ = "Bot"
	}
	return userJSON{Login: id.Login, ID: id.ID, Type: typ}
}

func (s *Server) render(c *Comment) commentJSON {
	api := strings.TrimSuffix(s.srv.URL, "/")
	assoc := "MEMBER"
	if c.Author.Bot {
		assoc = "NONE"
	}
	var app *appJSON
	if c.Author.App != "" {
		app = &appJSON{ID: c.Author.AppID, Slug: c.Author.App, Name: c.Author.App}
	}
	return commentJSON{
		ID:                c.ID,
		NodeID:            fmt.Sprintf("IC_kwDO%d", c.ID),
		URL:               fmt.Sprintf("%s/repos/%s/%s/issues/comments/%d", api, c.Owner, c.Repo, c.ID),
		HTMLURL:           fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", c.Owner, c.Repo, c.Issue, c.ID),
		IssueURL:          fmt.Sprintf("%s/repos/%s/%s/issues/%d", api, c.Owner, c.Repo, c.Issue),
		Body:              c.Body,
		User:              renderUser(c.Author),
		CreatedAt:         c.CreatedAt.Format(time.RFC3339),
		UpdatedAt:         c.UpdatedAt.Format(time.RFC3339),
		AuthorAssociation: assoc,

		PerformedViaGitHubApp: app,
	}
}

type errorJSON struct {
	Message          string      `json:"message"`
	Errors           []fieldJSON `json:"errors,omitempty"`
	DocumentationURL string      `json:"documentation_url"`
	Status           string      `json:"status"`
}

type fieldJSON struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field"`
	Message  string `json:"message,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string, fields ...fieldJSON) {
	writeJSON(w, status, errorJSON{
		Message:          msg,
		Errors:           fields,
		DocumentationURL: "https://docs.github.com/rest/issues/comments",
		Status:           strconv.Itoa(status),
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(body)})

	me, ok := s.identity(r.Header.Get("Authorization"))
	if !ok {
		writeError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	for _, f := range s.faults {
		if f.Method == r.Method && (f.Path == "" || f.Path == r.URL.Path) && f.Times >= 0 {
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					f.Times = -1 // used up
				}
			}
			writeError(w, f.Status, f.Message)
			return
		}
	}

	if m := listRe.FindStringSubmatch(r.URL.Path); m != nil {
		n, _ := strconv.Atoi(m[3])
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, m[1], m[2], n)
			return
		case http.MethodPost:
			s.create(w, body, m[1], m[2], n, me)
			return
		}
	}
	if m := editRe.FindStringSubmatch(r.URL.Path); m != nil && (r.Method == http.MethodPatch || r.Method == http.MethodDelete) {
		id, _ := strconv.ParseInt(m[3], 10, 64)
		s.edit(w, r.Method, body, m[1], m[2], id, me)
		return
	}
	if r.URL.Path == "/user" && r.Method == http.MethodGet {
		if me.Installation {
			writeError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		writeJSON(w, http.StatusOK, renderUser(me))
		return
	}
	s.t.Errorf("ghfake: unexpected request %s %s", r.Method, r.URL.Path)
	writeError(w, http.StatusNotFound, "Not Found")
}

// identity is who the Authorization header acts as; false for a token
// the server does not accept.
func (s *Server) identity(auth string) (Identity, bool) {
	token, found := strings.CutPrefix(auth, "Bearer ")
	if !found {
		token, found = strings.CutPrefix(auth, "token ")
	}
	if found {
		if id, ok := s.Tokens[token]; ok {
			return id, true
		}
		if s.Token != "" && token == s.Token {
			return GitHubActions, true
		}
	}
	if s.Token != "" || len(s.Tokens) > 0 {
		return Identity{}, false
	}
	return GitHubActions, true
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, owner, repo string, issue int) {
	q := r.URL.Query()
	page, perPage := 1, DefaultPerPage
	if v := q.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			p = 1
		}
		page = p
	}
	if v := q.Get("per_page"); v != "" {
		p, err := strconv.Atoi(v)
		if err == nil && p > 0 {
			perPage = min(p, MaxPerPage)
		}
	}
	var all []*Comment
	for _, c := range s.comments {
		if c.Owner == owner && c.Repo == repo && c.Issue == issue {
			all = append(all, c)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	last := max(1, (len(all)+perPage-1)/perPage)
	out := []commentJSON{}
	for i := (page - 1) * perPage; i < len(all) && i < page*perPage; i++ {
		out = append(out, s.render(all[i]))
	}
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		v := u.Query()
		v.Set("page", strconv.Itoa(p))
		v.Set("per_page", strconv.Itoa(perPage))
		u.RawQuery = v.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, out)
}

type bodyJSON struct {
	Body *string `json:"body"`
}

func (s *Server) decodeBody(w http.ResponseWriter, raw []byte) (string, bool) {
	var in bodyJSON
	if err := json.Unmarshal(raw, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return "", false
	}
	if in.Body == nil || *in.Body == "" {
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"body\" wasn't supplied.")
		return "", false
	}
	if utf8.RuneCountInString(*in.Body) > MaxBodyChars {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed", fieldJSON{
			Resource: "IssueComment", Code: "custom", Field: "body",
			Message: fmt.Sprintf("body is too long (maximum is %d characters)", MaxBodyChars),
		})
		return "", false
	}
	return *in.Body, true
}

func (s *Server) create(w http.ResponseWriter, raw []byte, owner, repo string, issue int, me Identity) {
	body, ok := s.decodeBody(w, raw)
	if !ok {
		return
	}
	c := s.add(owner, repo, issue, me, body)
	w.Header().Set("Location", s.render(c).URL)
	writeJSON(w, http.StatusCreated, s.render(c))
}

func (s *Server) edit(w http.ResponseWriter, method string, raw []byte, owner, repo string, id int64, me Identity) {
	at := -1
	for i, x := range s.comments {
		if x.ID == id && x.Owner == owner && x.Repo == repo {
			at = i
		}
	}
	if at < 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	c := s.comments[at]
	if c.Author.ID != me.ID || !strings.EqualFold(c.Author.Login, me.Login) {
		writeError(w, http.StatusForbidden, "You do not have permission to modify this comment.")
		return
	}
	if method == http.MethodDelete {
		s.comments = append(s.comments[:at], s.comments[at+1:]...)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body, ok := s.decodeBody(w, raw)
	if !ok {
		return
	}
	c.Body = body
	c.UpdatedAt = s.tick()
	writeJSON(w, http.StatusOK, s.render(c))
}
