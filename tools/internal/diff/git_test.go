package diff

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
	"gitops/tools/internal/stacks/stackstest"
)

// exampleRepo copies the example estate and its generated/ into a new Git
// repository with one commit and returns its directory.
func exampleRepo(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	dir := t.TempDir()
	for _, sub := range []string{"accounts", "environments", "imagerecipes", "generated"} {
		if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join("../../..", sub))); err != nil {
			t.Fatal(err)
		}
	}
	run(t, dir, "git", "init", "-q", "-b", "main")
	run(t, dir, "git", "add", "-A")
	run(t, dir, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
	return dir
}

func run(t testing.TB, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// editFile replaces old with new in a file of the repository, once.
func editFile(t *testing.T, dir, file, old, new string) {
	t.Helper()
	p := filepath.Join(dir, file)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not hold %q", file, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// editTemplate changes a compiled template the way compile would, and its
// digest in the manifest.
func editTemplate(t *testing.T, dir, stackID string, change func(resources map[string]any)) {
	t.Helper()
	stackstest.EditTemplate(t, filepath.Join(dir, "generated"), stackID, change)
}

func props(resources map[string]any, id string) map[string]any {
	return resources[id].(map[string]any)["Properties"].(map[string]any)
}

// recordEstate writes the YAML's hash and operations (allowReplace:
// entries among them) into the manifest, as compile does (the tests change
// templates by hand, so that compile need not run).
func recordEstate(t *testing.T, dir string) {
	t.Helper()
	hash, err := load.EstateHash(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := load.LoadEstate(dir)
	if err != nil {
		t.Fatal(err)
	}
	stackstest.EditManifest(t, filepath.Join(dir, "generated"), func(m *stacks.Manifest) {
		m.EstateSHA256 = hash
		m.Operations = *stacks.NewOperations(e)
	})
}

// diffRepo diffs the working tree of dir, compiled, against main.
func diffRepo(t *testing.T, dir string) *Result {
	t.Helper()
	recordEstate(t, dir)
	base, err := ReadGit(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	head, err := ReadDir(dir, filepath.Join(dir, "generated"))
	if err != nil {
		t.Fatal(err)
	}
	return Run(base, head)
}

// finding returns the one finding of rule, failing unless there is one.
func finding(t *testing.T, r *Result, rule string) diag.Diagnostic {
	t.Helper()
	var found []diag.Diagnostic
	for _, f := range r.Findings {
		if f.Rule == rule {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s finding, got %d: %v", rule, len(found), r.Findings)
	}
	return found[0]
}

func at(t *testing.T, f diag.Diagnostic, file string, line int) {
	t.Helper()
	if f.Pos.File != file || f.Pos.Line != line {
		t.Errorf("%s at %s:%d, want %s:%d: %s", f.Rule, f.Pos.File, f.Pos.Line, file, line, f.Message)
	}
}

func TestExampleAgainstItselfIsEmpty(t *testing.T) {
	dir := exampleRepo(t)
	r := diffRepo(t, dir)
	if !r.Empty() || len(r.Findings) > 0 {
		t.Fatalf("the example against itself: %s %v", mustJSON(r), r.Findings)
	}
	var out strings.Builder
	if err := Write(&out, "text", dir, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\n"+NoChanges+"\n") {
		t.Errorf("a no-op does not say %q:\n%s", NoChanges, out.String())
	}
}

func TestSubnetRenumberingIsNamed(t *testing.T) {
	dir := exampleRepo(t)
	editFile(t, dir, "environments/dev/network.yaml", "prefix: 22", "prefix: 21")
	editTemplate(t, dir, "dev/eu-west-1/network-dev-app", func(res map[string]any) {
		props(res, "DevAppPrivateASubnet")["CidrBlock"] = "10.21.8.0/21"
		props(res, "DevAppPrivateBSubnet")["CidrBlock"] = "10.21.16.0/21"
	})
	r := diffRepo(t, dir)
	f := finding(t, r, "diff-subnet-renumber")
	at(t, f, "environments/dev/network.yaml", 16)
	if !strings.Contains(f.Message, "private-a 10.21.4.0/22 → 10.21.8.0/21") {
		t.Errorf("message does not name the move: %s", f.Message)
	}
	if rd := find(t, r, "dev/eu-west-1/network-dev-app", "DevAppPrivateASubnet"); rd.Replacement != ReplaceTrue {
		t.Errorf("renumbered subnet: %+v", rd)
	}
	if rd := find(t, r, "dev/eu-west-1/network-dev-app", "DevAppPrivateARouteTableAssociation"); rd.Replacement != ReplaceTrue {
		t.Errorf("its route table association: %+v", rd)
	}
}

func TestStatefulReplacementPointsAtTheYAMLAndAllowReplace(t *testing.T) {
	dir := exampleRepo(t)
	editFile(t, dir, "environments/tooling/gitlab.yaml", "throughputMode: elastic", "throughputMode: bursting")
	editTemplate(t, dir, "tooling/eu-west-1/gitlab-gitlab", func(res map[string]any) {
		props(res, "GitlabFileSystem")["PerformanceMode"] = "maxIO"
	})
	r := diffRepo(t, dir)
	f := finding(t, r, "diff-replace-stateful")
	at(t, f, "environments/tooling/gitlab.yaml", 20)
	if f.Severity != diag.Error || !strings.Contains(f.Message, "AWS::EFS::FileSystem GitlabFileSystem") || !strings.Contains(f.Message, "throughputMode: elastic → bursting") {
		t.Errorf("finding: %s", f)
	}
	if !strings.Contains(f.Hint, "allowReplace: [AWS::EFS::FileSystem/GitlabFileSystem]") {
		t.Errorf("hint does not say how to allow it: %s", f.Hint)
	}

	// Declared, the same change passes, and the diff says it is allowed.
	editFile(t, dir, "environments/tooling/gitlab.yaml", "kind: GitLab\n", "kind: GitLab\nallowReplace: [AWS::EFS::FileSystem/GitlabFileSystem]\n")
	r = diffRepo(t, dir)
	if r.Errors() > 0 {
		t.Fatalf("allowed replacement still an error: %v", r.Findings)
	}
	if rd := find(t, r, "tooling/eu-west-1/gitlab-gitlab", "GitlabFileSystem"); !rd.Allowed {
		t.Errorf("not marked allowed: %+v", rd)
	}

	// Left in place after the apply, the entry is a warning.
	run(t, dir, "git", "add", "-A")
	run(t, dir, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "applied")
	r = diffRepo(t, dir)
	at(t, finding(t, r, "diff-allow-unused"), "environments/tooling/gitlab.yaml", 4)
}

func TestRemovedMirrorLosesItsRepository(t *testing.T) {
	dir := exampleRepo(t)
	editFile(t, dir, "environments/tooling/mirrors.yaml", "kind: Mirror\nname: webapp\ngitlab: gitlab\nproject: platform/webapp\nbranches: [main]\naccount: tooling\nregion: eu-west-1\ncodeCommit:\n  repository: webapp\n---\n", "")
	editTemplate(t, dir, "tooling/eu-west-1/mirrors", func(res map[string]any) {
		delete(res, "WebappRepository")
		delete(res, "WebappMirrorUser")
	})
	r := diffRepo(t, dir)
	f := finding(t, r, "diff-remove-stateful")
	at(t, f, "environments/tooling/mirrors.yaml", 1)
	if !strings.Contains(f.Message, "Mirror webapp is removed") || !strings.Contains(f.Message, "AWS::CodeCommit::Repository WebappRepository") {
		t.Errorf("finding: %s", f)
	}
	if w := finding(t, r, "diff-remove"); !strings.Contains(w.Message, "removes 2 resources") {
		t.Errorf("removal summary: %s", w)
	}
}

func TestGitLabDowngradeIsAnError(t *testing.T) {
	dir := exampleRepo(t)
	editFile(t, dir, "environments/tooling/gitlab.yaml", "tag: 17.11.1-ce.0", "tag: 16.0.0-ce.0")
	r := diffRepo(t, dir)
	at(t, finding(t, r, "diff-gitlab-downgrade"), "environments/tooling/gitlab.yaml", 12)
}

// BenchmarkDiffExample is gitops diff on the example estate against a
// commit of itself: read both sides (one side through git) and compare.
func BenchmarkDiffExample(b *testing.B) {
	dir := exampleRepo(b)
	for b.Loop() {
		base, err := ReadGit(dir, "main")
		if err != nil {
			b.Fatal(err)
		}
		head, err := ReadDir(dir, filepath.Join(dir, "generated"))
		if err != nil {
			b.Fatal(err)
		}
		if r := Run(base, head); !r.Empty() {
			b.Fatal("the example differs from itself")
		}
	}
}

func TestMergeBase(t *testing.T) {
	dir := exampleRepo(t)
	out, err := git(dir, "rev-parse", "main")
	if err != nil {
		t.Fatal(err)
	}
	mainSHA := strings.TrimSpace(out)
	run(t, dir, "git", "checkout", "-q", "-b", "mr")
	editFile(t, dir, "environments/dev/network.yaml", "prefix: 22", "prefix: 23")
	run(t, dir, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "mr")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if got, err := MergeBase(dir, getenv); err != nil || got != mainSHA {
		t.Errorf("merge-base of a branch off main: %q, %v; want %s", got, err, mainSHA)
	}
	env["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = "abc"
	if got, _ := MergeBase(dir, getenv); got != "abc" {
		t.Errorf("in a merge-request pipeline: %q, want the diff base", got)
	}
	env["CI_MERGE_REQUEST_TARGET_BRANCH_SHA"] = "def"
	if got, _ := MergeBase(dir, getenv); got != "def" {
		t.Errorf("in a merged-results pipeline: %q, want the target branch's commit", got)
	}
}

func TestVPCCIDRAndAccountIDChangesAreNamed(t *testing.T) {
	dir := exampleRepo(t)
	editFile(t, dir, "environments/dev/network.yaml", "cidr: 10.21.0.0/16", "cidr: 10.31.0.0/16")
	editFile(t, dir, "accounts/dev.yaml", `id: "200000000002"`, `id: "200000000009"`)
	r := diffRepo(t, dir)
	f := finding(t, r, "diff-vpc-cidr")
	at(t, f, "environments/dev/network.yaml", 8)
	if !strings.Contains(f.Message, "VPC dev-app, attached to transit gateway hub (attachment dev-app), from 10.21.0.0/16 to 10.31.0.0/16") {
		t.Errorf("message: %s", f.Message)
	}
	f = finding(t, r, "diff-account-id")
	at(t, f, "accounts/dev.yaml", 5)
	if !strings.Contains(f.Message, "from 200000000002 to 200000000009") {
		t.Errorf("message: %s", f.Message)
	}
	// A renumbered VPC is named once, not also as renumbered subnets.
	for _, f := range r.Findings {
		if f.Rule == "diff-subnet-renumber" {
			t.Errorf("unexpected %s", f)
		}
	}
}

func TestStaleGeneratedIsRefused(t *testing.T) {
	dir := exampleRepo(t)
	editFile(t, dir, "environments/dev/network.yaml", "prefix: 22", "prefix: 21")
	_, err := ReadDir(dir, filepath.Join(dir, "generated"))
	if err == nil || !strings.Contains(err.Error(), "is not what the YAML compiles to") {
		t.Fatalf("a generated/ older than the YAML: %v", err)
	}
}

// Every resource of the example's compiled stacks traces back to a document
// of a kind its stack is compiled from; a new stack kind needs its row in
// docKinds.
func TestEveryExampleResourceTracesToItsDocument(t *testing.T) {
	dir := exampleRepo(t)
	head, err := ReadDir(dir, filepath.Join(dir, "generated"))
	if err != nil {
		t.Fatal(err)
	}
	docs := documents(head.Estate)
	for i := range head.Manifest.Stacks {
		h := &head.Manifest.Stacks[i]
		kinds, ok := docKinds[h.Kind]
		if !ok {
			t.Errorf("stack %s: kind %s has no documents in docKinds", h.ID, h.Kind)
			continue
		}
		for _, id := range sortedIDs(head.Templates[h.ID].Resources) {
			loc := locate(docs, h, id)
			if loc == nil || !slices.Contains(kinds, loc.doc.kind) {
				t.Errorf("%s/%s traces to %+v", h.ID, id, loc)
			}
		}
	}
}

// A resource compiled from two documents (a Transit Gateway attachment is
// the gateway's and its VPC's) is traced to the one that changed.
func TestCauseAmongSeveralDocuments(t *testing.T) {
	dir := exampleRepo(t)
	base, err := ReadGit(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	editFile(t, dir, "environments/tooling/transit-gateway.yaml", "    vpc: dev-app\n    subnets: [tgw-a, tgw-b]", "    vpc: dev-app\n    subnets: [tgw-a]")
	recordEstate(t, dir)
	head, err := ReadDir(dir, filepath.Join(dir, "generated"))
	if err != nil {
		t.Fatal(err)
	}
	tr := newTracer(base, head)
	d := &StackDiff{ID: "dev/eu-west-1/network-dev-app", Name: "gitops-network-dev-app", AccountID: "200000000002", Region: "eu-west-1"}
	if header(head, d) == nil {
		t.Fatalf("no stack %s in the example", d.ID)
	}
	pos, why := tr.cause(d, ResourceDiff{LogicalID: "HubDevAppAttachment", Type: "AWS::EC2::TransitGatewayAttachment", Action: ActionModify})
	if pos.File != "environments/tooling/transit-gateway.yaml" || pos.Line != 18 || !strings.Contains(why, "subnets: [tgw-a tgw-b] → [tgw-a]") {
		t.Errorf("cause at %s:%d (%s), want the attachment's subnets at transit-gateway.yaml:18", pos.File, pos.Line, why)
	}
}
