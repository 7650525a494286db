package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"gitops/tools/internal/stacks"
)

// maxEvents bounds the failure events shown for one stack.
const maxEvents = 20

// execute runs the planned change set, unless it would destroy stateful
// resources nobody allowed, and waits for the stack to settle.
func (r *run) execute(ctx context.Context, s *Stack, res *StackResult, p *prepared) error {
	if len(res.Blocked) > 0 {
		return &stackError{
			outcome: OutcomeRefused,
			msg: fmt.Sprintf("change set %s replaces or removes stateful resources: %s; their data would be lost",
				res.ChangeSet, strings.Join(res.Blocked, ", ")),
			advice: fmt.Sprintf("if that is intended, run again with --allow-replace %s; the change set is left for review",
				strings.Join(res.Blocked, " --allow-replace ")),
		}
	}
	if _, err := call(ctx, r, p.cf.ExecuteChangeSet, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); err != nil {
		if ctx.Err() != nil {
			return midUpdate(s)
		}
		return &asyncCallErr{callError(err, "executing change set %s", res.ChangeSet)}
	}
	r.say(s.ID, "executing change set %s", res.ChangeSet)
	st, err := r.waitStack(ctx, s, p, res.ChangeSetID, r.opts.Now())
	if err != nil && ctx.Err() != nil {
		return midUpdate(s)
	}
	if err != nil {
		return err
	}
	res.FinalStatus = string(st.StackStatus)
	switch st.StackStatus {
	case types.StackStatusCreateComplete, types.StackStatusUpdateComplete, types.StackStatusImportComplete:
		r.setOutputs(s.ID, st.Outputs)
		if r.opts.Emulator != "" {
			r.unemulatedResources(ctx, s, res, p)
		}
		return nil
	}
	events := r.failureEvents(ctx, p.cf, s, p.stackID)
	if s.Kind == stacks.KindDeployRole && accessDenied(events) {
		return &stackError{
			msg: fmt.Sprintf("stack %s ended %s: the execution role gitops-cfn-exec may not widen its own rights or the boundary (a stack kind new to account %s needs more), by design",
				s.Name, st.StackStatus, s.Account),
			advice: fmt.Sprintf("an administrator of account %s (%s) must deploy stack %s once with their own credentials: `bin/gitops apply --account %s --stack %s` (e.g. with AWS_PROFILE set to their profile), then apply again",
				s.Account, s.AccountID, s.Name, s.Account, s.Name),
			events: events,
		}
	}
	return &stackError{
		msg:    fmt.Sprintf("stack %s ended %s%s", s.Name, st.StackStatus, reasonSuffix(st.StackStatusReason)),
		advice: failureAdvice(s, st.StackStatus),
		events: events,
	}
}

// accessDenied tells whether a failure event is IAM refusing the execution
// role an action.
func accessDenied(events []Event) bool {
	return slices.ContainsFunc(events, func(e Event) bool {
		return strings.Contains(e.Reason, "AccessDenied") || strings.Contains(e.Reason, "is not authorized to perform")
	})
}

// midUpdate is the error of a stack whose change set was executing when
// the run was cancelled: CloudFormation goes on without us.
func midUpdate(s *Stack) error {
	return &stackError{
		outcome: OutcomeInterrupted,
		msg:     fmt.Sprintf("cancelled while CloudFormation was changing stack %s; it may still be mid-update", s.Name),
		advice: fmt.Sprintf("watch it finish (`aws cloudformation describe-stacks --stack-name %s --region %s`), then apply again",
			s.Name, s.Region),
	}
}

func reasonSuffix(reason *string) string {
	if aws.ToString(reason) == "" {
		return ""
	}
	return ": " + aws.ToString(reason)
}

func failureAdvice(s *Stack, status types.StackStatus) string {
	switch status {
	case types.StackStatusRollbackComplete:
		return "fix the cause the events name and apply again; apply deletes the rolled-back stack and creates it anew"
	case types.StackStatusUpdateRollbackComplete:
		return "the stack is back as it was; fix the cause the events name and apply again"
	case types.StackStatusUpdateRollbackFailed:
		return fmt.Sprintf("fix the cause, then run `aws cloudformation continue-update-rollback --stack-name %s --region %s --role-arn %s` and apply again",
			s.Name, s.Region, executionRoleARN(s))
	}
	return "fix the cause the events name and apply again"
}

// waitStack polls the stack until its change set has run, printing a line
// when its status changes and every opts.ProgressEvery while it does not.
func (r *run) waitStack(ctx context.Context, s *Stack, p *prepared, changeSetID string, start time.Time) (*types.Stack, error) {
	last, lastSaid, sawBusy := types.StackStatus(""), start, false
	deadline := start.Add(r.opts.StackTimeout)
	for {
		st, err := r.describeStack(ctx, p.cf, p.stackID)
		if err != nil {
			return nil, err
		}
		if st == nil {
			return nil, fmt.Errorf("stack %s disappeared while its change set ran", s.Name)
		}
		now := r.opts.Now()
		if st.StackStatus != last || now.Sub(lastSaid) >= r.opts.ProgressEvery {
			r.say(s.ID, "%s (%s)", st.StackStatus, elapsed(now.Sub(start)))
			last, lastSaid = st.StackStatus, now
		}
		if busy(st.StackStatus) {
			sawBusy = true
		} else if sawBusy || r.executionEnded(ctx, p.cf, changeSetID) {
			return st, nil
		}
		// A status that is not in progress right after ExecuteChangeSet
		// can be the stack's previous one: CloudFormation starts a moment
		// later.
		if !now.Before(deadline) {
			return nil, fmt.Errorf("stack %s is still %s after %s; stopped waiting (CloudFormation goes on)", s.Name, st.StackStatus, r.opts.StackTimeout)
		}
		if err := r.opts.Sleep(ctx, r.opts.PollInterval); err != nil {
			return nil, err
		}
	}
}

// executionEnded tells whether the change set's execution is over, for a
// stack whose status shows no work in progress.
func (r *run) executionEnded(ctx context.Context, cf CloudFormation, id string) bool {
	out, err := call(ctx, r, cf.DescribeChangeSet, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id)})
	if err != nil {
		// Gone: CloudFormation removes a stack's change sets once one of
		// them has run.
		return true
	}
	return out.ExecutionStatus != types.ExecutionStatusAvailable && out.ExecutionStatus != types.ExecutionStatusExecuteInProgress
}

// failureEvents are the events of the resources that failed in the stack's
// latest operation, oldest first: the first is usually the cause, the
// rest cancellations it brought.
func (r *run) failureEvents(ctx context.Context, cf CloudFormation, s *Stack, stackID string) []Event {
	if stackID == "" {
		stackID = s.Name
	}
	var events []Event
	var token *string
pages:
	for page := 0; page < 10; page++ {
		out, err := call(ctx, r, cf.DescribeStackEvents, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stackID), NextToken: token})
		if err != nil {
			break
		}
		for _, e := range out.StackEvents {
			isStack := aws.ToString(e.ResourceType) == "AWS::CloudFormation::Stack" && aws.ToString(e.LogicalResourceId) == s.Name
			if isStack && operationStart(e.ResourceStatus) {
				break pages
			}
			if isStack || !strings.HasSuffix(string(e.ResourceStatus), "_FAILED") {
				continue
			}
			events = append(events, Event{
				Reason:     aws.ToString(e.ResourceStatusReason),
				LogicalID:  aws.ToString(e.LogicalResourceId),
				PhysicalID: aws.ToString(e.PhysicalResourceId),
				Type:       aws.ToString(e.ResourceType),
				Status:     string(e.ResourceStatus),
				Timestamp:  aws.ToTime(e.Timestamp),
			})
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	slices.Reverse(events)
	if len(events) > maxEvents {
		events = events[:maxEvents]
	}
	return events
}

// operationStart tells whether a stack-level status begins an operation:
// events before it belong to earlier runs.
func operationStart(status types.ResourceStatus) bool {
	switch status {
	case types.ResourceStatusCreateInProgress, types.ResourceStatusUpdateInProgress,
		types.ResourceStatusImportInProgress, types.ResourceStatusDeleteInProgress:
		return true
	}
	return false
}

// eventLines renders failure events, reason first.
func eventLines(events []Event) []string {
	var lines []string
	for _, e := range events {
		reason := e.Reason
		if reason == "" {
			reason = "(no reason given)"
		}
		lines = append(lines, fmt.Sprintf("%s — %s (%s) %s", reason, e.LogicalID, e.Type, e.Status))
	}
	return lines
}
