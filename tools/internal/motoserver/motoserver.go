// Package motoserver runs moto_server (the AWS emulator) for tests, one per
// test binary, and points the AWS SDK's default configuration at it through
// the environment, the way a user would point gitops at an emulator. Tests
// call Need; no TestMain is needed, since the server ends with the test
// binary that started it.
package motoserver

import (
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running moto_server behind a retrying proxy.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:40123: the proxy.
	URL   string
	cmd   *exec.Cmd
	proxy *proxy
	stop  func()
}

// ErrMissing reports that moto_server is not on PATH.
var ErrMissing = errors.New("moto_server is not on PATH")

// script starts moto's server with the one fix the tests need and ends it
// with the test binary (see its docstring).
//
//go:embed moto_server.py
var script []byte

// Start launches moto_server and waits until it answers.
func Start() (*Server, error) {
	if _, err := exec.LookPath("moto_server"); err != nil {
		return nil, ErrMissing
	}
	// The python3 next to moto_server on PATH is the one moto is installed in.
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "motoserver")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "moto_server.py")
	if err := os.WriteFile(path, script, 0o644); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// Its own process group, so Stop ends the interpreter behind any shim.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	s := &Server{cmd: cmd}
	upstream := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(upstream + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			// The interpreter has read the script.
			os.RemoveAll(dir)
			s.proxy = newProxy(upstream)
			s.URL, s.stop, err = serve(s.proxy)
			if err != nil {
				s.Stop()
				return nil, err
			}
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	os.RemoveAll(dir)
	s.Stop()
	return nil, fmt.Errorf("moto_server did not answer on %s within 60s", upstream)
}

// Stop ends the server.
func (s *Server) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	if s.stop != nil {
		s.stop()
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	_ = s.cmd.Wait()
}

// Retried counts the requests the proxy sent again after their connection
// to the emulator failed.
func (s *Server) Retried() int64 { return s.proxy.retried.Load() }

// Reset empties every emulated service.
func (s *Server) Reset() error {
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto reset: %s", resp.Status)
	}
	return nil
}

// EnforceAuth makes the server check every request's credentials and IAM
// policies from now on, as AWS does, until t ends. Create the IAM users,
// policies and access keys the test signs with before calling it.
func (s *Server) EnforceAuth(t testing.TB) {
	t.Helper()
	setAuth := func(count string) error {
		resp, err := http.Post(s.URL+"/moto-api/reset-auth", "text/plain", strings.NewReader(count))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("moto reset-auth: %s", resp.Status)
		}
		return nil
	}
	if err := setAuth("0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := setAuth("inf"); err != nil {
			t.Error(err)
		}
	})
}

// Use resets the server and sets the environment of t so that the SDK's
// default configuration reaches it with dummy credentials and no retries.
func (s *Server) Use(t testing.TB) {
	t.Helper()
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"AWS_ENDPOINT_URL":            s.URL,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "eu-west-1",
		"AWS_MAX_ATTEMPTS":            "1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	for _, kv := range os.Environ() {
		// Service-specific endpoints would bypass the emulator.
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "AWS_ENDPOINT_URL_") {
			t.Setenv(name, "")
		}
	}
}

// shared is the server of the test binary.
var shared lazy

// Need points t at the test binary's server, starting it on first use.
// Without moto_server on PATH t skips, except under CI, where the machine
// image is meant to have it and its absence fails the test.
func Need(t testing.TB) *Server { return shared.need(t) }

// lazy starts one server when a test first needs it.
type lazy struct {
	once sync.Once
	srv  *Server
	err  error
}

func (l *lazy) need(t testing.TB) *Server {
	t.Helper()
	l.once.Do(func() { l.srv, l.err = Start() })
	switch {
	case errors.Is(l.err, ErrMissing) && os.Getenv("CI") == "":
		t.Skip(l.err)
	case l.err != nil:
		t.Fatal(l.err)
	}
	l.srv.Use(t)
	// Say when the proxy had to send requests again, so a run that
	// passed only thanks to it shows it (go test -v).
	before := l.srv.Retried()
	t.Cleanup(func() {
		if n := l.srv.Retried() - before; n > 0 {
			t.Logf("motoserver: %d request(s) sent again after moto reset their connection", n)
		}
	})
	return l.srv
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
