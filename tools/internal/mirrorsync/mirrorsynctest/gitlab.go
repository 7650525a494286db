package mirrorsynctest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// GitLab is a GitLab remote-mirrors API on an httptest server. It checks
// each request as GitLab would (token header, URL-encoded project path,
// JSON body, allowed attributes) and records it; Problems lists what a
// request got wrong, and tests expect none.
type GitLab struct {
	*httptest.Server
	// Token is the only token accepted.
	Token string

	mu       sync.Mutex
	projects map[string][]*Mirror
	// protected are each project's protected branches (main unless set).
	protected map[string][]string
	nextID    int
	// Requests lists the requests received, as "METHOD path".
	Requests []string
	// Problems lists requests GitLab would not have accepted.
	Problems []string
	// FailStatus, when set, is the answer to every request; the body
	// echoes the token and the last URL posted, as a careless proxy might,
	// so tests can check that nothing prints them.
	FailStatus int
	// FailMethod limits FailStatus to requests of that method.
	FailMethod string
	lastURL    string
}

// Mirror is a push mirror as the server keeps it, credentials included.
type Mirror struct {
	ID                                                int
	URL                                               string
	Enabled, OnlyProtectedBranches, KeepDivergentRefs bool
	LastError                                         string
}

// NewGitLab starts a server with the given projects (paths), no mirrors.
func NewGitLab(token string, projects ...string) *GitLab {
	g := &GitLab{Token: token, projects: map[string][]*Mirror{}, protected: map[string][]string{}, nextID: 100}
	for _, p := range projects {
		g.projects[p] = nil
		g.protected[p] = []string{"main"}
	}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

// Protect sets project's protected branches (names or patterns).
func (g *GitLab) Protect(project string, branches ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.protected[project] = branches
}

// Mirrors returns a copy of project's mirrors.
func (g *GitLab) Mirrors(project string) []Mirror {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Mirror
	for _, m := range g.projects[project] {
		out = append(out, *m)
	}
	return out
}

// AddMirror adds a push mirror as if made in GitLab's UI.
func (g *GitLab) AddMirror(project string, m Mirror) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	m.ID = g.nextID
	g.projects[project] = append(g.projects[project], &m)
	return m.ID
}

// Changes counts the requests that are not GETs.
func (g *GitLab) Changes() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, r := range g.Requests {
		if !strings.HasPrefix(r, "GET ") {
			n++
		}
	}
	return n
}

func (g *GitLab) problem(format string, args ...any) {
	g.Problems = append(g.Problems, fmt.Sprintf(format, args...))
}

func (g *GitLab) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	raw := r.URL.EscapedPath()
	g.Requests = append(g.Requests, r.Method+" "+raw)
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if v != nil {
			_ = json.NewEncoder(w).Encode(v)
		}
	}
	var body map[string]any
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			g.problem("%s %s: Content-Type %q", r.Method, raw, ct)
		}
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			g.problem("%s %s: body %q: %v", r.Method, raw, data, err)
			reply(http.StatusBadRequest, map[string]string{"error": "bad JSON"})
			return
		}
		if u, ok := body["url"].(string); ok {
			g.lastURL = u
		}
	}
	if g.FailStatus != 0 && (g.FailMethod == "" || g.FailMethod == r.Method) {
		reply(g.FailStatus, map[string]string{"message": fmt.Sprintf("%d %s (token %s, url %s)",
			g.FailStatus, http.StatusText(g.FailStatus), r.Header.Get("PRIVATE-TOKEN"), g.lastURL)})
		return
	}
	if r.Header.Get("PRIVATE-TOKEN") != g.Token {
		reply(http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	// /api/v4/projects/<id or URL-encoded path>/protected_branches
	rest, ok := strings.CutPrefix(raw, "/api/v4/projects/")
	parts := strings.Split(rest, "/")
	if ok && len(parts) == 2 && parts[1] == "protected_branches" && r.Method == http.MethodGet {
		project, _ := url.PathUnescape(parts[0])
		branches, known := g.protected[project]
		if !known {
			reply(http.StatusNotFound, map[string]string{"message": "404 Project Not Found"})
			return
		}
		out := []map[string]any{}
		for _, b := range branches {
			out = append(out, map[string]any{"name": b})
		}
		reply(http.StatusOK, out)
		return
	}
	// /api/v4/projects/<id or URL-encoded path>/remote_mirrors[/<mirror id>]
	if !ok || len(parts) < 2 || len(parts) > 3 || parts[1] != "remote_mirrors" {
		g.problem("%s %s: not a remote mirrors path", r.Method, raw)
		reply(http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}
	if !strings.Contains(parts[0], "%2F") {
		g.problem("%s %s: project path not URL-encoded", r.Method, raw)
	}
	project, _ := url.PathUnescape(parts[0])
	mirrors, ok := g.projects[project]
	if !ok {
		reply(http.StatusNotFound, map[string]string{"message": "404 Project Not Found"})
		return
	}
	find := func() (int, bool) {
		if len(parts) != 3 {
			return -1, false
		}
		id, _ := strconv.Atoi(parts[2])
		i := slices.IndexFunc(mirrors, func(m *Mirror) bool { return m.ID == id })
		if i < 0 {
			reply(http.StatusNotFound, map[string]string{"message": "404 Not found"})
		}
		return i, i >= 0
	}

	switch {
	case r.Method == http.MethodGet && len(parts) == 2:
		if r.URL.Query().Get("per_page") == "" {
			g.problem("GET %s: no per_page", raw)
		}
		out := []map[string]any{}
		for _, m := range mirrors {
			out = append(out, m.entity())
		}
		reply(http.StatusOK, out)
	case r.Method == http.MethodPost && len(parts) == 2:
		m := &Mirror{}
		u, _ := body["url"].(string)
		if u == "" {
			reply(http.StatusBadRequest, map[string]string{"error": "url is missing"})
			return
		}
		m.URL = u
		if !g.settings(m, body, raw) {
			reply(http.StatusBadRequest, map[string]string{"error": "bad attributes"})
			return
		}
		g.nextID++
		m.ID = g.nextID
		g.projects[project] = append(mirrors, m)
		reply(http.StatusCreated, m.entity())
	case r.Method == http.MethodPut:
		i, ok := find()
		if !ok {
			return
		}
		if _, has := body["url"]; has {
			g.problem("PUT %s: url given, which GitLab ignores", raw)
		}
		if !g.settings(mirrors[i], body, raw) {
			reply(http.StatusBadRequest, map[string]string{"error": "bad attributes"})
			return
		}
		reply(http.StatusOK, mirrors[i].entity())
	case r.Method == http.MethodDelete:
		i, ok := find()
		if !ok {
			return
		}
		g.projects[project] = slices.Delete(mirrors, i, i+1)
		w.WriteHeader(http.StatusNoContent)
	default:
		g.problem("%s %s: no such endpoint", r.Method, raw)
		reply(http.StatusMethodNotAllowed, map[string]string{"error": "405 Method Not Allowed"})
	}
}

// settings applies the boolean attributes of body to m.
func (g *GitLab) settings(m *Mirror, body map[string]any, raw string) bool {
	for k, v := range body {
		b, isBool := v.(bool)
		switch k {
		case "url":
			continue
		case "enabled":
			m.Enabled = b
		case "only_protected_branches":
			m.OnlyProtectedBranches = b
		case "keep_divergent_refs":
			m.KeepDivergentRefs = b
		default:
			g.problem("%s: unknown attribute %q", raw, k)
			return false
		}
		if !isBool {
			g.problem("%s: %s is %T, not a boolean", raw, k, v)
			return false
		}
	}
	return true
}

// entity is the mirror as GitLab's API shows it.
func (m *Mirror) entity() map[string]any {
	var lastError any
	if m.LastError != "" {
		lastError = m.LastError
	}
	return map[string]any{
		"id": m.ID, "url": Masked(m.URL), "enabled": m.Enabled,
		"only_protected_branches": m.OnlyProtectedBranches, "keep_divergent_refs": m.KeepDivergentRefs,
		"update_status": "finished", "last_error": lastError, "auth_method": "password",
	}
}
