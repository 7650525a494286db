package apply

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/render")

// renderedResult has one stack of each kind a reviewer meets.
func renderedResult() *Result {
	return &Result{
		Command: "plan", ChangeSet: "gitops-plan-42", Elapsed: Seconds(83 * time.Second),
		Stacks: []*StackResult{
			{ID: "tooling/eu-west-1/deploy-role", Name: "gitops-deploy-role", Account: "tooling", AccountID: "111111111111", Region: "eu-west-1",
				Status: "UPDATE_COMPLETE", Action: ActionNone, Outcome: OutcomeUnchanged, Changes: []Change{}},
			{ID: "tooling/eu-west-1/gitlab", Name: "gitops-gitlab", Account: "tooling", AccountID: "111111111111", Region: "eu-west-1",
				Status: "UPDATE_COMPLETE", Action: ActionUpdate, Outcome: OutcomePlanned, ChangeSet: "gitops-plan-42",
				Changes: []Change{
					{Action: "Add", LogicalID: "Backups", Type: "AWS::Backup::BackupPlan"},
					{Action: "Modify", LogicalID: "Data", PhysicalID: "fs-0123", Type: "AWS::EFS::FileSystem", Replacement: "True",
						Causes: []string{"PerformanceMode"}, Properties: []string{"FileSystemTags"}, Stateful: true},
					{Action: "Modify", LogicalID: "Service", Type: "AWS::ECS::Service", Replacement: "False", Properties: []string{"TaskDefinition"}},
					{Action: "Remove", LogicalID: "OldRule", Type: "AWS::EC2::SecurityGroupIngress"},
				},
				Blocked: []string{"AWS::EFS::FileSystem/Data"}},
			{ID: "dev/eu-west-1/app", Name: "gitops-app", Account: "dev", AccountID: "222222222222", Region: "eu-west-1",
				Action: ActionCreate, Outcome: OutcomePlanned, Pending: "after tooling/eu-west-1/hub, which this run creates, for its outputs",
				Changes: []Change{{Action: "Add", LogicalID: "Topic", Type: "AWS::SNS::Topic"}}},
			{ID: "dev/eu-west-1/network", Name: "gitops-network", Account: "dev", AccountID: "222222222222", Region: "eu-west-1",
				Status: "UPDATE_ROLLBACK_FAILED", Outcome: OutcomeFailed, Changes: []Change{},
				Error:  "stack gitops-network is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback",
				Advice: "run `aws cloudformation continue-update-rollback --stack-name gitops-network --region eu-west-1`",
				Events: []Event{{Reason: "Route table rtb-1 | in use", LogicalID: "Routes", Type: "AWS::EC2::RouteTable", Status: "UPDATE_FAILED"}}},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, format, renderedResult()); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "render", "plan."+map[string]string{"text": "txt", "json": "json", "markdown": "md"}[format])
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", format, golden, b.String())
			}
			if format == "json" && !json.Valid(b.Bytes()) {
				t.Error("the JSON form is not valid JSON")
			}
		})
	}
	if err := Write(&bytes.Buffer{}, "yaml", renderedResult()); err == nil {
		t.Error("an unknown format must be an error")
	}
}
