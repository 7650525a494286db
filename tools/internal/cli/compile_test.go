package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gitops/tools/internal/stacks"
)

// The test binary doubles as a fake synth worker, so the compile driver is
// tested without node or the CDK: each "template" holds the planned stack
// in its Metadata, and every synthesized stack ID is appended to $FAKE_SYNTH_LOG.
func init() {
	if os.Getenv("FAKE_SYNTH") != "1" {
		return
	}
	processes, _ := os.OpenFile(os.Getenv("FAKE_SYNTH_LOG")+".processes", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	fmt.Fprintf(processes, "start %d\n", os.Getpid())
	data, _ := io.ReadAll(os.Stdin)
	job, err := stacks.DecodeJob(data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake synth:", err)
		os.Exit(1)
	}
	fmt.Fprintf(processes, "job %d\n", os.Getpid())
	processes.Close()
	failStack := os.Getenv("FAKE_SYNTH_FAIL_STACK")
	if failStack != "" && !slices.ContainsFunc(job.Stacks, func(s *stacks.Stack) bool { return s.ID == failStack }) {
		// The other jobs take a while, as a real worker's do.
		time.Sleep(300 * time.Millisecond)
	}
	if os.Getenv("FAKE_SYNTH_FAIL") != "" || slices.ContainsFunc(job.Stacks, func(s *stacks.Stack) bool { return s.ID == failStack }) {
		// What jsii-runtime-go prints as node exits, glued to the next line.
		fmt.Fprint(os.Stderr, jsiiWaitNoise)
		fmt.Fprintln(os.Stderr, "fake synth: failing as asked")
		os.Exit(1)
	}
	res := stacks.JobResult{Version: stacks.JobVersion}
	if v := os.Getenv("FAKE_SYNTH_VERSION"); v != "" {
		fmt.Sscan(v, &res.Version)
	}
	log, _ := os.OpenFile(os.Getenv("FAKE_SYNTH_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	for _, s := range job.Stacks {
		// Template-shaped, so compile's limit check reads it as one.
		b, _ := json.MarshalIndent(map[string]any{"Resources": map[string]any{}, "Metadata": map[string]any{"PlannedStack": s}}, "", " ")
		res.Templates = append(res.Templates, stacks.JobTemplate{Stack: s.ID, Template: b})
		fmt.Fprintln(log, s.ID)
	}
	log.Close()
	// A line on stderr, as the CDK prints: it must not reach the answer.
	fmt.Fprintln(os.Stderr, "fake synth: done")
	json.NewEncoder(os.Stdout).Encode(res)
	os.Exit(0)
}

const estateFixture = "../synth/testdata/estate"

// compileEnv copies the fixture estate into a temporary repository and
// points gitops at the fake worker and a private cache.
type compileEnv struct {
	t    *testing.T
	root string
	log  string
}

func newCompileEnv(t *testing.T) *compileEnv {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(estateFixture)); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := &compileEnv{t: t, root: root, log: filepath.Join(t.TempDir(), "synth.log")}
	t.Setenv("GITOPS_SYNTH", exe)
	t.Setenv("GITOPS_CACHE", t.TempDir())
	t.Setenv("FAKE_SYNTH", "1")
	t.Setenv("FAKE_SYNTH_LOG", env.log)
	return env
}

// run runs gitops with args and returns the exit code and output.
func (e *compileEnv) run(args ...string) (int, string) {
	var out bytes.Buffer
	code := Main(args, &out, &out)
	return code, out.String()
}

// synthesized returns the stack IDs the fake worker synthesized since the
// last call.
func (e *compileEnv) synthesized() []string {
	data, _ := os.ReadFile(e.log)
	os.Remove(e.log)
	return strings.Fields(string(data))
}

func (e *compileEnv) edit(name, old, new string) {
	e.t.Helper()
	p := filepath.Join(e.root, filepath.FromSlash(name))
	data, err := os.ReadFile(p)
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		e.t.Fatalf("%s does not contain %q", name, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func TestCompileWritesGenerated(t *testing.T) {
	e := newCompileEnv(t)
	code, out := e.run("compile", "--root", e.root)
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	// With an access-log bucket stack in each of the two accounts and
	// regions holding load balancers or buckets, and prod's template
	// bucket stack in eu-central-1 (its deploy role is in eu-west-1).
	if n := len(e.synthesized()); n != 23 {
		t.Errorf("synthesized %d stacks, want 23", n)
	}
	gen := filepath.Join(e.root, "generated")
	var m stacks.Manifest
	data, err := os.ReadFile(filepath.Join(gen, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Stacks) != 23 {
		t.Fatalf("manifest lists %d stacks", len(m.Stacks))
	}
	// The component documents as ImageBuilder receives them.
	doc, err := os.ReadFile(filepath.Join(gen, "imagerecipes", "base", "harden.yaml"))
	if err != nil || !strings.HasPrefix(string(doc), "# Hardening steps for the base image.\nname: harden\n") {
		t.Errorf("component document: %v\n%s", err, doc)
	}
	for _, s := range m.Stacks {
		tmpl, err := os.ReadFile(filepath.Join(gen, filepath.FromSlash(s.Template)))
		if err != nil {
			t.Errorf("%s: %v", s.ID, err)
			continue
		}
		if stacks.SHA256Hex(tmpl) != s.SHA256 {
			t.Errorf("%s: manifest hash does not match the template", s.ID)
		}
	}
	// No temporary directories are left next to generated/.
	entries, _ := os.ReadDir(e.root)
	for _, d := range entries {
		if strings.HasPrefix(d.Name(), ".generated") {
			t.Errorf("left behind: %s", d.Name())
		}
	}
}

func TestCompileNoOpAndIncremental(t *testing.T) {
	e := newCompileEnv(t)
	if code, out := e.run("compile", "--root", e.root); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	e.synthesized()
	code, out := e.run("compile", "--root", e.root)
	if code != ExitOK || !strings.Contains(out, "generated/ is up to date: 23 stacks (0 synthesized)") {
		t.Errorf("second compile: exit %d:\n%s", code, out)
	}
	if got := e.synthesized(); len(got) != 0 {
		t.Errorf("a no-op compile synthesized %v", got)
	}
	// One VPC option changes one stack.
	e.edit("environments/prod/network.yaml", "flowLogs: {disabled: true}", "flowLogs: {retentionDays: 30}")
	if code, out := e.run("compile", "--root", e.root); code != ExitOK || !strings.Contains(out, "0 added, 0 removed, 2 changed files") {
		t.Errorf("after an edit: exit %d:\n%s", code, out)
	}
	if got := e.synthesized(); len(got) != 1 || got[0] != "prod/eu-west-1/network-app" {
		t.Errorf("an edit of prod's network synthesized %v", got)
	}
	// A component document changes its file and its recipe's stack.
	e.edit("imagerecipes/components/harden.yaml", "sshd -t", "sshd -t -f /etc/ssh/sshd_config")
	if code, out := e.run("compile", "--root", e.root); code != ExitOK || !strings.Contains(out, "0 added, 0 removed, 3 changed files") {
		t.Errorf("after a component edit: exit %d:\n%s", code, out)
	}
	if got := e.synthesized(); len(got) != 1 || got[0] != "tooling/eu-west-1/imagerecipe-base" {
		t.Errorf("a component edit synthesized %v", got)
	}
	// Going back is served from the cache: no synth at all.
	e.edit("environments/prod/network.yaml", "flowLogs: {retentionDays: 30}", "flowLogs: {disabled: true}")
	if code, out := e.run("compile", "--root", e.root); code != ExitOK {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if got := e.synthesized(); len(got) != 0 {
		t.Errorf("reverting synthesized %v", got)
	}
}

// gitops starts its first worker process before it validates the estate,
// and hands it the first job: an edit's compile starts no other.
func TestCompileHandsTheEarlyWorkerTheJob(t *testing.T) {
	e := newCompileEnv(t)
	if code, out := e.run("compile", "--root", e.root); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	os.Remove(e.log + ".processes")
	e.edit("environments/prod/network.yaml", "flowLogs: {disabled: true}", "flowLogs: {retentionDays: 30}")
	if code, out := e.run("compile", "--root", e.root); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	data, _ := os.ReadFile(e.log + ".processes")
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "start ") || lines[1] != "job "+strings.TrimPrefix(lines[0], "start ") {
		t.Errorf("worker processes of an edit's compile:\n%s\nwant one, started and given the job", data)
	}
}

// A batch that fails stops the other chunk's worker processes: the
// compile reports the error without synthesizing the rest.
func TestCompileFailureStopsTheOtherChunk(t *testing.T) {
	e := newCompileEnv(t)
	defer func(n int) { stacksPerWorker = n }(stacksPerWorker)
	stacksPerWorker = 2
	_, plan, _, err := loadAndValidate(e.root)
	if err != nil || plan == nil {
		t.Fatalf("the fixture does not plan: %v", err)
	}
	// The plan's first stack is in its chunk's first batch.
	t.Setenv("FAKE_SYNTH_FAIL_STACK", plan.Stacks[0].ID)
	code, out := e.run("compile", "--root", e.root)
	if code != ExitFindings || !strings.Contains(out, "failing as asked") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	data, _ := os.ReadFile(e.log + ".processes")
	// The failing batch and the other chunk's first, which runs alongside;
	// without the stop, every batch of the other chunk too.
	if jobs := strings.Count(string(data), "job "); jobs > 3 {
		t.Errorf("%d worker processes got a job after one failed at once; want at most 3 of the %d batches", jobs, (len(plan.Stacks)+1)/2)
	}
}

func TestCompileCheck(t *testing.T) {
	e := newCompileEnv(t)
	code, out := e.run("compile", "--root", e.root, "--check")
	if code != ExitFindings || !strings.Contains(out, "missing  generated/manifest.json") {
		t.Errorf("check before any compile: exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(e.root, "generated")); err == nil {
		t.Error("--check wrote generated/")
	}
	e.run("compile", "--root", e.root)
	if code, out := e.run("compile", "--root", e.root, "--check"); code != ExitOK || !strings.Contains(out, "generated/ is current") {
		t.Errorf("check after compile: exit %d:\n%s", code, out)
	}
	gen := filepath.Join(e.root, "generated")
	os.WriteFile(filepath.Join(gen, "prod/eu-west-1/network-app.template.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(gen, "stale.template.json"), []byte("{}"), 0o644)
	os.Remove(filepath.Join(gen, "tooling/eu-west-1/deploy-role.template.json"))
	code, out = e.run("compile", "--root", e.root, "--check")
	want := "generated/ is not what the estate compiles to; run gitops compile and commit the result:\n" +
		"  missing  generated/tooling/eu-west-1/deploy-role.template.json\n" +
		"  extra    generated/stale.template.json\n" +
		"  differs  generated/prod/eu-west-1/network-app.template.json\n"
	// Validation's warnings (the fixture has one) come first.
	if code != ExitFindings || !strings.HasSuffix(out, want) {
		t.Errorf("check of an edited generated/: exit %d:\n%s\nwant:\n%s", code, out, want)
	}
	// compile puts it right, stray file included.
	e.run("compile", "--root", e.root)
	if code, out := e.run("compile", "--root", e.root, "--check"); code != ExitOK {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestCompileRefusesInvalidEstate(t *testing.T) {
	e := newCompileEnv(t)
	e.edit("accounts/prod.yaml", "regions: [eu-west-1, eu-central-1]", "regions: [eu-west-1, eu-wst-1]")
	code, out := e.run("compile", "--root", e.root)
	if code != ExitFindings || !strings.Contains(out, `"eu-wst-1" is not an AWS region`) || !strings.Contains(out, "fix them first") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(e.root, "generated")); err == nil {
		t.Error("generated/ written for an invalid estate")
	}
}

func TestCompileWorkerFailureKeepsGenerated(t *testing.T) {
	e := newCompileEnv(t)
	e.run("compile", "--root", e.root)
	before, _ := os.ReadFile(filepath.Join(e.root, "generated", "manifest.json"))
	e.edit("environments/prod/network.yaml", "cidr: 10.2.0.0/16", "cidr: 10.3.0.0/16")
	t.Setenv("FAKE_SYNTH_FAIL", "1")
	code, out := e.run("compile", "--root", e.root)
	if code != ExitFindings || !strings.Contains(out, "\nfake synth: failing as asked") || strings.Contains(out, "Runtime process") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	after, _ := os.ReadFile(filepath.Join(e.root, "generated", "manifest.json"))
	if !bytes.Equal(before, after) {
		t.Error("a failed compile changed generated/")
	}
}

func TestCompileRefusesAWorkerOfAnotherVersion(t *testing.T) {
	e := newCompileEnv(t)
	t.Setenv("FAKE_SYNTH_VERSION", "1")
	code, out := e.run("compile", "--root", e.root)
	if code != ExitFindings || !strings.Contains(out, fmt.Sprintf("the answer has protocol version 1, this build speaks version %d", stacks.JobVersion)) ||
		!strings.Contains(out, "build both from one checkout") || !strings.Contains(out, "fake synth: done") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(e.root, "generated")); err == nil {
		t.Error("a refused answer wrote generated/")
	}
}

func TestSplitByWeight(t *testing.T) {
	var todo []*stacks.Stack
	for i := range 10 {
		s := &stacks.Stack{StackHeader: stacks.StackHeader{ID: fmt.Sprint(i), Kind: stacks.KindDeployRole}}
		if i < 2 {
			s.Kind = stacks.KindGitLab
		}
		todo = append(todo, s)
	}
	chunks := splitByWeight(todo, 2)
	if len(chunks) != 2 {
		t.Fatalf("want 2 chunks, got %d", len(chunks))
	}
	load := func(c []*stacks.Stack) (w int) {
		for _, s := range c {
			w += s.SynthCost()
		}
		return w
	}
	if a, b := load(chunks[0]), load(chunks[1]); a-b > 1 || b-a > 1 {
		t.Errorf("unbalanced chunks: %d and %d", a, b)
	}
	if chunks[0][0].Kind != stacks.KindGitLab || chunks[1][0].Kind != stacks.KindGitLab {
		t.Error("the two GitLab stacks should go to different workers")
	}
	if n := len(splitByWeight(todo[:1], 2)); n != 1 {
		t.Errorf("one stack makes %d chunks", n)
	}
}
