package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"gitops/tools/internal/motoserver"
)

// The demo in-process: the example estate's generated/ planned and applied
// against moto (with the repository's fix), as sh tools/demo.sh does. What
// moto cannot do must come out as "not emulated", never as a failure, and
// a second apply finds nothing to change.
func TestApplyExampleAgainstMoto(t *testing.T) {
	motoserver.Need(t)
	root := filepath.Join("..", "..", "..")
	run := func(runID string, args ...string) (int, string) {
		t.Setenv("GITOPS_RUN_ID", runID)
		var out, errOut bytes.Buffer
		code := Main(append(args, "--root", root), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := run("test-plan", "plan"); code != ExitOK {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	code, out := run("test-apply", "apply")
	if code != ExitOK || !strings.Contains(out, "talking to an emulator") || strings.Contains(out, ": failed:") || strings.Contains(out, ": skipped:") {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"tooling/eu-west-1/gitlab-gitlab-image: not emulated: copying image docker.io/gitlab/gitlab-ce",
		"not emulated: accepting the RAM invitation to share gitops-tgw-hub",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q", want)
		}
	}
	if code, out := run("test-again", "apply"); code != ExitOK || !strings.Contains(out, "unchanged") {
		t.Errorf("second apply: exit %d\n%s", code, out)
	}
}
