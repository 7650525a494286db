package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/apply"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
	"gitops/tools/internal/stacks/stackstest"
)

// deployRoot is a repository holding only the apply tests' two-account
// generated/.
func deployRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "generated"), os.DirFS("../apply/testdata/twoaccounts/generated")); err != nil {
		t.Fatal(err)
	}
	recordEstate(t, root)
	return root
}

// recordEstate writes the hash of root's estate and its allowReplace:
// entries into its generated/ manifest, as compile would.
func recordEstate(t *testing.T, root string) {
	t.Helper()
	hash, err := load.EstateHash(root)
	if err != nil {
		t.Fatal(err)
	}
	// The documents' allowReplace: entries travel in the manifest.
	e, _, err := load.LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	stackstest.EditManifest(t, filepath.Join(root, "generated"), func(m *stacks.Manifest) {
		m.EstateSHA256 = hash
		m.AllowReplace = stacks.NewOperations(e).AllowReplace
	})
}

func TestPlanAndApplyCommandsAgainstMoto(t *testing.T) {
	motoserver.Need(t)
	root := deployRoot(t)
	t.Setenv("GITOPS_RUN_ID", "mr-7")

	planReport := filepath.Join(t.TempDir(), "plan")
	code, out, progress := runGitops("plan", "--root", root, "--format", "markdown", "--report", planReport)
	if code != ExitOK {
		t.Fatalf("plan: exit %d\n%s%s", code, out, progress)
	}
	for _, want := range []string{
		"### gitops plan\n\n**3 to create, 1 waiting for other stacks' outputs**",
		"| `dev/eu-west-1/app` | dev (222222222222) | eu-west-1 | create after tooling/eu-west-1/hub, which this run creates, for its outputs |",
		"| Add | `Events` | `AWS::SNS::Topic` |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan markdown lacks %q:\n%s", want, out)
		}
	}
	if md, err := os.ReadFile(filepath.Join(planReport, "plan.md")); err != nil || string(md) != out {
		t.Errorf("plan --report wrote another plan.md than --format markdown shows: %v", err)
	}
	if !strings.Contains(progress, "tooling/eu-west-1/hub: create: 2 to add (change set gitops-plan-mr-7)\n") || strings.Contains(progress, "AWS::SNS::Topic") {
		t.Errorf("plan progress (stderr) lacks the stack's line or repeats the report's resources:\n%s", progress)
	}
	if strings.Contains(out, "change sets `gitops-plan-mr-7`") {
		t.Errorf("plan names change sets it deleted:\n%s", out)
	}

	report := filepath.Join(t.TempDir(), "report")
	code, out, errOut := runGitops("apply", "--root", root, "--report", report)
	if code != ExitOK {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	// Progress on stderr, the report on stdout, each line once.
	for _, want := range []string{
		"gitops apply: 4 stacks, at most 4 at once, change sets gitops-apply-mr-7\n",
		"dev/eu-west-1/app: CREATE_COMPLETE (0s)\n",
	} {
		if !strings.Contains(errOut, want) || strings.Contains(out, want) {
			t.Errorf("apply progress lacks %q, or the report repeats it:\n%s\nreport:\n%s", want, errOut, out)
		}
	}
	if !strings.HasPrefix(out, "gitops apply: 4 applied (") {
		t.Errorf("apply report:\n%s", out)
	}
	var result apply.Result
	data, err := os.ReadFile(filepath.Join(report, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &result); err != nil || result.Count(apply.OutcomeApplied) != 4 {
		t.Errorf("plan.json: %v, %d applied", err, result.Count(apply.OutcomeApplied))
	}
	if md, err := os.ReadFile(filepath.Join(report, "plan.md")); err != nil || !strings.HasPrefix(string(md), "### gitops apply\n\n**4 applied**") {
		t.Errorf("plan.md: %v\n%s", err, md)
	}

	code, out, _ = runGitops("apply", "--root", root)
	if code != ExitOK || !strings.Contains(out, "gitops apply: no changes: all 4 stacks are up to date") {
		t.Errorf("second apply: exit %d\n%s", code, out)
	}
	if strings.Contains(out+errOut+progress, "testing-secret-never-printed") {
		t.Error("a secret access key was printed")
	}

	// A parameter fed by an output the stack does not have fails its
	// stack, and the run exits 1.
	manifest := filepath.Join(root, "generated", "manifest.json")
	data, _ = os.ReadFile(manifest)
	os.WriteFile(manifest, []byte(strings.Replace(string(data), `"output": "EventsTopicArn"`, `"output": "Missing"`, 1)), 0o644)
	code, out, _ = runGitops("apply", "--root", root, "--account", "dev")
	if code != ExitFindings || !strings.Contains(out, "failed: stack tooling/eu-west-1/hub has no output Missing (it has EventsTopicArn, LabelName)") {
		t.Errorf("apply with a missing output: exit %d\n%s", code, out)
	}
}

func TestDeployCommandUsageErrors(t *testing.T) {
	root := deployRoot(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"apply", "--root", root, "--stack", "gitops-hbu"}, `the manifest has no stack "gitops-hbu" (did you mean "gitops-hub"?)`},
		{[]string{"plan", "--root", root, "--account", "prd"}, `the manifest has no account "prd"`},
		{[]string{"apply", "--root", root, "--allow-replace", "EFS"}, "--allow-replace \"EFS\": want TYPE/ID"},
		{[]string{"plan", "--root", root, "--format", "yaml"}, `unknown format "yaml"`},
		{[]string{"apply", "--root", root, "--parallel", "0"}, "--parallel must be at least 1"},
		{[]string{"plan", "--root", t.TempDir()}, "reading the manifest"},
		{[]string{"apply", "--root", root, "extra"}, "unexpected arguments: extra"},
	}
	for _, c := range cases {
		code, _, errOut := runGitops(c.args...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("gitops %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}

func TestDeployRoleNamesComeFromTheManifest(t *testing.T) {
	d, err := apply.LoadDeployment(filepath.Join(exampleRoot, "generated"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Operations.Accounts) == 0 {
		t.Fatal("the example manifest has no accounts")
	}
	for _, a := range d.Operations.Accounts {
		if a.Name == "" || a.ID == "" || a.DeployRole != estate.DefaultDeployRoleName {
			t.Errorf("account %+v", a)
		}
	}
}

func TestPlanRoleReplacesEveryDeployRole(t *testing.T) {
	accounts := []stacks.Account{{Name: "dev", ID: "1", DeployRole: "gitops-deploy"}, {Name: "prod", ID: "2", DeployRole: "prod-deployer"}}
	got := withRole(accounts, "gitops-plan")
	for i, a := range got {
		if a.DeployRole != "gitops-plan" || a.ID != accounts[i].ID || a.Name != accounts[i].Name {
			t.Errorf("%+v", a)
		}
	}
	if accounts[0].DeployRole != "gitops-deploy" || accounts[1].DeployRole != "prod-deployer" {
		t.Errorf("the manifest's own accounts were changed: %+v", accounts)
	}
	if got := withRole(accounts, ""); !slices.Equal(got, accounts) {
		t.Errorf("without --role: %+v", got)
	}
}

// TestPlanKeepsChangeSetsWhenTold: plan deletes its change sets once
// reported unless --keep-change-sets, which leaves them for review.
func TestPlanKeepsChangeSetsWhenTold(t *testing.T) {
	motoserver.Need(t)
	root := deployRoot(t)
	t.Setenv("GITOPS_RUN_ID", "mr-8")
	code, out, errOut := runGitops("plan", "--root", root, "--format", "json", "--keep-change-sets")
	if code != ExitOK {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	var result apply.Result
	if err := json.Unmarshal([]byte(out), &result); err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, s := range result.Stacks {
		if s.ChangeSet == "gitops-plan-mr-8" {
			kept++
		}
	}
	if kept != 3 {
		t.Errorf("%d change sets kept, want the 3 plan made:\n%s", kept, out)
	}
}
