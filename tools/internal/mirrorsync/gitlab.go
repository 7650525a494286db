package mirrorsync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// GitLab is a client of the part of GitLab's REST API (v4) that manages a
// project's push mirrors ("remote mirrors").
type GitLab struct {
	// BaseURL is GitLab's address, e.g. https://gitlab.example.com.
	BaseURL string
	// Token is a personal, group or project access token with the api
	// scope, of a user who maintains the projects. Sent as PRIVATE-TOKEN.
	Token string
	// HTTP is the client to use; nil is one with a 30-second timeout.
	HTTP *http.Client
}

// PushMirror is a project's push mirror as GitLab reports it; GitLab
// always masks the credentials in URL (https://*****:*****@host/...).
type PushMirror struct {
	ID                    int     `json:"id"`
	URL                   string  `json:"url"`
	Enabled               bool    `json:"enabled"`
	OnlyProtectedBranches bool    `json:"only_protected_branches"`
	KeepDivergentRefs     bool    `json:"keep_divergent_refs"`
	UpdateStatus          string  `json:"update_status,omitempty"`
	LastError             *string `json:"last_error,omitempty"`
}

// MirrorSettings are the settings gitops gives every push mirror: only the
// protected branches (the ones a pipeline may deploy from), and divergent
// refs overwritten, so the mirror is an exact copy of GitLab.
type MirrorSettings struct {
	Enabled               bool `json:"enabled"`
	OnlyProtectedBranches bool `json:"only_protected_branches"`
	KeepDivergentRefs     bool `json:"keep_divergent_refs"`
}

// WantedSettings are the settings of every push mirror gitops configures.
var WantedSettings = MirrorSettings{Enabled: true, OnlyProtectedBranches: true, KeepDivergentRefs: false}

// Settings returns the settings of m.
func (m PushMirror) Settings() MirrorSettings {
	return MirrorSettings{Enabled: m.Enabled, OnlyProtectedBranches: m.OnlyProtectedBranches, KeepDivergentRefs: m.KeepDivergentRefs}
}

// GitLabError is an answer of GitLab other than success.
type GitLabError struct {
	Method, Path string
	Status       int
	StatusText   string
	// Message is GitLab's own explanation, when it gave one.
	Message string
	// Base and Project say what was asked of which GitLab.
	Base, Project string
}

func (e *GitLabError) Error() string {
	what := fmt.Sprintf("GitLab at %s answered %d %s to %s %s", e.Base, e.Status, e.StatusText, e.Method, e.Path)
	if e.Message != "" {
		what += " (" + e.Message + ")"
	}
	switch {
	case e.Status == http.StatusUnauthorized:
		return what + ": the token is missing, wrong, expired or revoked; give a token with the api scope in GITLAB_TOKEN or --gitlab-token-secret"
	case e.Status == http.StatusForbidden:
		return what + ": the token's user may not manage the mirrors of " + e.Project + "; it needs the Maintainer role there"
	case e.Status == http.StatusNotFound:
		return what + ": project " + e.Project + " does not exist, or the token's user cannot see it; check the mirror's project path"
	case e.Status >= 500:
		return what + ": GitLab failed; check its health and logs, then sync again"
	}
	return what
}

// ListPushMirrors returns the push mirrors of project (a path such as
// platform/webapp). A project has few; the first hundred are read.
func (g *GitLab) ListPushMirrors(ctx context.Context, project string) ([]PushMirror, error) {
	var mirrors []PushMirror
	err := g.do(ctx, http.MethodGet, project, "/remote_mirrors?per_page=100", nil, &mirrors)
	return mirrors, err
}

// CreatePushMirror adds a push mirror to rawURL, credentials in its userinfo.
func (g *GitLab) CreatePushMirror(ctx context.Context, project, rawURL string, s MirrorSettings) (PushMirror, error) {
	body := struct {
		URL string `json:"url"`
		MirrorSettings
	}{rawURL, s}
	var m PushMirror
	err := g.do(ctx, http.MethodPost, project, "/remote_mirrors", body, &m)
	return m, err
}

// UpdatePushMirror changes a push mirror's settings (GitLab cannot change
// its URL: replace the mirror for that).
func (g *GitLab) UpdatePushMirror(ctx context.Context, project string, id int, s MirrorSettings) (PushMirror, error) {
	var m PushMirror
	err := g.do(ctx, http.MethodPut, project, fmt.Sprintf("/remote_mirrors/%d", id), s, &m)
	return m, err
}

// DeletePushMirror removes a push mirror (GitLab 14.10 and later).
func (g *GitLab) DeletePushMirror(ctx context.Context, project string, id int) error {
	return g.do(ctx, http.MethodDelete, project, fmt.Sprintf("/remote_mirrors/%d", id), nil, nil)
}

// ProtectedBranches returns the names (or wildcard patterns such as
// release/*) of project's protected branches; the first hundred are read.
func (g *GitLab) ProtectedBranches(ctx context.Context, project string) ([]string, error) {
	var branches []struct {
		Name string `json:"name"`
	}
	if err := g.do(ctx, http.MethodGet, project, "/protected_branches?per_page=100", nil, &branches); err != nil {
		return nil, err
	}
	names := make([]string, len(branches))
	for i, b := range branches {
		names[i] = b.Name
	}
	return names, nil
}

// do calls resource (e.g. /remote_mirrors/7) of project.
func (g *GitLab) do(ctx context.Context, method, project, resource string, in, out any) error {
	path := "/api/v4/projects/" + url.PathEscape(project) + resource
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	base := strings.TrimRight(g.BaseURL, "/")
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("PRIVATE-TOKEN", g.Token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := g.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GitLab at %s: %s %s: %w", base, method, strings.SplitN(path, "?", 2)[0], err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("GitLab at %s: reading the answer to %s %s: %w", base, method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &GitLabError{
			Method: method, Path: strings.SplitN(path, "?", 2)[0],
			Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode),
			Message: gitlabMessage(data), Base: base, Project: project,
		}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("GitLab at %s: %s %s: unexpected answer (%v); is %s GitLab's address?", base, method, path, err, base)
	}
	return nil
}

// gitlabMessage extracts GitLab's error message ({"message": ...} or
// {"error": ...}), or the start of a body that is not JSON.
func gitlabMessage(data []byte) string {
	var body struct {
		Message any    `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil {
		switch m := body.Message.(type) {
		case string:
			return m
		case nil:
		default:
			b, _ := json.Marshal(m)
			return string(b)
		}
		return body.Error
	}
	s := strings.Join(strings.Fields(string(data)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
