package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/stacks"
)

// stackError is a stack's failure with what to do about it.
type stackError struct {
	msg    string
	advice string
	events []Event
	// outcome is OutcomeFailed unless set.
	outcome Outcome
}

func (e *stackError) Error() string { return e.msg }

// prepared is what planning a stack found, for executing it.
type prepared struct {
	cf CloudFormation
	// stack is the deployed stack; nil when there is none.
	stack   *types.Stack
	stackID string
	params  []types.Parameter
	// deployed is the deployed template when it was read.
	deployed *Template
}

// planOnly plans one stack for gitops plan.
func (r *run) planOnly(ctx context.Context, s *Stack) bool {
	res := r.results[s.ID]
	start := r.opts.Now()
	p, err := r.prepare(ctx, s, res)
	res.Elapsed = Seconds(r.opts.Now().Sub(start))
	if err != nil {
		r.fail(s, res, err)
		return false
	}
	if res.Outcome == "" {
		res.Outcome = OutcomePlanned
	}
	if c := s.CopyImage; c != nil {
		res.Image = c.From + " → the repository of output " + c.RepositoryOutput + ", tag " + c.Tag
	}
	if a := s.AcceptShare; a != nil {
		res.Share = fmt.Sprintf("apply first accepts the RAM invitation to share %s from account %s in account %s (no AWS Organization is declared)", a.Share, a.OwnerAccountID, s.AccountID)
		r.say(s.ID, "%s", res.Share)
	}
	if s.AssociateZone != nil {
		res.Zone = []string{describeZoneAssociation(s)}
		r.say(s.ID, "%s", res.Zone[0])
	}
	if r.opts.Cleanup && res.ChangeSetID != "" {
		r.cleanup(ctx, s, res, p)
	}
	return true
}

// applyStack plans one stack and executes its change set.
func (r *run) applyStack(ctx context.Context, s *Stack) bool {
	res := r.results[s.ID]
	start := r.opts.Now()
	defer func() { res.Elapsed = Seconds(r.opts.Now().Sub(start)) }()
	var p *prepared
	var err error
	if s.AcceptShare != nil {
		err = r.acceptShare(ctx, s, res)
	}
	if err == nil {
		p, err = r.prepare(ctx, s, res)
	}
	if err == nil && res.Action != ActionNone && r.stopping(ctx) {
		r.abandon(ctx, s, res, p)
		return false
	}
	if err == nil && res.Action != ActionNone {
		err = r.execute(ctx, s, res, p)
	}
	if err == nil && s.CopyImage != nil {
		err = r.copyImage(ctx, s, res)
	}
	if err == nil && s.SMTPCredentials != nil {
		err = r.syncSMTP(ctx, s, res)
	}
	if err == nil && s.AssociateZone != nil {
		err = r.associateZone(ctx, s, res)
	}
	if err != nil {
		r.fail(s, res, err)
		return false
	}
	if res.Outcome == "" {
		res.Outcome = OutcomeApplied
	}
	return true
}

// abandon ends a stack that was planned when the run was asked to stop:
// its change set is deleted, not executed.
func (r *run) abandon(ctx context.Context, s *Stack, res *StackResult, p *prepared) {
	res.Outcome = OutcomeNotStarted
	res.Error = "interrupted before its change set ran"
	if name := res.ChangeSet; res.ChangeSetID != "" {
		if ctx.Err() == nil {
			r.cleanup(ctx, s, res, p)
		}
		if res.ChangeSetID == "" {
			res.Error += "; change set " + name + " deleted"
		} else {
			res.Error += "; change set " + name + " is left behind"
		}
	}
	r.say(s.ID, "%s: %s", res.Outcome, res.Error)
}

func (r *run) fail(s *Stack, res *StackResult, err error) {
	res.Outcome = OutcomeFailed
	res.Error = err.Error()
	if r.opts.Emulator != "" && emulatorBroke(err) {
		res.Outcome = OutcomeNotEmulated
		res.Advice = fmt.Sprintf("the emulator at %s answered with an internal error: it cannot emulate this stack; a real account deploys it", r.opts.Emulator)
		r.say(s.ID, "%s: %s (%s)", res.Outcome, res.Error, res.Advice)
		return
	}
	if errors.Is(err, context.Canceled) {
		// Cancelled before anything ran; a change set being made may stay.
		res.Outcome = OutcomeNotStarted
		res.Error = "cancelled while planning"
		if res.ChangeSet != "" {
			res.Error += "; change set " + res.ChangeSet + " is left behind"
		}
	}
	var se *stackError
	if errors.As(err, &se) {
		res.Advice = se.advice
		res.Events = se.events
		if se.outcome != "" {
			res.Outcome = se.outcome
		}
	}
	// The events and the advice are in the report; progress names the
	// first failed resource, usually the cause, as it happens.
	line := fmt.Sprintf("%s: %s", res.Outcome, res.Error)
	if len(res.Events) > 0 {
		line += fmt.Sprintf(" (first failure: %s: %s)", res.Events[0].LogicalID, res.Events[0].Reason)
	}
	r.say(s.ID, "%s", line)
}

// prepare finds the stack's state, resolves its parameters and makes and
// describes its change set, or finds that nothing changed.
func (r *run) prepare(ctx context.Context, s *Stack, res *StackResult) (*prepared, error) {
	cf, err := r.opts.Clients.CloudFormation(ctx, s.Target())
	if err != nil {
		return nil, fmt.Errorf("credentials for account %s (%s) in %s: %w", s.Account, s.AccountID, s.Region, err)
	}
	p := &prepared{cf: cf}
	st, err := r.settle(ctx, cf, s)
	if err != nil {
		return p, err
	}
	p.stack = st
	if st != nil {
		res.Status = string(st.StackStatus)
		p.stackID = aws.ToString(st.StackId)
	}
	switch status := stackStatus(st); {
	case st == nil || status == types.StackStatusReviewInProgress:
		res.Action = ActionCreate
	case status == types.StackStatusRollbackComplete:
		res.Action = ActionRecreate
	case status == types.StackStatusUpdateRollbackFailed:
		return p, r.rollbackFailed(ctx, cf, s, st)
	case strings.HasSuffix(string(status), "_FAILED"):
		return p, r.brokenStack(ctx, cf, s, st)
	default:
		res.Action = ActionUpdate
		r.setOutputs(s.ID, st.Outputs)
	}

	params, pending, err := r.parameters(ctx, s)
	if err != nil {
		return p, err
	}
	if wait := r.templateBucketWait(s, res.Action); wait != "" && pending != "" {
		pending = wait + "; " + pending
	} else if wait != "" {
		pending = wait
	}
	p.params = params
	if res.Action == ActionUpdate && pending == "" {
		same, deployed := r.unchanged(ctx, cf, st, s, params)
		p.deployed = deployed
		if same {
			r.noChanges(s, res)
			return p, nil
		}
	}
	if pending != "" {
		res.Pending = pending
		if res.Action != ActionUpdate {
			res.Changes = templateAdds(s)
		}
		r.say(s.ID, "%s %s", res.Action, pending)
		return p, nil
	}
	if r.apply && stackStatus(st) == types.StackStatusReviewInProgress {
		if err := r.clearReview(ctx, s, p); err != nil {
			return p, err
		}
	}
	if res.Action == ActionRecreate {
		if !r.apply {
			res.Changes = templateAdds(s)
			r.say(s.ID, "stack %s is ROLLBACK_COMPLETE (its creation failed and was rolled back); apply deletes it and creates it again", s.Name)
			return p, nil
		}
		if err := r.recreate(ctx, s, p); err != nil {
			return p, err
		}
	}
	return p, r.changeSet(ctx, s, res, p)
}

// stackStatus is the status of a stack that may not exist.
func stackStatus(st *types.Stack) types.StackStatus {
	if st == nil {
		return ""
	}
	return st.StackStatus
}

func (r *run) noChanges(s *Stack, res *StackResult) {
	res.Action = ActionNone
	res.Outcome = OutcomeUnchanged
	r.say(s.ID, "no changes")
}

func (r *run) setOutputs(id string, outputs []types.Output) {
	m := map[string]string{}
	for _, o := range outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	r.mu.Lock()
	r.outputs[id] = m
	r.mu.Unlock()
}

// describeStack returns the stack called nameOrID, or nil when there is
// none.
func (r *run) describeStack(ctx context.Context, cf CloudFormation, nameOrID string) (*types.Stack, error) {
	out, err := call(ctx, r, cf.DescribeStacks, &cloudformation.DescribeStacksInput{StackName: aws.String(nameOrID)})
	if isStackMissing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, callError(err, "describing stack %s", nameOrID)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	return &out.Stacks[0], nil
}

// busy tells whether CloudFormation is working on a stack; REVIEW_IN_PROGRESS
// is a stack that only has change sets, which is not work.
func busy(status types.StackStatus) bool {
	return strings.HasSuffix(string(status), "_IN_PROGRESS") && status != types.StackStatusReviewInProgress
}

// settle describes the stack and, when another run is changing it, waits
// up to opts.BusyWait for that to end: two runs must never race on a stack.
func (r *run) settle(ctx context.Context, cf CloudFormation, s *Stack) (*types.Stack, error) {
	st, err := r.describeStack(ctx, cf, s.Name)
	if err != nil || st == nil || !busy(st.StackStatus) {
		return st, err
	}
	refuse := func(st *types.Stack) error {
		return &stackError{
			msg:    fmt.Sprintf("stack %s is %s: another run is changing it, and two runs must not race on one stack", s.Name, st.StackStatus),
			advice: fmt.Sprintf("let it finish (or stop it), then run again; --wait-busy sets how long to wait for it (now %s)", r.opts.BusyWait),
		}
	}
	if r.opts.BusyWait <= 0 {
		return nil, refuse(st)
	}
	r.say(s.ID, "stack %s is %s by another run; waiting up to %s for it to finish", s.Name, st.StackStatus, r.opts.BusyWait)
	deadline := r.opts.Now().Add(r.opts.BusyWait)
	for {
		if err := r.opts.Sleep(ctx, r.opts.PollInterval); err != nil {
			return nil, err
		}
		next, err := r.describeStack(ctx, cf, s.Name)
		if err != nil || next == nil || !busy(next.StackStatus) {
			if next != nil {
				r.say(s.ID, "the other run ended: %s", next.StackStatus)
			}
			return next, err
		}
		st = next
		if !r.opts.Now().Before(deadline) {
			return nil, refuse(st)
		}
	}
}

// rollbackFailed explains a stack in UPDATE_ROLLBACK_FAILED: CloudFormation
// changes it no more until someone finishes the rollback.
func (r *run) rollbackFailed(ctx context.Context, cf CloudFormation, s *Stack, st *types.Stack) error {
	return &stackError{
		msg: fmt.Sprintf("stack %s is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback; CloudFormation accepts no change to it until the rollback is finished", s.Name),
		advice: fmt.Sprintf("fix what the events name (often a resource changed or deleted outside CloudFormation), then run "+
			"`aws cloudformation continue-update-rollback --stack-name %s --region %s --role-arn %s` "+
			"(add --resources-to-skip LOGICAL-ID for a resource that cannot be rolled back), wait for UPDATE_ROLLBACK_COMPLETE and apply again",
			s.Name, s.Region, executionRoleARN(s)),
		events: r.failureEvents(ctx, cf, s, aws.ToString(st.StackId)),
	}
}

// brokenStack explains the other failed states, which only a person can
// get the stack out of.
func (r *run) brokenStack(ctx context.Context, cf CloudFormation, s *Stack, st *types.Stack) error {
	advice := fmt.Sprintf("look at the events, then delete the stack (`aws cloudformation delete-stack --stack-name %s --region %s`, "+
		"with --retain-resources for what must be kept or cannot be deleted) and apply again", s.Name, s.Region)
	if st.StackStatus == types.StackStatusUpdateFailed {
		advice = fmt.Sprintf("the stack does not roll back by itself; run `aws cloudformation rollback-stack --stack-name %s --region %s` or fix the cause, then apply again", s.Name, s.Region)
	}
	return &stackError{
		msg:    fmt.Sprintf("stack %s is %s: %s", s.Name, st.StackStatus, aws.ToString(st.StackStatusReason)),
		advice: advice,
		events: r.failureEvents(ctx, cf, s, aws.ToString(st.StackId)),
	}
}

// parameters resolves the stack's parameters: outputs of other stacks (in
// any account), SSM parameter names (CloudFormation reads them) and
// literals. pending says which outputs plan cannot know yet because their
// stack is created or changed by this run, one note per stack it waits for.
func (r *run) parameters(ctx context.Context, s *Stack) (params []types.Parameter, pending string, err error) {
	var waits []*outputWait
	for _, p := range s.Parameters {
		var value string
		switch src := p.Source; {
		case src.Stack != "":
			v, wait, err := r.output(ctx, s, src.Stack, src.Output)
			if err != nil {
				return nil, "", err
			}
			if wait != nil {
				waits = mergeWait(waits, wait)
				continue
			}
			value = v
		case src.SSM != "":
			value = src.SSM
		default:
			value = src.Literal
		}
		params = append(params, types.Parameter{ParameterKey: aws.String(p.Name), ParameterValue: aws.String(value)})
	}
	return params, waitNotes(waits), nil
}

// createdByRun is the reason a plan waits for a stack this run creates.
const createdByRun = "which this run creates, for its outputs"

// waitNotes says what a stack waits for, naming the stacks this run
// creates in one note rather than one note each.
func waitNotes(waits []*outputWait) string {
	var created, notes []string
	for _, w := range waits {
		if w.why == createdByRun && len(w.outputs) == 0 {
			created = append(created, w.producer)
			continue
		}
		notes = append(notes, w.String())
	}
	switch n := len(created); {
	case n == 1:
		notes = append([]string{"after " + created[0] + ", " + createdByRun}, notes...)
	case n > 1:
		list := strings.Join(created[:n-1], ", ") + " and " + created[n-1]
		notes = append([]string{"after " + list + ", which this run creates, for their outputs"}, notes...)
	}
	return strings.Join(notes, "; ")
}

// outputWait says why a plan cannot know an output of producer yet.
type outputWait struct {
	producer, why string
	// outputs are the new outputs the producer's change adds, when that
	// is the reason.
	outputs []string
}

func (w *outputWait) String() string {
	if len(w.outputs) > 0 {
		noun := "output"
		if len(w.outputs) > 1 {
			noun = "outputs"
		}
		return fmt.Sprintf("after %s, whose change adds %s %s", w.producer, noun, strings.Join(w.outputs, ", "))
	}
	return fmt.Sprintf("after %s, %s", w.producer, w.why)
}

// mergeWait adds w to waits, folding it into the note about the same stack
// so a stack that needs seven of its outputs is named once.
func mergeWait(waits []*outputWait, w *outputWait) []*outputWait {
	for _, have := range waits {
		if have.producer == w.producer && have.why == w.why {
			for _, o := range w.outputs {
				if !slices.Contains(have.outputs, o) {
					have.outputs = append(have.outputs, o)
				}
			}
			return waits
		}
	}
	return append(waits, w)
}

// output is the value of output name of the stack producer. In a plan, a
// producer this run creates has no outputs yet: wait says so.
func (r *run) output(ctx context.Context, s *Stack, producer, name string) (value string, wait *outputWait, err error) {
	r.mu.Lock()
	outs, known := r.outputs[producer]
	r.mu.Unlock()
	if !known && r.selected[producer] {
		pr := r.results[producer]
		if !r.apply {
			switch pr.Action {
			case ActionCreate, ActionRecreate:
				return "", &outputWait{producer: producer, why: createdByRun}, nil
			}
			return "", &outputWait{producer: producer, why: fmt.Sprintf("whose outputs are not known (%s)", pr.Outcome)}, nil
		}
		return "", nil, fmt.Errorf("the outputs of %s are not known", producer)
	}
	if !known {
		ps := r.d.Stack(producer)
		if ps == nil {
			return "", nil, fmt.Errorf("parameter source %s is not in the manifest", producer)
		}
		cf, err := r.opts.Clients.CloudFormation(ctx, ps.Target())
		if err != nil {
			return "", nil, fmt.Errorf("credentials for account %s (%s), to read the outputs of %s: %w", ps.Account, ps.AccountID, producer, err)
		}
		st, err := r.describeStack(ctx, cf, ps.Name)
		if err != nil {
			return "", nil, err
		}
		if st == nil || busy(st.StackStatus) || st.StackStatus == types.StackStatusReviewInProgress || st.StackStatus == types.StackStatusRollbackComplete {
			what := "is not deployed"
			if st != nil {
				what = "is " + string(st.StackStatus)
			}
			if !r.apply {
				return "", &outputWait{producer: producer, why: "which " + what}, nil
			}
			return "", nil, fmt.Errorf("needs the outputs of %s, which %s; apply it first", producer, what)
		}
		r.setOutputs(producer, st.Outputs)
		r.mu.Lock()
		outs = r.outputs[producer]
		r.mu.Unlock()
	}
	v, ok := outs[name]
	if !ok {
		// The producer's change set (deleted or not by now) changes it.
		if pr := r.results[producer]; !r.apply && r.selected[producer] && pr.Outcome == OutcomePlanned && pr.Action == ActionUpdate {
			return "", &outputWait{producer: producer, why: "adds", outputs: []string{name}}, nil
		}
		return "", nil, r.missingOutput(producer, name, outs)
	}
	return v, nil, nil
}

func outputNames(outs map[string]string) string {
	if len(outs) == 0 {
		return "none"
	}
	names := make([]string, 0, len(outs))
	for k := range outs {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// executionRoleARN is the CloudFormation service role the deploy role stack
// creates in every account; change sets run with it.
func executionRoleARN(s *Stack) string {
	return awsaccess.RoleARN(s.Region, s.AccountID, stacks.ExecutionRoleName)
}

// recreate deletes a stack whose creation was rolled back, so it can be
// created again: CloudFormation updates no ROLLBACK_COMPLETE stack.
func (r *run) recreate(ctx context.Context, s *Stack, p *prepared) error {
	r.say(s.ID, "stack %s is ROLLBACK_COMPLETE: its creation failed and was rolled back, so it holds nothing; deleting it to create it again", s.Name)
	return r.deleteEmptyStack(ctx, s, p, "the rolled-back stack")
}

// clearReview deletes a stack that only ever had change sets, none
// executed (REVIEW_IN_PROGRESS: it holds no resource), when every change
// set on it is gitops' own (a plan's, or an interrupted apply's), so apply
// creates it afresh instead of tripping over them. A change set someone
// else made is left alone and stops the stack.
func (r *run) clearReview(ctx context.Context, s *Stack, p *prepared) error {
	var names []string
	in := &cloudformation.ListChangeSetsInput{StackName: aws.String(p.stackID)}
	for {
		out, err := call(ctx, r, p.cf.ListChangeSets, in)
		if err != nil {
			return callError(err, "listing the change sets of %s", s.Name)
		}
		for _, cs := range out.Summaries {
			names = append(names, aws.ToString(cs.ChangeSetName))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "gitops-") {
			return &stackError{
				msg:    fmt.Sprintf("stack %s waits for review (REVIEW_IN_PROGRESS) with change set %s, which gitops did not make", s.Name, n),
				advice: fmt.Sprintf("execute or delete change set %s (aws cloudformation delete-change-set --stack-name %s --change-set-name %s --region %s), then apply again", n, s.Name, n, s.Region),
			}
		}
	}
	r.say(s.ID, "stack %s holds only gitops' unexecuted change sets (%s) and no resource; deleting it to create it afresh", s.Name, strings.Join(names, ", "))
	return r.deleteEmptyStack(ctx, s, p, "the stack under review")
}

// deleteEmptyStack deletes a stack that holds no resource and waits for it
// to go; what names it in messages.
func (r *run) deleteEmptyStack(ctx context.Context, s *Stack, p *prepared, what string) error {
	if _, err := call(ctx, r, p.cf.DeleteStack, &cloudformation.DeleteStackInput{StackName: aws.String(p.stackID)}); err != nil {
		return &asyncCallErr{callError(err, "deleting %s %s", what, s.Name)}
	}
	deadline := r.opts.Now().Add(r.opts.StackTimeout)
	for {
		st, err := r.describeStack(ctx, p.cf, p.stackID)
		if err != nil {
			return err
		}
		switch {
		case st == nil || st.StackStatus == types.StackStatusDeleteComplete:
			r.say(s.ID, "deleted %s", what)
			p.stack, p.stackID = nil, ""
			return nil
		case st.StackStatus == types.StackStatusDeleteFailed:
			return &stackError{
				msg:    fmt.Sprintf("deleting %s %s failed: %s", what, s.Name, aws.ToString(st.StackStatusReason)),
				advice: fmt.Sprintf("delete it by hand (`aws cloudformation delete-stack --stack-name %s --region %s`, with --retain-resources for what cannot be deleted) and apply again", s.Name, s.Region),
				events: r.failureEvents(ctx, p.cf, s, p.stackID),
			}
		}
		if !r.opts.Now().Before(deadline) {
			return fmt.Errorf("stack %s is still %s after %s; stopped waiting", s.Name, st.StackStatus, r.opts.StackTimeout)
		}
		if err := r.opts.Sleep(ctx, r.opts.PollInterval); err != nil {
			return err
		}
	}
}

// cleanup deletes what plan made for a stack: the change set, and the empty
// stack a CREATE change set brings into being.
func (r *run) cleanup(ctx context.Context, s *Stack, res *StackResult, p *prepared) {
	if _, err := call(ctx, r, p.cf.DeleteChangeSet, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); err != nil {
		r.say(s.ID, "could not delete change set %s: %s", res.ChangeSet, apiMessage(err))
		return
	}
	res.ChangeSet, res.ChangeSetID = "", ""
	if res.Status == "" && p.stackID != "" {
		if _, err := call(ctx, r, p.cf.DeleteStack, &cloudformation.DeleteStackInput{StackName: aws.String(p.stackID)}); err != nil {
			r.say(s.ID, "could not delete the empty stack %s the change set made: %s", s.Name, apiMessage(err))
		}
	}
}

// elapsed renders a duration in whole seconds.
func elapsed(d time.Duration) string { return d.Round(time.Second).String() }
