package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestVersionNamesTheModuleVersionAndRevision(t *testing.T) {
	info := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abc"}, {Key: "vcs.modified", Value: "true"},
	}}
	if got := versionOf(info); !strings.HasPrefix(got, "gitops v1.4.0 revision 0123abc (modified) go1.") {
		t.Errorf("version %q", got)
	}
	if got := versionOf(nil); !strings.HasPrefix(got, "gitops (devel), no VCS revision recorded") {
		t.Errorf("version without build info %q", got)
	}
}

// TestInterruptsComeInTwoSteps sends this process SIGINT twice: the first
// asks to stop starting work, the second cancels.
func TestInterruptsComeInTwoSteps(t *testing.T) {
	var out bytes.Buffer
	in := watchInterrupts(&out, "apply")
	defer in.close()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in.stop:
	case <-time.After(10 * time.Second):
		t.Fatal("the first interrupt did not close stop")
	}
	if in.ctx.Err() != nil {
		t.Fatal("the first interrupt cancelled the run")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in.ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the second interrupt did not cancel")
	}
	if !strings.Contains(out.String(), "Ctrl-C again to cancel at once") || !strings.Contains(out.String(), "gitops apply: cancelled") {
		t.Errorf("said:\n%s", out.String())
	}
}

func TestGoVersionProblem(t *testing.T) {
	for _, tc := range []struct {
		want, have, toolchain string
		problem               bool
	}{
		{"1.26.0", "go1.26.0", "local", false},
		{"1.26.0", "go1.26.3", "local", false},
		{"1.26.0", "go1.24.2", "local", true},
		{"1.26.0", "go1.24.2", "go1.24.2+path", true},
		{"1.26.0", "go1.24.2", "auto", false}, // go fetches 1.26 itself
		{"1.26.0", "devel", "local", false},
	} {
		err := goVersionProblem(tc.want, tc.have, tc.toolchain)
		if (err != nil) != tc.problem {
			t.Errorf("%+v: %v", tc, err)
		}
		if err != nil && !strings.Contains(err.Error(), "install Go 1.26.0 or newer") {
			t.Errorf("%+v: %v", tc, err)
		}
	}
	if v, err := goModVersion("../../../go.mod"); err != nil || v == "" {
		t.Errorf("go.mod's version: %q %v", v, err)
	}
}

// TestFirstWorkerBuildSaysSo builds a stand-in worker module: the first
// build says it takes minutes, the next (an up-to-date check) says nothing.
func TestFirstWorkerBuildSaysSo(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	mod := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":                         "module gitops\n\ngo 1.22\n",
		"tools/cmd/gitops-synth/main.go": "package main\n\nfunc main() {}\n",
	} {
		p := filepath.Join(mod, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GITOPS_SYNTH", "")
	t.Setenv("PATH", filepath.Dir(goCmd))
	cache := t.TempDir()
	var progress bytes.Buffer
	w, err := findSynthWorker(mod, cache, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(progress.String(), "building gitops-synth (first run, a few minutes)…") || !strings.HasPrefix(w.path, cache) {
		t.Errorf("first build: %s, said %q", w.path, progress.String())
	}
	progress.Reset()
	if _, err := findSynthWorker(mod, cache, &progress); err != nil || progress.Len() != 0 {
		t.Errorf("second build: %v, said %q", err, progress.String())
	}
}
