package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startWorker starts this binary as the worker with its own temporary
// directory, which it returns.
func startWorker(t *testing.T, stdin *os.File, stderr *os.File) (*exec.Cmd, string) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "GITOPS_SYNTH_TEST_WORKER=1", "TMPDIR="+tmp, "JSII_NODE=", "JSII_RUNTIME=")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stderr, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, tmp
}

// leftIn lists what is left in dir, waiting a little for node, which ends
// after the worker, to remove its own files.
func leftIn(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	for range 50 {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		names = names[:0]
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if len(names) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return names
}

// gitops stops the worker it started early by closing its stdin, and may
// have exited by then: the worker's stderr has no reader. It still ends
// with its error and removes its temporary files, jsii's included,
// rather than dying of SIGPIPE half-way.
func TestWorkerWithoutAReaderCleansUp(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	empty, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	cmd, tmp := startWorker(t, empty, w)
	w.Close()
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("the worker ended with %v; want exit status 1 (no job)", err)
	}
	if left := leftIn(t, tmp); len(left) > 0 {
		t.Errorf("the worker left %s in its temporary directory", strings.Join(left, ", "))
	}
}

// Ctrl-C (or a CI job's timeout) reaches the worker while it loads the
// CDK: it removes its temporary files, jsii's included, before it exits.
func TestInterruptedWorkerCleansUp(t *testing.T) {
	stdin, feed, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()
	log, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd, tmp := startWorker(t, stdin, log)
	stdin.Close()
	// Wait for the worker to have started node.
	for i := 0; !hasChild(t, cmd.Process.Pid); i++ {
		if i == 300 {
			t.Fatal("the worker did not start node within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if left := leftIn(t, tmp); len(left) > 0 {
		t.Errorf("the worker left %s in its temporary directory", strings.Join(left, ", "))
	}
}

// hasChild reports whether process pid has a child, from /proc.
func hasChild(t *testing.T, pid int) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	if len(stats) == 0 {
		t.Skip("no /proc to see the worker's node process in")
	}
	for _, f := range stats {
		data, _ := os.ReadFile(f)
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(data, ')')
		if i < 0 {
			continue
		}
		if fields := strings.Fields(string(data[i+1:])); len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

// jsii keeps its package cache under the home directory, or without one
// under the temporary directory, where it outlasts the run; the worker's
// own temporary directory, removed at its end, must not take it over.
func TestPackageCacheOutlastsTheWorker(t *testing.T) {
	home := "HOME"
	if runtime.GOOS == "windows" {
		home = "LOCALAPPDATA"
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("TMP", tmp) // Windows
	t.Setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", "")
	os.Unsetenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
	t.Setenv(home, "")
	keepPackageCache()
	if got, want := os.Getenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT"), filepath.Join(tmp, "aws-jsii-package-cache"); got != want {
		t.Errorf("without %s: the cache root is %q, want %q (jsii's own fallback)", home, got, want)
	}

	os.Unsetenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
	t.Setenv(home, t.TempDir())
	keepPackageCache()
	// (jsii knows a home cache directory on these systems only.)
	homeCache := runtime.GOOS == "linux" || runtime.GOOS == "darwin" || runtime.GOOS == "windows"
	if got, ok := os.LookupEnv("JSII_RUNTIME_PACKAGE_CACHE_ROOT"); ok && homeCache {
		t.Errorf("with %s: the cache root is set to %q; jsii keeps it there itself", home, got)
	}

	t.Setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", "/srv/cache")
	t.Setenv(home, "")
	if keepPackageCache(); os.Getenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT") != "/srv/cache" {
		t.Error("the user's JSII_RUNTIME_PACKAGE_CACHE_ROOT was replaced")
	}
}
