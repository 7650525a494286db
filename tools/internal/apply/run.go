// Package apply deploys generated/: for every stack of the manifest it
// creates a CloudFormation change set (CREATE when the stack does not exist,
// UPDATE otherwise), reads it back as a plan and, for apply, executes it —
// in the manifest's dependency order, independent stacks in parallel,
// each stack's outputs fed into the parameters of the stacks that need
// them, in whichever account they live. It reads the manifest and the
// templates only: no YAML, no CDK.
package apply

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Options tune a plan or apply run. The zero value of each field but
// Clients is a sensible default.
type Options struct {
	// Clients gives the CloudFormation client of each account and region.
	Clients Clients
	// Images copies the container images stacks ask for (apply only).
	Images ImageCopier
	// Shares accepts the RAM invitations stacks ask for (apply only).
	Shares ShareAccepter
	// SMTP writes the SMTP credentials stacks ask for (apply only).
	SMTP SMTPSync
	// Zones associates private hosted zones with the VPCs of other
	// accounts and regions (apply only).
	Zones ZoneAssociator
	// Emulator is the endpoint the SDK is pointed at when it is not AWS
	// (EndpointOverride): steps the emulator has no service for are left
	// out and reported as not emulated, and missing outputs are explained
	// as the emulator's.
	Emulator string
	// Parallel bounds how many stacks are worked on at once (default 4).
	Parallel int
	// ChangeSetName names the change sets of the run (default
	// gitops-<command>-<UTC time>).
	ChangeSetName string
	// AllowReplace holds TYPE/ID of the stateful resources a change set may
	// replace or remove.
	AllowReplace map[string]bool
	// Cleanup makes plan delete the change sets it reports.
	Cleanup bool
	// KeepGoing lets apply go on with the stacks that do not depend on a
	// failed one, instead of starting nothing new.
	KeepGoing bool
	// Stop, once closed, asks the run to start no new stack, let the
	// running ones finish and delete the change sets it made and did not
	// execute (the first Ctrl-C). Cancelling the context stops at once
	// (the second).
	Stop <-chan struct{}
	// BusyWait is how long to wait for a stack that another run is
	// changing before refusing it; 0 refuses at once.
	BusyWait time.Duration
	// StackTimeout bounds the wait for one stack's change set to execute
	// (default 2h).
	StackTimeout time.Duration
	// PollInterval is the pause between two looks at a change set or a
	// stack (default 5s).
	PollInterval time.Duration
	// ProgressEvery repeats a stack's unchanged status this often
	// (default 30s), so a long wait shows it is alive.
	ProgressEvery time.Duration
	// Progress receives the progress lines; nil discards them.
	Progress io.Writer
	// Now and Sleep are the clock; tests replace them so waits take no
	// time.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

func (o *Options) defaults(command string) {
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.ChangeSetName == "" {
		o.ChangeSetName = "gitops-" + command + "-" + o.Now().UTC().Format("20060102T150405Z")
	}
	if o.StackTimeout <= 0 {
		o.StackTimeout = 2 * time.Hour
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Second
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 30 * time.Second
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Plan makes the change sets of the selected stacks and describes them. It
// executes nothing; the change sets stay for review unless opts.Cleanup.
func Plan(ctx context.Context, d *Deployment, selected []*Stack, opts Options) *Result {
	opts.defaults("plan")
	r := newRun(d, selected, opts, false)
	return r.run(ctx)
}

// Apply plans each selected stack once the stacks it depends on are done,
// then executes its change set and waits for it. A failure stops the
// stacks that depend on it and starts nothing new; what already runs
// finishes.
func Apply(ctx context.Context, d *Deployment, selected []*Stack, opts Options) *Result {
	opts.defaults("apply")
	r := newRun(d, selected, opts, true)
	return r.run(ctx)
}

// run is one plan or apply.
type run struct {
	opts     Options
	d        *Deployment
	list     []*Stack
	selected map[string]bool
	apply    bool
	results  map[string]*StackResult

	mu sync.Mutex
	// outputs of the stacks seen so far, by stack ID.
	outputs map[string]map[string]string
}

func newRun(d *Deployment, list []*Stack, opts Options, apply bool) *run {
	r := &run{
		opts: opts, d: d, list: list, apply: apply,
		selected: map[string]bool{},
		results:  map[string]*StackResult{},
		outputs:  map[string]map[string]string{},
	}
	for _, s := range list {
		r.selected[s.ID] = true
		r.results[s.ID] = &StackResult{
			ID: s.ID, Name: s.Name, Account: s.Account, AccountID: s.AccountID, Region: s.Region,
			Changes: []Change{},
		}
	}
	return r
}

func (r *run) run(ctx context.Context) *Result {
	start := r.opts.Now()
	command := "plan"
	if r.apply {
		command = "apply"
	}
	res := &Result{Command: command, ChangeSet: r.opts.ChangeSetName}
	for _, s := range r.list {
		res.Stacks = append(res.Stacks, r.results[s.ID])
	}
	do := r.planOnly
	if r.apply {
		do = r.applyStack
	}
	r.schedule(ctx, do)
	res.Interrupted = r.stopping(ctx)
	res.Elapsed = Seconds(r.opts.Now().Sub(start))
	return res
}

// stopping tells whether the run was asked to stop: the first interrupt
// closes opts.Stop, the second cancels ctx.
func (r *run) stopping(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	select {
	case <-r.opts.Stop:
		return true
	default:
		return false
	}
}

// say prints a progress line about a stack.
func (r *run) say(id, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.opts.Progress, "%s: %s\n", id, fmt.Sprintf(format, args...))
}

type nodeState int

const (
	statePending nodeState = iota
	stateRunning
	stateDone
	stateFailed
)

// schedule runs do on every stack once the selected stacks it depends on
// are done, at most opts.Parallel at a time. For apply, a stack that fails
// stops its dependants (skipped) and, unless opts.KeepGoing, everything not
// yet started (not started); the running ones finish. Plan always goes on:
// a failed plan does not change what the other stacks would do. Once the
// run is asked to stop, nothing new starts.
func (r *run) schedule(ctx context.Context, do func(context.Context, *Stack) bool) {
	state := map[string]nodeState{}
	type finish struct {
		id string
		ok bool
	}
	finished := make(chan finish)
	running, stopped := 0, false
	for {
		if !stopped && !r.stopping(ctx) {
			for _, s := range r.list {
				if running >= r.opts.Parallel {
					break
				}
				if state[s.ID] != statePending || !r.ready(s, state) {
					continue
				}
				state[s.ID] = stateRunning
				running++
				go func(s *Stack) {
					finished <- finish{s.ID, do(ctx, s)}
				}(s)
			}
		}
		if running == 0 {
			break
		}
		f := <-finished
		running--
		if f.ok {
			state[f.id] = stateDone
		} else {
			state[f.id] = stateFailed
			// What an emulator cannot do stops its dependants only.
			stopped = stopped || (r.apply && !r.opts.KeepGoing && r.results[f.id].Outcome != OutcomeNotEmulated)
		}
		if r.apply {
			r.skipDependants(state)
		}
	}
	for _, s := range r.list {
		if state[s.ID] != statePending {
			continue
		}
		res := r.results[s.ID]
		res.Outcome = OutcomeNotStarted
		if r.stopping(ctx) {
			res.Error = "interrupted before it started"
		} else {
			res.Error = "an earlier stack failed, so the run stopped before this one"
		}
	}
}

// ready tells whether every selected stack s depends on is done.
func (r *run) ready(s *Stack, state map[string]nodeState) bool {
	for _, dep := range s.DependsOn {
		if r.selected[dep] && state[dep] != stateDone && !(state[dep] == stateFailed && !r.apply) {
			return false
		}
	}
	return true
}

// skipDependants marks the pending stacks that depend, directly or not, on
// a failed one. The list is in dependency order, so one pass suffices.
func (r *run) skipDependants(state map[string]nodeState) {
	for _, s := range r.list {
		if state[s.ID] != statePending {
			continue
		}
		for _, dep := range s.DependsOn {
			if r.selected[dep] && state[dep] == stateFailed {
				state[s.ID] = stateFailed
				res := r.results[s.ID]
				res.Outcome = OutcomeSkipped
				if r.results[dep].Outcome == OutcomeNotEmulated {
					res.Outcome = OutcomeNotEmulated
				}
				res.Error = fmt.Sprintf("depends on %s, which %s", dep, failedVerb(r.results[dep].Outcome))
				r.say(s.ID, "%s: %s", res.Outcome, res.Error)
				break
			}
		}
	}
}

func failedVerb(o Outcome) string {
	switch o {
	case OutcomeRefused:
		return "was refused"
	case OutcomeSkipped:
		return "was skipped"
	case OutcomeNotEmulated:
		return "the emulator could not deploy"
	}
	return "failed"
}
