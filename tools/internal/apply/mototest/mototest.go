// Package mototest runs the AWS emulator moto for tests: one moto_server
// per test binary on 127.0.0.1 with a free port, reset between tests, and
// reached through AWS_ENDPOINT_URL only, as a user would point any SDK tool
// at it.
package mototest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running moto_server.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:<port>.
	URL string
	cmd *exec.Cmd
	log *os.File
}

var (
	once    sync.Once
	shared  *Server
	started error
)

// Start starts the shared server, or reports why it cannot: moto_server is
// not on PATH. The server ends with the test binary; StopShared in TestMain
// ends it sooner.
func Start() (*Server, error) {
	once.Do(func() { shared, started = start() })
	return shared, started
}

func start() (*Server, error) {
	if _, err := exec.LookPath("moto_server"); err != nil {
		return nil, fmt.Errorf("moto_server is not on PATH: %w", err)
	}
	// The Python that moto_server runs with starts it through a script that
	// adds the one fix the tests need (see moto_server.py).
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, err
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "moto_server.py")
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	log, err := os.CreateTemp("", "moto-server-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, script, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, err
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: log}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := s.Reset(); err == nil {
			return s, nil
		}
		select {
		case err := <-exited:
			out, _ := os.ReadFile(log.Name())
			return nil, fmt.Errorf("moto_server exited (%v):\n%s", err, out)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, errors.New("moto_server did not answer within 30s")
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Reset forgets every account's resources.
func (s *Server) Reset() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset: %s", resp.Status)
	}
	return nil
}

// Stop ends the server.
func (s *Server) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	s.log.Close()
	os.Remove(s.log.Name())
}

// StopShared ends the shared server if Start started one.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

// Use resets the server and points the AWS SDK at it for the test: the
// endpoint, fake credentials, no shared config files or instance metadata,
// and one attempt per call (moto answers 500 for what it does not
// implement; retrying that only slows the test). Without moto_server it
// skips the test, except under CI, where the machine image is meant to have
// it and its absence fails the test.
func Use(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("moto: %v", err)
		}
		t.Skipf("moto: %v", err)
	}
	if err := s.Reset(); err != nil {
		t.Fatalf("moto: %v", err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            s.URL,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing-secret-never-printed",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "eu-west-1",
		"AWS_MAX_ATTEMPTS":            "1",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_PROFILE":                 "",
	} {
		t.Setenv(k, v)
	}
	for _, k := range os.Environ() {
		// Service-specific endpoints would bypass the emulator.
		if name, _, _ := strings.Cut(k, "="); strings.HasPrefix(name, "AWS_ENDPOINT_URL_") {
			t.Setenv(name, "")
		}
	}
	return s
}
