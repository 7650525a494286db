package diff

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gitops/tools/internal/apply"
	"gitops/tools/internal/motoserver"
)

// copyGenerated copies apply's two-account deployment into dir/generated.
func copyGenerated(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(dir, "generated")
	if err := os.CopyFS(dst, os.DirFS("../apply/testdata/twoaccounts/generated")); err != nil {
		t.Fatal(err)
	}
	return dst
}

// motoApplyOptions reach the accounts of d's manifest in moto.
func motoApplyOptions(t *testing.T, d *apply.Deployment, name string) apply.Options {
	t.Helper()
	clients, err := apply.NewAWSClients(context.Background(), apply.AWSOptions{Accounts: d.Operations.Accounts, SessionName: apply.SessionName("diff-test"), MaxAttempts: apply.MaxAttemptsFromEnv()})
	if err != nil {
		t.Fatal(err)
	}
	return apply.Options{Clients: clients, ChangeSetName: name, PollInterval: time.Millisecond, Cleanup: true}
}

// The offline prediction agrees with the change sets moto makes: the same
// resources added, modified and removed in every stack. Moto does not
// model replacement, so the test checks diff's own verdicts on those.
func TestMotoPredictionAgreesWithChangeSets(t *testing.T) {
	motoserver.Need(t)
	baseDir, headDir := t.TempDir(), t.TempDir()
	baseGen, headGen := copyGenerated(t, baseDir), copyGenerated(t, headDir)
	d, err := apply.LoadDeployment(baseGen)
	if err != nil {
		t.Fatal(err)
	}
	if res := apply.Apply(context.Background(), d, d.Stacks, motoApplyOptions(t, d, "diff-base")); res.Failed() {
		t.Fatalf("deploying the base: %s", res.Summary())
	}

	editTemplate(t, headDir, "dev/eu-west-1/deploy-role", func(res map[string]any) {
		props(res, "Marker")["Value"] = "steady" // in place
	})
	editTemplate(t, headDir, "tooling/eu-west-1/deploy-role", func(res map[string]any) {
		props(res, "Marker")["Name"] = "/gitops/tooling/deploy-role-2" // create-only: replaced
	})
	editTemplate(t, headDir, "tooling/eu-west-1/hub", func(res map[string]any) {
		res["Extra"] = map[string]any{"Type": "AWS::SSM::Parameter", "Properties": map[string]any{"Name": "/gitops/hub/extra", "Type": "String", "Value": "x"}}
	})
	editTemplate(t, headDir, "dev/eu-west-1/app", func(res map[string]any) {
		delete(res, "HubTopic")
	})

	head, err := apply.LoadDeployment(headGen)
	if err != nil {
		t.Fatal(err)
	}
	plan := apply.Plan(context.Background(), head, head.Stacks, motoApplyOptions(t, head, "diff-head"))
	if plan.Failed() {
		t.Fatalf("plan on moto: %s", plan.Summary())
	}
	baseSide, err := ReadDir(baseDir, baseGen)
	if err != nil {
		t.Fatal(err)
	}
	headSide, err := ReadDir(headDir, headGen)
	if err != nil {
		t.Fatal(err)
	}
	predicted := Compare(baseSide, headSide)

	type change struct{ stack, id, action string }
	var fromMoto, fromDiff []change
	for _, s := range plan.Stacks {
		for _, c := range s.Changes {
			fromMoto = append(fromMoto, change{s.ID, c.LogicalID, c.Action})
		}
	}
	for _, s := range predicted.Stacks {
		for _, rd := range s.Resources {
			fromDiff = append(fromDiff, change{s.ID, rd.LogicalID, rd.Action})
		}
	}
	less := func(a, b change) int {
		if c := cmp.Compare(a.stack, b.stack); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	}
	slices.SortFunc(fromMoto, less)
	slices.SortFunc(fromDiff, less)
	if len(fromMoto) != 4 || !slices.Equal(fromMoto, fromDiff) {
		t.Errorf("change sets on moto:\n%v\ndiff predicted:\n%v", fromMoto, fromDiff)
	}
	if rd := find(t, predicted, "tooling/eu-west-1/deploy-role", "Marker"); rd.Replacement != ReplaceTrue {
		t.Errorf("renamed SSM parameter: replacement %s, want True (Name is create-only)", rd.Replacement)
	}
	if rd := find(t, predicted, "dev/eu-west-1/deploy-role", "Marker"); rd.Replacement != ReplaceFalse {
		t.Errorf("new SSM parameter value: replacement %s, want False", rd.Replacement)
	}
}
