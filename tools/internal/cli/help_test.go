package cli

import (
	"bytes"
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
