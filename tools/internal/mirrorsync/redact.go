package mirrorsync

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Redacted replaces a secret wherever it would be printed.
const Redacted = "[REDACTED]"

// Redactor knows the secrets of a run (the GitLab token, the Git passwords)
// and takes them out of text. Every line gitops mirrors prints goes through
// one, errors included, so no message can leak a secret, whichever layer
// (SDK, HTTP client, GitLab's answer) wrote it.
type Redactor struct {
	mu      sync.Mutex
	secrets []string
}

// Add registers a secret, in the forms it takes inside URLs and JSON too.
func (r *Redactor) Add(secret string) {
	if secret == "" {
		return
	}
	quoted, _ := json.Marshal(secret)
	userinfo := strings.TrimSuffix(url.UserPassword("u", secret).String(), "@")
	forms := []string{
		secret,
		url.QueryEscape(secret),
		url.PathEscape(secret),
		strings.TrimPrefix(userinfo, "u:"),
		string(quoted[1 : len(quoted)-1]),
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range forms {
		if f != "" && !slices.Contains(r.secrets, f) {
			r.secrets = append(r.secrets, f)
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// Redact returns s with every known secret replaced.
func (r *Redactor) Redact(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, Redacted)
	}
	return s
}

// Writer returns a writer that redacts whole lines before passing them to
// w; a secret split across two writes is still caught. Close writes out an
// unfinished last line.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	return &redactingWriter{r: r, w: w}
}

type redactingWriter struct {
	r   *Redactor
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

func (rw *redactingWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.buf = append(rw.buf, p...)
	if i := bytes.LastIndexByte(rw.buf, '\n'); i >= 0 {
		lines := rw.r.Redact(string(rw.buf[:i+1]))
		rw.buf = append(rw.buf[:0], rw.buf[i+1:]...)
		if _, err := io.WriteString(rw.w, lines); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (rw *redactingWriter) Close() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(rw.w, rw.r.Redact(string(rw.buf)))
	rw.buf = rw.buf[:0]
	return err
}
