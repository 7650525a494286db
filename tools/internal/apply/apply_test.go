package apply

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"gitops/tools/internal/stacks"
)

var (
	topic        = res("AWS::SNS::Topic", nil)
	efsGeneral   = res("AWS::EFS::FileSystem", map[string]any{"PerformanceMode": "generalPurpose"})
	efsMaxIO     = res("AWS::EFS::FileSystem", map[string]any{"PerformanceMode": "maxIO"})
	amiParameter = res("AWS::SSM::Parameter", map[string]any{"Name": "/images/gitlab-runner", "Type": "String", "DataType": "aws:ec2:image", "Value": "ami-0123456789abcdef0"})
	textParam    = res("AWS::SSM::Parameter", map[string]any{"Name": "/gitops/label", "Type": "String", "Value": "hub"})
)

// modify is a Modify change; causes are properties that require
// recreation, others the rest.
func modify(id, typ string, replacement types.Replacement, causes []string, others ...string) types.Change {
	rc := &types.ResourceChange{
		Action: types.ChangeActionModify, LogicalResourceId: aws.String(id), ResourceType: aws.String(typ),
		PhysicalResourceId: aws.String("fs-0123"), Replacement: replacement,
	}
	for _, c := range causes {
		rc.Details = append(rc.Details, types.ResourceChangeDetail{Target: &types.ResourceTargetDefinition{
			Attribute: types.ResourceAttributeProperties, Name: aws.String(c), RequiresRecreation: types.RequiresRecreationAlways,
		}})
	}
	for _, o := range others {
		rc.Details = append(rc.Details, types.ResourceChangeDetail{Target: &types.ResourceTargetDefinition{
			Attribute: types.ResourceAttributeProperties, Name: aws.String(o), RequiresRecreation: types.RequiresRecreationNever,
		}})
	}
	return types.Change{Type: types.ChangeTypeResource, ResourceChange: rc}
}

func remove(id, typ string) types.Change {
	return types.Change{Type: types.ChangeTypeResource, ResourceChange: &types.ResourceChange{
		Action: types.ChangeActionRemove, LogicalResourceId: aws.String(id), ResourceType: aws.String(typ),
	}}
}

func TestStatefulChangesAreBlockedUnlessAllowed(t *testing.T) {
	cases := []struct {
		name           string
		before, after  map[string]TemplateResource
		change         types.Change
		allow, blocked []string
	}{
		{name: "EFS replaced", before: map[string]TemplateResource{"Data": efsGeneral}, after: map[string]TemplateResource{"Data": efsMaxIO},
			change: modify("Data", "AWS::EFS::FileSystem", types.ReplacementTrue, []string{"PerformanceMode"}), blocked: []string{"AWS::EFS::FileSystem/Data"}},
		{name: "EFS replaced and allowed", before: map[string]TemplateResource{"Data": efsGeneral}, after: map[string]TemplateResource{"Data": efsMaxIO},
			change: modify("Data", "AWS::EFS::FileSystem", types.ReplacementTrue, []string{"PerformanceMode"}), allow: []string{"AWS::EFS::FileSystem/Data"}},
		{name: "EFS changed in place", before: map[string]TemplateResource{"Data": efsGeneral}, after: map[string]TemplateResource{"Data": efsMaxIO},
			change: modify("Data", "AWS::EFS::FileSystem", types.ReplacementFalse, nil, "ThroughputMode")},
		{name: "Aurora cluster perhaps replaced", before: map[string]TemplateResource{"Db": res("AWS::RDS::DBCluster", nil)}, after: map[string]TemplateResource{"Db": res("AWS::RDS::DBCluster", map[string]any{"Port": 5433})},
			change: modify("Db", "AWS::RDS::DBCluster", types.ReplacementConditional, []string{"Port"}), blocked: []string{"AWS::RDS::DBCluster/Db"}},
		{name: "ECR repository removed", before: map[string]TemplateResource{"Images": res("AWS::ECR::Repository", nil), "Topic": topic}, after: map[string]TemplateResource{"Topic": topic},
			change: remove("Images", "AWS::ECR::Repository"), blocked: []string{"AWS::ECR::Repository/Images"}},
		{name: "CodeCommit repository removed", before: map[string]TemplateResource{"Repo": res("AWS::CodeCommit::Repository", nil), "Topic": topic}, after: map[string]TemplateResource{"Topic": topic},
			change: remove("Repo", "AWS::CodeCommit::Repository"), blocked: []string{"AWS::CodeCommit::Repository/Repo"}},
		{name: "S3 bucket removed", before: map[string]TemplateResource{"Logs": res("AWS::S3::Bucket", nil), "Topic": topic}, after: map[string]TemplateResource{"Topic": topic},
			change: remove("Logs", "AWS::S3::Bucket"), blocked: []string{"AWS::S3::Bucket/Logs"}},
		{name: "secret replaced", before: map[string]TemplateResource{"RootPassword": res("AWS::SecretsManager::Secret", nil)}, after: map[string]TemplateResource{"RootPassword": res("AWS::SecretsManager::Secret", map[string]any{"Name": "other"})},
			change: modify("RootPassword", "AWS::SecretsManager::Secret", types.ReplacementTrue, []string{"Name"}), blocked: []string{"AWS::SecretsManager::Secret/RootPassword"}},
		{name: "AMI parameter removed", before: map[string]TemplateResource{"RunnerAmi": amiParameter, "Topic": topic}, after: map[string]TemplateResource{"Topic": topic},
			change: remove("RunnerAmi", "AWS::SSM::Parameter"), blocked: []string{"AWS::SSM::Parameter/RunnerAmi"}},
		{name: "AMI parameter modified in place", before: map[string]TemplateResource{"RunnerAmi": amiParameter}, after: map[string]TemplateResource{"RunnerAmi": res("AWS::SSM::Parameter", map[string]any{"Name": "/images/gitlab-runner", "Type": "String", "DataType": "aws:ec2:image", "Value": "ami-0123456789abcdef0", "Description": "new"})},
			change: modify("RunnerAmi", "AWS::SSM::Parameter", types.ReplacementFalse, nil, "Description"), blocked: []string{"AWS::SSM::Parameter/RunnerAmi"}},
		{name: "text parameter modified in place", before: map[string]TemplateResource{"Label": textParam}, after: map[string]TemplateResource{"Label": res("AWS::SSM::Parameter", map[string]any{"Name": "/gitops/label", "Type": "String", "Value": "spoke"})},
			change: modify("Label", "AWS::SSM::Parameter", types.ReplacementFalse, nil, "Description")},
		{name: "text parameter removed", before: map[string]TemplateResource{"Label": textParam, "Topic": topic}, after: map[string]TemplateResource{"Topic": topic},
			change: remove("Label", "AWS::SSM::Parameter")},
		{name: "topic replaced", before: map[string]TemplateResource{"Topic": topic}, after: map[string]TemplateResource{"Topic": res("AWS::SNS::Topic", map[string]any{"TopicName": "x"})},
			change: modify("Topic", "AWS::SNS::Topic", types.ReplacementTrue, []string{"TopicName"})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld()
			spec := stackSpec{id: "tooling/eu-west-1/gitlab", resources: c.after}
			before := spec
			before.resources = c.before
			w.deploy(t, before, types.StackStatusUpdateComplete, nil).nextChanges = []types.Change{c.change}
			d := writeDeployment(t, spec)
			opts := w.options()
			var err error
			if opts.AllowReplace, err = ParseAllowReplace(c.allow); err != nil {
				t.Fatal(err)
			}
			r := Plan(context.Background(), d, d.Stacks, opts)
			s := r.Stacks[0]
			if s.Outcome != OutcomePlanned || len(s.Changes) != 1 {
				t.Fatalf("outcome %s with %d changes, want planned with 1:\n%s", s.Outcome, len(s.Changes), w.progress)
			}
			if !slices.Equal(s.Blocked, c.blocked) {
				t.Errorf("blocked %q, want %q", s.Blocked, c.blocked)
			}
		})
	}
}

func TestApplyRefusesStatefulReplacementUntilAllowed(t *testing.T) {
	w := newWorld()
	gitlab := stackSpec{id: "tooling/eu-west-1/gitlab", resources: map[string]TemplateResource{"Data": efsMaxIO, "Topic": topic}, outputs: []string{"Url"}}
	app := stackSpec{id: "dev/eu-west-1/app", deps: []string{gitlab.id}, resources: map[string]TemplateResource{"Topic": topic},
		params: []stacks.Parameter{{Name: "Url", Type: "String", Source: stacks.Source{Stack: gitlab.id, Output: "Url"}}}}
	before := gitlab
	before.resources = map[string]TemplateResource{"Data": efsGeneral, "Topic": topic}
	deployed := w.deploy(t, before, types.StackStatusUpdateComplete, nil)
	deployed.outputs = map[string]string{"Url": "https://gitlab.example.com"}
	replaceData := []types.Change{modify("Data", "AWS::EFS::FileSystem", types.ReplacementTrue, []string{"PerformanceMode"}, "FileSystemTags")}
	deployed.nextChanges = replaceData
	d := writeDeployment(t, gitlab, app)

	r := Apply(context.Background(), d, d.Stacks, w.options())
	if got, want := outcomes(r), "tooling/eu-west-1/gitlab refused\ndev/eu-west-1/app skipped"; got != want {
		t.Fatalf("outcomes:\n%s\nwant:\n%s\nprogress:\n%s", got, want, w.progress)
	}
	if !r.Failed() {
		t.Error("a refused stack must fail the run")
	}
	cf := w.cf(gitlab)
	if n := cf.called("ExecuteChangeSet"); n != 0 {
		t.Errorf("ExecuteChangeSet called %d times for a refused change set", n)
	}
	if len(cf.sets) != 1 {
		t.Errorf("%d change sets left, want the refused one kept for review", len(cf.sets))
	}
	for _, want := range []string{
		"tooling/eu-west-1/gitlab: update: 1 to modify (1 replaced) (change set gitops-apply-test); replaces or removes 1 stateful resource(s)\n",
		"tooling/eu-west-1/gitlab: refused: change set gitops-apply-test replaces or removes stateful resources: AWS::EFS::FileSystem/Data",
		"dev/eu-west-1/app: skipped: depends on tooling/eu-west-1/gitlab, which was refused",
	} {
		if !strings.Contains(w.progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, w.progress)
		}
	}
	// The resource list and the advice are the report's, not repeated as
	// progress.
	var text bytes.Buffer
	if err := Write(&text, "text", r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"~ AWS::EFS::FileSystem Data — REPLACEMENT True caused by *PerformanceMode* — changes FileSystemTags [stateful]",
		"run again with --allow-replace AWS::EFS::FileSystem/Data",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, text.String())
		}
		if strings.Contains(w.progress.String(), want) {
			t.Errorf("progress repeats the report's %q:\n%s", want, w.progress)
		}
	}
	var md bytes.Buffer
	if err := Write(&md, "markdown", r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| Modify | `Data` (stateful) | `AWS::EFS::FileSystem` | **True** | **`PerformanceMode`**, `FileSystemTags` |",
		"> :warning: Replaces or removes stateful **AWS::EFS::FileSystem/Data**: apply refuses it unless `--allow-replace AWS::EFS::FileSystem/Data`.",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}

	// Named on the command line, the same replacement goes ahead, and the
	// dependant in the other account gets the new output.
	deployed.nextChanges = replaceData
	opts := w.options()
	opts.AllowReplace = map[string]bool{"AWS::EFS::FileSystem/Data": true}
	r = Apply(context.Background(), d, d.Stacks, opts)
	if got, want := outcomes(r), "tooling/eu-west-1/gitlab applied\ndev/eu-west-1/app applied"; got != want {
		t.Fatalf("outcomes with --allow-replace:\n%s\nwant:\n%s\nprogress:\n%s", got, want, w.progress)
	}
	url := deployed.outputs["Url"]
	if got := w.cf(app).stacks[app.name()].params["Url"]; got != url || !strings.Contains(url, ":111111111111:") {
		t.Errorf("app parameter Url = %q, want the gitlab stack's output %q", got, url)
	}
}

// gateWriter collects progress and closes gate once the progress holds
// trigger: a fake stack can wait for a moment in the run.
type gateWriter struct {
	syncBuffer
	trigger string
	gate    chan struct{}
	once    sync.Once
	// do, when set, runs once with the gate's closing.
	do func()
}

func (g *gateWriter) Write(p []byte) (int, error) {
	n, err := g.syncBuffer.Write(p)
	if strings.Contains(g.String(), g.trigger) {
		g.once.Do(func() {
			close(g.gate)
			if g.do != nil {
				g.do()
			}
		})
	}
	return n, err
}

func TestApplyFailureShowsEventsStopsDependantsAndFinishesRunning(t *testing.T) {
	w := newWorld()
	a := stackSpec{id: "dev/eu-west-1/network", resources: map[string]TemplateResource{"Subnet": res("AWS::EC2::Subnet", map[string]any{"CidrBlock": "10.0.0.0/24"}), "Table": res("AWS::EC2::RouteTable", nil)}}
	b := stackSpec{id: "dev/eu-west-1/app", deps: []string{a.id}, resources: map[string]TemplateResource{"Topic": topic}}
	c := stackSpec{id: "tooling/eu-west-1/hub", resources: map[string]TemplateResource{"Topic": topic}}
	e := stackSpec{id: "tooling/eu-west-1/later", resources: map[string]TemplateResource{"Topic": topic}}

	before := a
	before.resources = map[string]TemplateResource{"Table": res("AWS::EC2::RouteTable", nil)}
	net := w.deploy(t, before, types.StackStatusUpdateComplete, nil)
	cfA := w.cf(a)
	// An earlier run's failure, which must not show again.
	cfA.stackEvent(net, types.ResourceStatusUpdateInProgress, "User Initiated")
	cfA.event(net, "Old", "AWS::EC2::Route", types.ResourceStatusUpdateFailed, "an earlier run's failure")
	cfA.stackEvent(net, types.ResourceStatus(types.StackStatusUpdateRollbackComplete), "")
	cfA.pageSize = 2
	net.failures = []fakeFailure{
		{"Subnet", "AWS::EC2::Subnet", `Resource handler returned message: "The CIDR '10.0.0.0/24' conflicts with another subnet"`},
		{"Table", "AWS::EC2::RouteTable", "Resource update cancelled"},
	}
	progress := &gateWriter{trigger: "dev/eu-west-1/app: skipped", gate: make(chan struct{})}
	hub := w.deploy(t, c, types.StackStatusUpdateComplete, nil)
	hub.body = `{"Resources":{}}`
	hub.execPolls, hub.gate = 2, progress.gate
	d := writeDeployment(t, a, b, c, e)

	opts := w.options()
	opts.Parallel = 2
	opts.Progress = progress
	r := Apply(context.Background(), d, d.Stacks, opts)
	want := "dev/eu-west-1/network failed\ndev/eu-west-1/app skipped\ntooling/eu-west-1/hub applied\ntooling/eu-west-1/later not started"
	if got := outcomes(r); got != want {
		t.Fatalf("outcomes:\n%s\nwant:\n%s\nprogress:\n%s", got, want, progress.String())
	}
	failed := r.Stacks[0]
	if failed.FinalStatus != "UPDATE_ROLLBACK_COMPLETE" || !strings.Contains(failed.Error, "ended UPDATE_ROLLBACK_COMPLETE") {
		t.Errorf("failed stack: status %s, error %q", failed.FinalStatus, failed.Error)
	}
	var reasons []string
	for _, ev := range failed.Events {
		reasons = append(reasons, ev.LogicalID+": "+ev.Reason)
	}
	wantReasons := []string{
		`Subnet: Resource handler returned message: "The CIDR '10.0.0.0/24' conflicts with another subnet"`,
		"Table: Resource update cancelled",
	}
	if !slices.Equal(reasons, wantReasons) {
		t.Errorf("events %q, want this run's failures, oldest first: %q", reasons, wantReasons)
	}
	for _, line := range []string{
		`dev/eu-west-1/network: failed: stack gitops-network ended UPDATE_ROLLBACK_COMPLETE (first failure: Subnet: Resource handler returned message: "The CIDR '10.0.0.0/24' conflicts with another subnet")`,
		"tooling/eu-west-1/hub: UPDATE_COMPLETE",
	} {
		if !strings.Contains(progress.String(), line) {
			t.Errorf("progress lacks %q:\n%s", line, progress.String())
		}
	}
	var text bytes.Buffer
	if err := Write(&text, "text", r); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`    Resource handler returned message: "The CIDR '10.0.0.0/24' conflicts with another subnet" — Subnet (AWS::EC2::Subnet) UPDATE_FAILED`,
		"  what to do: the stack is back as it was; fix the cause the events name and apply again",
	} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("report lacks %q:\n%s", line, text.String())
		}
	}
	if strings.Contains(progress.String(), "an earlier run's failure") {
		t.Errorf("progress shows an earlier run's event:\n%s", progress.String())
	}
}

func TestRollbackCompleteStackIsDeletedAndCreatedAgain(t *testing.T) {
	w := newWorld()
	hub := stackSpec{id: "tooling/eu-west-1/hub", resources: map[string]TemplateResource{"Topic": topic}}
	w.deploy(t, hub, types.StackStatusRollbackComplete, nil)
	d := writeDeployment(t, hub)
	cf := w.cf(hub)

	r := Plan(context.Background(), d, d.Stacks, w.options())
	if s := r.Stacks[0]; s.Action != ActionRecreate || s.Outcome != OutcomePlanned || len(s.Changes) != 1 || s.Changes[0].Action != "Add" {
		t.Errorf("plan: action %s, outcome %s, changes %+v; want recreate, planned, the template's Topic to add", s.Action, s.Outcome, s.Changes)
	}
	if cf.called("DeleteStack")+cf.called("CreateChangeSet") != 0 {
		t.Errorf("plan changed something: %q", cf.calls)
	}

	r = Apply(context.Background(), d, d.Stacks, w.options())
	if s := r.Stacks[0]; s.Action != ActionRecreate || s.Outcome != OutcomeApplied || s.FinalStatus != "CREATE_COMPLETE" {
		t.Fatalf("apply: action %s, outcome %s, status %s:\n%s", s.Action, s.Outcome, s.FinalStatus, w.progress)
	}
	deleted := slices.IndexFunc(cf.calls, func(c string) bool { return strings.HasPrefix(c, "DeleteStack ") })
	created := slices.IndexFunc(cf.calls, func(c string) bool { return strings.HasPrefix(c, "CreateChangeSet ") })
	if deleted < 0 || created < deleted {
		t.Errorf("want DeleteStack, then CreateChangeSet: %q", cf.calls)
	}
	if want := "stack gitops-hub is ROLLBACK_COMPLETE: its creation failed and was rolled back, so it holds nothing; deleting it to create it again"; !strings.Contains(w.progress.String(), want) {
		t.Errorf("progress lacks %q:\n%s", want, w.progress)
	}
}

func TestUpdateRollbackFailedStopsWithAdvice(t *testing.T) {
	w := newWorld()
	gitlab := stackSpec{id: "tooling/eu-west-1/gitlab", resources: map[string]TemplateResource{"Service": res("AWS::ECS::Service", nil)}}
	app := stackSpec{id: "tooling/eu-west-1/app", deps: []string{gitlab.id}, resources: map[string]TemplateResource{"Topic": topic}}
	st := w.deploy(t, gitlab, types.StackStatusUpdateRollbackFailed, nil)
	cf := w.cf(gitlab)
	cf.stackEvent(st, types.ResourceStatusUpdateInProgress, "User Initiated")
	cf.event(st, "Service", "AWS::ECS::Service", types.ResourceStatusUpdateFailed, "Service gitlab did not stabilize")
	cf.stackEvent(st, types.ResourceStatus(types.StackStatusUpdateRollbackInProgress), "")
	cf.event(st, "Service", "AWS::ECS::Service", types.ResourceStatusUpdateFailed, "Cluster gitops was deleted outside CloudFormation")
	cf.stackEvent(st, types.ResourceStatus(types.StackStatusUpdateRollbackFailed), "")
	d := writeDeployment(t, gitlab, app)

	for _, command := range []string{"plan", "apply"} {
		t.Run(command, func(t *testing.T) {
			var r *Result
			if command == "plan" {
				r = Plan(context.Background(), d, d.Stacks, w.options())
			} else {
				r = Apply(context.Background(), d, d.Stacks, w.options())
			}
			s := r.Stacks[0]
			if s.Outcome != OutcomeFailed || !strings.Contains(s.Error, "UPDATE_ROLLBACK_FAILED") {
				t.Fatalf("outcome %s, error %q", s.Outcome, s.Error)
			}
			want := "aws cloudformation continue-update-rollback --stack-name gitops-gitlab --region eu-west-1 --role-arn arn:aws:iam::111111111111:role/gitops-cfn-exec"
			if !strings.Contains(s.Advice, want) {
				t.Errorf("advice %q lacks %q", s.Advice, want)
			}
			if len(s.Events) != 2 || s.Events[0].Reason != "Service gitlab did not stabilize" {
				t.Errorf("events %+v, want the update's failure first, then the rollback's", s.Events)
			}
			if command == "apply" && r.Stacks[1].Outcome != OutcomeSkipped {
				t.Errorf("the dependant was %s, want skipped", r.Stacks[1].Outcome)
			}
		})
	}
	if slices.Contains(cf.calls, "CreateChangeSet gitops-gitlab") {
		t.Errorf("a change set was made for a stack in UPDATE_ROLLBACK_FAILED: %q", cf.calls)
	}
}

func TestStackBusyWithAnotherRun(t *testing.T) {
	hub := stackSpec{id: "tooling/eu-west-1/hub", resources: map[string]TemplateResource{"Topic": topic, "Label": textParam}}
	before := hub
	before.resources = map[string]TemplateResource{"Topic": topic}
	cases := []struct {
		name     string
		polls    int
		busyWait time.Duration
		outcome  Outcome
		progress string
	}{
		{"waits for it to end", 3, time.Minute, OutcomeApplied, "the other run ended: UPDATE_COMPLETE"},
		{"refuses after the wait", 1000, 10 * time.Second, OutcomeFailed, "stack gitops-hub is UPDATE_IN_PROGRESS: another run is changing it, and two runs must not race on one stack"},
		{"refuses at once without a wait", 1000, 0, OutcomeFailed, "another run is changing it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld()
			st := w.deploy(t, before, types.StackStatusUpdateInProgress, nil)
			st.busyPolls, st.settleTo = c.polls, types.StackStatusUpdateComplete
			d := writeDeployment(t, hub)
			opts := w.options()
			opts.BusyWait = c.busyWait
			r := Apply(context.Background(), d, d.Stacks, opts)
			if s := r.Stacks[0]; s.Outcome != c.outcome {
				t.Fatalf("outcome %s (%s), want %s:\n%s", s.Outcome, s.Error, c.outcome, w.progress)
			}
			if !strings.Contains(w.progress.String(), c.progress) {
				t.Errorf("progress lacks %q:\n%s", c.progress, w.progress)
			}
			if n := w.cf(hub).called("CreateChangeSet"); (n > 0) != (c.outcome == OutcomeApplied) {
				t.Errorf("CreateChangeSet called %d times", n)
			}
		})
	}
}

func TestThrottledCallsAreTriedAgainWithBackoff(t *testing.T) {
	hub := stackSpec{id: "tooling/eu-west-1/hub", resources: map[string]TemplateResource{"Topic": topic}}
	t.Run("throttled for a while", func(t *testing.T) {
		w := newWorld()
		cf := w.cf(hub)
		cf.throttle = map[string]int{"DescribeStacks": 3, "CreateChangeSet": 2, "DescribeChangeSet": 1, "ExecuteChangeSet": 1}
		d := writeDeployment(t, hub)
		r := Apply(context.Background(), d, d.Stacks, w.options())
		if s := r.Stacks[0]; s.Outcome != OutcomeApplied {
			t.Fatalf("outcome %s (%s):\n%s", s.Outcome, s.Error, w.progress)
		}
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
		if got := w.clock.slept(); len(got) < 3 || !slices.Equal(got[:3], want) {
			t.Errorf("pauses %v, want them to start %v", got, want)
		}
	})
	t.Run("throttled for good", func(t *testing.T) {
		w := newWorld()
		cf := w.cf(hub)
		cf.throttle = map[string]int{"DescribeStacks": 1000}
		d := writeDeployment(t, hub)
		r := Apply(context.Background(), d, d.Stacks, w.options())
		if s := r.Stacks[0]; s.Outcome != OutcomeFailed || !strings.Contains(s.Error, "Rate exceeded") {
			t.Fatalf("outcome %s (%s), want failed with the throttling message", s.Outcome, s.Error)
		}
		if n := cf.called("DescribeStacks"); n != throttleRetries+1 {
			t.Errorf("DescribeStacks called %d times, want %d", n, throttleRetries+1)
		}
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second}
		if got := w.clock.slept(); !slices.Equal(got, want) {
			t.Errorf("pauses %v, want %v", got, want)
		}
	})
}

func TestNoChangesIsNotAnError(t *testing.T) {
	amiSource := []stacks.Parameter{{Name: "Ami", Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Source: stacks.Source{SSM: "/images/gitlab-runner"}}}
	literal := []stacks.Parameter{{Name: "Label", Type: "String", Source: stacks.Source{Literal: "hub"}}}
	cases := []struct {
		name            string
		params          []stacks.Parameter
		deployed        map[string]string
		asError         bool
		wantChangeSets  int
		wantDeletedSets int
	}{
		// A stack reading SSM always gets a change set: the AMI may be new.
		{name: "FAILED change set that didn't contain changes", params: amiSource, deployed: map[string]string{"Ami": "/images/gitlab-runner"}, wantChangeSets: 1, wantDeletedSets: 1},
		{name: "CreateChangeSet says no updates are to be performed", params: amiSource, deployed: map[string]string{"Ami": "/images/gitlab-runner"}, asError: true, wantChangeSets: 1},
		{name: "same template and parameters: no change set at all", params: literal, deployed: map[string]string{"Label": "hub"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld()
			hub := stackSpec{id: "tooling/eu-west-1/hub", params: c.params, resources: map[string]TemplateResource{"Topic": topic}}
			w.deploy(t, hub, types.StackStatusUpdateComplete, c.deployed)
			cf := w.cf(hub)
			cf.noChangesAsError = c.asError
			d := writeDeployment(t, hub)
			for _, run := range []func(context.Context, *Deployment, []*Stack, Options) *Result{Plan, Apply} {
				r := run(context.Background(), d, d.Stacks, w.options())
				if s := r.Stacks[0]; s.Outcome != OutcomeUnchanged || s.Action != ActionNone || s.ChangeSet != "" {
					t.Fatalf("%s: outcome %s, action %s, change set %q (%s)", r.Command, s.Outcome, s.Action, s.ChangeSet, s.Error)
				}
				if r.Failed() || r.Summary() != "no changes: all 1 stacks are up to date" {
					t.Errorf("%s: %q", r.Command, r.Summary())
				}
			}
			if got := cf.called("CreateChangeSet"); got != 2*c.wantChangeSets {
				t.Errorf("CreateChangeSet called %d times, want %d", got, 2*c.wantChangeSets)
			}
			if got := cf.called("DeleteChangeSet"); got != 2*c.wantDeletedSets {
				t.Errorf("DeleteChangeSet called %d times, want %d", got, 2*c.wantDeletedSets)
			}
			if len(cf.sets) != 0 || cf.called("ExecuteChangeSet") != 0 {
				t.Errorf("left %d change sets, executed %d", len(cf.sets), cf.called("ExecuteChangeSet"))
			}
		})
	}
}

func TestChangeSetsArePolledAndPagedAndProgressShown(t *testing.T) {
	w := newWorld()
	hub := stackSpec{id: "tooling/eu-west-1/hub", resources: map[string]TemplateResource{"A": topic, "B": topic, "C": topic}}
	before := hub
	before.resources = map[string]TemplateResource{}
	st := w.deploy(t, before, types.StackStatusUpdateComplete, nil)
	st.execPolls, st.staleDescribes = 8, 1
	cf := w.cf(hub)
	cf.pendingPolls, cf.pageSize = 2, 1
	d := writeDeployment(t, hub)
	opts := w.options()
	opts.PollInterval = 10 * time.Second
	r := Apply(context.Background(), d, d.Stacks, opts)
	s := r.Stacks[0]
	if s.Outcome != OutcomeApplied || s.FinalStatus != "UPDATE_COMPLETE" {
		t.Fatalf("outcome %s, status %s:\n%s", s.Outcome, s.FinalStatus, w.progress)
	}
	var ids []string
	for _, c := range s.Changes {
		ids = append(ids, c.Action+" "+c.LogicalID)
	}
	if want := []string{"Add A", "Add B", "Add C"}; !slices.Equal(ids, want) {
		t.Errorf("changes %q, want every page: %q", ids, want)
	}
	// The stale UPDATE_COMPLETE right after ExecuteChangeSet is not taken
	// for the end; the status repeats every 30s while it does not change.
	var statusLines []string
	for _, l := range strings.Split(w.progress.String(), "\n") {
		if strings.HasPrefix(l, hub.id+": UPDATE_") {
			statusLines = append(statusLines, strings.TrimPrefix(l, hub.id+": "))
		}
	}
	want := []string{"UPDATE_COMPLETE (0s)", "UPDATE_IN_PROGRESS (10s)", "UPDATE_IN_PROGRESS (40s)", "UPDATE_IN_PROGRESS (1m10s)", "UPDATE_COMPLETE (1m30s)"}
	if !slices.Equal(statusLines, want) {
		t.Errorf("status lines %q, want %q", statusLines, want)
	}
}

// A deploy-role stack whose update IAM refuses the execution role (a stack
// kind new to the account widens it) says who must deploy it and how.
func TestDeployRoleAccessDeniedSaysAnAdministratorMustDeployIt(t *testing.T) {
	for _, kind := range []stacks.Kind{stacks.KindDeployRole, stacks.KindNetwork} {
		w := newWorld()
		role := stackSpec{id: "dev/eu-west-1/deploy-role", kind: kind, resources: map[string]TemplateResource{"Topic": topic, "ExecutionRole": res("AWS::IAM::Role", nil)}}
		before := role
		before.resources = map[string]TemplateResource{"Topic": topic}
		st := w.deploy(t, before, types.StackStatusUpdateComplete, nil)
		st.failures = []fakeFailure{{"ExecutionRole", "AWS::IAM::Role",
			"Resource handler returned message: \"User: arn:aws:sts::222222222222:assumed-role/gitops-cfn-exec/x is not authorized to perform: iam:PutRolePolicy (Service: Iam, Status Code: 403, Error Code: AccessDenied)\""}}
		d := writeDeployment(t, role)
		r := Apply(context.Background(), d, d.Stacks, w.options())
		var text bytes.Buffer
		if err := Write(&text, "text", r); err != nil {
			t.Fatal(err)
		}
		advice := "an administrator of account dev (" + testAccountIDs["dev"] + ") must deploy stack gitops-deploy-role once with their own credentials: `bin/gitops apply --account dev --stack gitops-deploy-role`"
		if got := strings.Contains(text.String(), advice); got != (kind == stacks.KindDeployRole) {
			t.Errorf("%s stack: report says an administrator must deploy it: %v, want %v:\n%s", kind, got, kind == stacks.KindDeployRole, text.String())
		}
		if !r.Failed() || !strings.Contains(text.String(), "iam:PutRolePolicy") {
			t.Errorf("%s stack: want a failure naming the refused action:\n%s", kind, text.String())
		}
	}
}
