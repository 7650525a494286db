package apply

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"gitops/tools/internal/stacks"
)

// onProgress returns a progress writer that calls do once the progress
// holds trigger, from the goroutine that wrote it: a test can interrupt a
// run at a chosen moment.
func onProgress(trigger string, do func()) *gateWriter {
	return &gateWriter{trigger: trigger, gate: make(chan struct{}), do: do}
}

// interruptWorld is three stacks: hub, app (which needs hub) and an
// independent other, worked on one at a time.
func interruptWorld(t *testing.T) (*world, *Deployment, stackSpec, stackSpec, stackSpec) {
	w := newWorld()
	hub := stackSpec{id: "tooling/eu-west-1/hub", resources: map[string]TemplateResource{"Topic": topic}}
	app := stackSpec{id: "dev/eu-west-1/app", deps: []string{hub.id}, resources: map[string]TemplateResource{"Topic": topic}}
	other := stackSpec{id: "dev/eu-west-1/other", resources: map[string]TemplateResource{"Topic": topic}}
	d := writeDeployment(t, hub, app, other)
	w.deploy(t, stackSpec{id: hub.id}, types.StackStatusCreateComplete, nil).execPolls = 3
	return w, d, hub, app, other
}

func TestFirstInterruptFinishesTheRunningStackAndStartsNoOther(t *testing.T) {
	w, d, hub, _, _ := interruptWorld(t)
	stop := make(chan struct{})
	opts := w.options()
	opts.Parallel = 1
	opts.Stop = stop
	opts.Progress = onProgress(hub.id+": executing change set", func() { close(stop) })
	r := Apply(context.Background(), d, d.Stacks, opts)
	want := "tooling/eu-west-1/hub applied\ndev/eu-west-1/app not started\ndev/eu-west-1/other not started"
	if got := outcomes(r); got != want || !r.Interrupted {
		t.Fatalf("outcomes (interrupted %v):\n%s\nwant:\n%s", r.Interrupted, got, want)
	}
	if got := r.Stacks[1].Error; got != "interrupted before it started" {
		t.Errorf("app: %q", got)
	}
	if !strings.HasPrefix(r.Summary(), "interrupted, 1 applied") {
		t.Errorf("summary %q", r.Summary())
	}
}

func TestInterruptBetweenPlanAndExecuteDeletesTheChangeSet(t *testing.T) {
	w, d, hub, _, _ := interruptWorld(t)
	stop := make(chan struct{})
	opts := w.options()
	opts.Parallel = 1
	opts.Stop = stop
	opts.Progress = onProgress(hub.id+": update: 1 to add", func() { close(stop) })
	r := Apply(context.Background(), d, d.Stacks, opts)
	res := r.Stacks[0]
	if res.Outcome != OutcomeNotStarted || res.Error != "interrupted before its change set ran; change set gitops-apply-test deleted" {
		t.Fatalf("hub: %s: %q", res.Outcome, res.Error)
	}
	cf := w.cf(hub)
	if n := cf.called("ExecuteChangeSet"); n != 0 {
		t.Errorf("ExecuteChangeSet called %d times after the interrupt", n)
	}
	if len(cf.sets) != 0 {
		t.Errorf("%d change sets left behind", len(cf.sets))
	}
	if !r.Failed() {
		t.Error("an interrupted apply reports success")
	}
}

func TestSecondInterruptCancelsAndNamesTheStacksMidUpdate(t *testing.T) {
	w, d, hub, _, _ := interruptWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := w.options()
	opts.Parallel = 1
	opts.Progress = onProgress(hub.id+": executing change set", cancel)
	r := Apply(ctx, d, d.Stacks, opts)
	if res := r.Stacks[0]; res.Outcome != OutcomeInterrupted || !strings.Contains(res.Error, "may still be mid-update") {
		t.Fatalf("hub: %s: %q", res.Outcome, res.Error)
	}
	if got := r.MidUpdate(); len(got) != 1 || got[0] != "tooling/eu-west-1/hub (gitops-hub)" {
		t.Errorf("mid-update: %q", got)
	}
	if r.Stacks[2].Outcome != OutcomeNotStarted {
		t.Errorf("other: %s", r.Stacks[2].Outcome)
	}
}

func TestKeepGoingRunsTheIndependentStacksPastAFailure(t *testing.T) {
	for _, keepGoing := range []bool{false, true} {
		w, d, hub, _, _ := interruptWorld(t)
		w.cf(hub).stack("gitops-hub").failures = []fakeFailure{{"Topic", "AWS::SNS::Topic", "boom"}}
		opts := w.options()
		opts.Parallel = 1
		opts.KeepGoing = keepGoing
		r := Apply(context.Background(), d, d.Stacks, opts)
		want := "tooling/eu-west-1/hub failed\ndev/eu-west-1/app skipped\ndev/eu-west-1/other not started"
		if keepGoing {
			want = "tooling/eu-west-1/hub failed\ndev/eu-west-1/app skipped\ndev/eu-west-1/other applied"
		}
		if got := outcomes(r); got != want {
			t.Errorf("keep going %v:\n%s\nwant:\n%s", keepGoing, got, want)
		}
	}
}

func TestPlanNamesAStackItWaitsForOnce(t *testing.T) {
	w := newWorld()
	hub := stackSpec{id: "tooling/eu-west-1/hub", resources: map[string]TemplateResource{"Topic": topic}, outputs: []string{"A", "B", "C"}}
	var params []stacks.Parameter
	for _, o := range hub.outputs {
		params = append(params, stacks.Parameter{Name: o, Source: stacks.Source{Stack: hub.id, Output: o}})
	}
	app := stackSpec{id: "dev/eu-west-1/app", deps: []string{hub.id}, params: params, resources: map[string]TemplateResource{"Topic": topic}}
	d := writeDeployment(t, hub, app)
	// Deployed without the outputs the new template adds.
	w.deploy(t, stackSpec{id: hub.id, resources: map[string]TemplateResource{"Topic": topic}}, types.StackStatusCreateComplete, nil)
	w.deploy(t, stackSpec{id: app.id, resources: map[string]TemplateResource{"Topic": topic}}, types.StackStatusCreateComplete, nil)
	r := Plan(context.Background(), d, d.Stacks, w.options())
	if got, want := r.Stacks[1].Pending, "after tooling/eu-west-1/hub, whose change adds outputs A, B, C"; got != want {
		t.Errorf("pending %q, want %q", got, want)
	}
}

func TestWaitNotesNameTheCreatedStacksOnce(t *testing.T) {
	waits := []*outputWait{
		{producer: "a", why: createdByRun},
		{producer: "b", why: "adds", outputs: []string{"X", "Y"}},
		{producer: "c", why: createdByRun},
		{producer: "d", why: createdByRun},
	}
	want := "after a, c and d, which this run creates, for their outputs; after b, whose change adds outputs X, Y"
	if got := waitNotes(waits); got != want {
		t.Errorf("notes:\n%s\nwant:\n%s", got, want)
	}
	if got := waitNotes(waits[:1]); got != "after a, which this run creates, for its outputs" {
		t.Errorf("one stack: %s", got)
	}
}
