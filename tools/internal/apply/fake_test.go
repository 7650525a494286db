package apply

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
)

// fakeCF is CloudFormation in one account and region, in memory, for what
// the emulator cannot show: change sets that list replacements, executions
// that take several polls, fail, roll back or get throttled. A stack is
// scripted through its fields before the run.
type fakeCF struct {
	mu     sync.Mutex
	clock  *fakeClock
	target Target
	stacks map[string]*fakeStack // by name; deleted ones by ID only
	byID   map[string]*fakeStack
	sets   map[string]*fakeChangeSet // by ID
	calls  []string
	seq    int
	// dropOutputs gives executed stacks no outputs, as moto without the
	// repository's fix does.
	dropOutputs bool
	// broken answers every call of a method with its error.
	broken map[string]error
	// unemulated are the logical ids ListStackResources shows without a
	// physical id, as an emulator does for what it does not implement.
	unemulated []string

	// throttle counts the Throttling answers left per method.
	throttle map[string]int
	// pageSize is how many changes one DescribeChangeSet page holds, and
	// events one DescribeStackEvents page (0: all).
	pageSize int
	// noChangesAsError makes CreateChangeSet itself answer "No updates are
	// to be performed." instead of a FAILED change set.
	noChangesAsError bool
	// pendingPolls is how many describes a new change set stays
	// CREATE_PENDING.
	pendingPolls int
}

type fakeStack struct {
	id, name string
	status   types.StackStatus
	reason   string
	body     string
	params   map[string]string
	outputs  map[string]string
	events   []types.StackEvent // oldest first

	// nextChanges are what the next UPDATE change set lists; nil lists the
	// resources added, removed and (without details) modified.
	nextChanges []types.Change
	// execPolls is how many describes show the execution in progress.
	execPolls int
	// staleDescribes is how many describes right after ExecuteChangeSet
	// still show the status from before, as CloudFormation may.
	staleDescribes int
	// failures make the next execution fail and roll back; failStatus is
	// where it ends (default ROLLBACK_COMPLETE or UPDATE_ROLLBACK_COMPLETE).
	failures   []fakeFailure
	failStatus types.StackStatus
	// busyPolls is how many describes show the stack busy with another run
	// before it becomes settleTo.
	busyPolls int
	settleTo  types.StackStatus
	// gate, while the execution is in progress, holds DescribeStacks until
	// it is closed.
	gate chan struct{}

	running   *fakeChangeSet
	pollsLeft int
}

type fakeFailure struct{ logicalID, typ, reason string }

type fakeChangeSet struct {
	id, name, stack string
	typ             types.ChangeSetType
	status          types.ChangeSetStatus
	exec            types.ExecutionStatus
	reason          string
	changes         []types.Change
	body            string
	params          map[string]string
	pendingPolls    int
}

func newFakeCF(t Target, clock *fakeClock) *fakeCF {
	return &fakeCF{
		clock: clock, target: t,
		stacks: map[string]*fakeStack{}, byID: map[string]*fakeStack{}, sets: map[string]*fakeChangeSet{},
		throttle: map[string]int{},
	}
}

func apiError(code, format string, args ...any) error {
	return &smithy.GenericAPIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// enter records a call and answers Throttling while the method has
// throttled answers left.
func (f *fakeCF) enter(method, stack string) error {
	f.calls = append(f.calls, method+" "+stack)
	if err := f.broken[method]; err != nil {
		return err
	}
	if f.throttle[method] > 0 {
		f.throttle[method]--
		return apiError("Throttling", "Rate exceeded")
	}
	return nil
}

// called counts the calls of method.
func (f *fakeCF) called(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if strings.HasPrefix(c, method+" ") {
			n++
		}
	}
	return n
}

func (f *fakeCF) stack(nameOrID string) *fakeStack {
	if s, ok := f.stacks[nameOrID]; ok {
		return s
	}
	return f.byID[nameOrID]
}

// seed puts a deployed stack into the fake.
func (f *fakeCF) seed(name string, status types.StackStatus, body string, params map[string]string) *fakeStack {
	f.seq++
	s := &fakeStack{
		id:   fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%d", f.target.Region, f.target.AccountID, name, f.seq),
		name: name, status: status, body: body, params: params, outputs: map[string]string{},
	}
	f.stacks[name], f.byID[s.id] = s, s
	return s
}

func (f *fakeCF) event(s *fakeStack, logicalID, typ string, status types.ResourceStatus, reason string) {
	f.seq++
	e := types.StackEvent{
		EventId: aws.String(strconv.Itoa(f.seq)), StackId: aws.String(s.id), StackName: aws.String(s.name),
		LogicalResourceId: aws.String(logicalID), ResourceType: aws.String(typ),
		ResourceStatus: status, Timestamp: aws.Time(f.clock.Now().Add(time.Duration(f.seq) * time.Millisecond)),
	}
	if reason != "" {
		e.ResourceStatusReason = aws.String(reason)
	}
	s.events = append(s.events, e)
}

func (f *fakeCF) stackEvent(s *fakeStack, status types.ResourceStatus, reason string) {
	f.event(s, s.name, "AWS::CloudFormation::Stack", status, reason)
}

func (f *fakeCF) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.StackName)
	if err := f.enter("DescribeStacks", name); err != nil {
		return nil, err
	}
	s := f.stack(name)
	if s == nil {
		return nil, apiError("ValidationError", "Stack with id %s does not exist", name)
	}
	view := s.status
	switch {
	case s.busyPolls > 0:
		s.busyPolls--
		if s.busyPolls == 0 {
			s.status = s.settleTo
		}
	case s.running != nil && s.staleDescribes > 0:
		s.staleDescribes--
	case s.running != nil && s.pollsLeft > 0:
		s.pollsLeft--
		s.status = inProgress(s.running.typ)
		view = s.status
		if s.gate != nil {
			f.mu.Unlock()
			<-s.gate
			f.mu.Lock()
		}
	case s.running != nil:
		f.finish(s)
		view = s.status
	}
	st := types.Stack{
		StackId: aws.String(s.id), StackName: aws.String(s.name), StackStatus: view,
		CreationTime: aws.Time(f.clock.Now()),
	}
	if s.reason != "" {
		st.StackStatusReason = aws.String(s.reason)
	}
	for _, k := range sortedKeys(s.params) {
		st.Parameters = append(st.Parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(s.params[k])})
	}
	for _, k := range sortedKeys(s.outputs) {
		st.Outputs = append(st.Outputs, types.Output{OutputKey: aws.String(k), OutputValue: aws.String(s.outputs[k])})
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []types.Stack{st}}, nil
}

func inProgress(typ types.ChangeSetType) types.StackStatus {
	if typ == types.ChangeSetTypeCreate {
		return types.StackStatusCreateInProgress
	}
	return types.StackStatusUpdateInProgress
}

// finish ends the running change set: success, or the scripted failures
// and a rollback.
func (f *fakeCF) finish(s *fakeStack) {
	cs := s.running
	s.running = nil
	create := cs.typ == types.ChangeSetTypeCreate
	f.stackEvent(s, types.ResourceStatus(inProgress(cs.typ)), "User Initiated")
	if len(s.failures) > 0 {
		var names []string
		for _, fl := range s.failures {
			f.event(s, fl.logicalID, fl.typ, failedStatus(create), fl.reason)
			names = append(names, fl.logicalID)
		}
		s.failures = nil
		if create {
			f.stackEvent(s, types.ResourceStatusRollbackInProgress, "The following resource(s) failed to create: ["+strings.Join(names, ", ")+"].")
			s.status = types.StackStatusRollbackComplete
		} else {
			f.stackEvent(s, types.ResourceStatus(types.StackStatusUpdateRollbackInProgress), "The following resource(s) failed to update: ["+strings.Join(names, ", ")+"].")
			s.status = types.StackStatusUpdateRollbackComplete
		}
		if s.failStatus != "" {
			s.status, s.failStatus = s.failStatus, ""
		}
		f.stackEvent(s, types.ResourceStatus(s.status), "")
		cs.exec = types.ExecutionStatusExecuteFailed
		return
	}
	s.body, s.params = cs.body, cs.params
	s.outputs = templateOutputs(cs.body, cs.params, f.target)
	if f.dropOutputs {
		s.outputs = map[string]string{}
	}
	if create {
		s.status = types.StackStatusCreateComplete
	} else {
		s.status = types.StackStatusUpdateComplete
	}
	f.stackEvent(s, types.ResourceStatus(s.status), "")
	cs.exec = types.ExecutionStatusExecuteComplete
	// CloudFormation drops a stack's other change sets once one has run.
	for id, other := range f.sets {
		if other.stack == s.name && other != cs {
			delete(f.sets, id)
		}
	}
}

func failedStatus(create bool) types.ResourceStatus {
	if create {
		return types.ResourceStatusCreateFailed
	}
	return types.ResourceStatusUpdateFailed
}

// templateOutputs evaluates a template's outputs: literals, Ref to a
// parameter, and Ref to a resource as a made-up ARN.
func templateOutputs(body string, params map[string]string, t Target) map[string]string {
	var tpl struct {
		Outputs map[string]struct{ Value any } `json:"Outputs"`
	}
	_ = jsonUnmarshal(body, &tpl)
	outs := map[string]string{}
	for k, o := range tpl.Outputs {
		switch v := o.Value.(type) {
		case string:
			outs[k] = v
		case map[string]any:
			ref, _ := v["Ref"].(string)
			if p, ok := params[ref]; ok {
				outs[k] = p
			} else {
				outs[k] = "arn:aws:fake:" + t.Region + ":" + t.AccountID + ":" + ref
			}
		}
	}
	return outs
}

func (f *fakeCF) GetTemplate(ctx context.Context, in *cloudformation.GetTemplateInput, _ ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.StackName)
	if err := f.enter("GetTemplate", name); err != nil {
		return nil, err
	}
	s := f.stack(name)
	if s == nil {
		return nil, apiError("ValidationError", "Stack with id %s does not exist", name)
	}
	return &cloudformation.GetTemplateOutput{TemplateBody: aws.String(s.body)}, nil
}

func (f *fakeCF) CreateChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.StackName)
	if err := f.enter("CreateChangeSet", name); err != nil {
		return nil, err
	}
	s := f.stacks[name]
	params := map[string]string{}
	for _, p := range in.Parameters {
		params[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	switch {
	case in.ChangeSetType == types.ChangeSetTypeCreate && s != nil && s.status != types.StackStatusReviewInProgress:
		return nil, apiError("ValidationError", "Stack [%s] already exists and cannot be created again with the changeSet [%s].", name, aws.ToString(in.ChangeSetName))
	case in.ChangeSetType == types.ChangeSetTypeUpdate && s == nil:
		return nil, apiError("ValidationError", "Stack [%s] does not exist", name)
	case in.ChangeSetType == types.ChangeSetTypeUpdate && (busy(s.status) || s.status == types.StackStatusRollbackComplete || s.status == types.StackStatusUpdateRollbackFailed):
		return nil, apiError("ValidationError", "Stack:%s is in %s state and can not be updated.", s.id, s.status)
	case in.ChangeSetType != types.ChangeSetTypeCreate && in.ChangeSetType != types.ChangeSetTypeUpdate:
		return nil, apiError("ValidationError", "apply must say CREATE or UPDATE, not %q", in.ChangeSetType)
	}
	for _, cs := range f.sets {
		if cs.stack == name && cs.name == aws.ToString(in.ChangeSetName) {
			return nil, apiError("AlreadyExistsException", "ChangeSet %s already exists", cs.name)
		}
	}
	if s == nil {
		s = f.seed(name, types.StackStatusReviewInProgress, "", nil)
		f.stackEvent(s, types.ResourceStatus(types.StackStatusReviewInProgress), "User Initiated")
	}
	f.seq++
	cs := &fakeChangeSet{
		id:   fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%d", f.target.Region, f.target.AccountID, aws.ToString(in.ChangeSetName), f.seq),
		name: aws.ToString(in.ChangeSetName), stack: name, typ: in.ChangeSetType,
		status: types.ChangeSetStatusCreateComplete, exec: types.ExecutionStatusAvailable,
		body: aws.ToString(in.TemplateBody), params: params, pendingPolls: f.pendingPolls,
	}
	if cs.pendingPolls > 0 {
		cs.status, cs.exec = types.ChangeSetStatusCreatePending, types.ExecutionStatusUnavailable
	}
	if in.ChangeSetType == types.ChangeSetTypeUpdate && sameJSON(s.body, cs.body) && maps(s.params, params) {
		if f.noChangesAsError {
			return nil, apiError("ValidationError", "No updates are to be performed.")
		}
		cs.status, cs.exec, cs.pendingPolls = types.ChangeSetStatusFailed, types.ExecutionStatusUnavailable, 0
		cs.reason = "The submitted information didn't contain changes. Submit different information to create a change set."
	} else if in.ChangeSetType == types.ChangeSetTypeUpdate && s.nextChanges != nil {
		cs.changes, s.nextChanges = s.nextChanges, nil
	} else {
		cs.changes = diffResources(s.body, cs.body)
	}
	f.sets[cs.id] = cs
	return &cloudformation.CreateChangeSetOutput{Id: aws.String(cs.id), StackId: aws.String(s.id)}, nil
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// diffResources lists added, removed and changed resources, without the
// details real CloudFormation adds.
func diffResources(oldBody, newBody string) []types.Change {
	var o, n Template
	_ = jsonUnmarshal(oldBody, &o)
	_ = jsonUnmarshal(newBody, &n)
	var changes []types.Change
	add := func(action types.ChangeAction, id, typ string) {
		changes = append(changes, types.Change{Type: types.ChangeTypeResource, ResourceChange: &types.ResourceChange{
			Action: action, LogicalResourceId: aws.String(id), ResourceType: aws.String(typ),
		}})
	}
	for _, id := range sortedKeys(n.Resources) {
		old, ok := o.Resources[id]
		switch {
		case !ok:
			add(types.ChangeActionAdd, id, n.Resources[id].Type)
		case fmt.Sprint(old) != fmt.Sprint(n.Resources[id]):
			add(types.ChangeActionModify, id, n.Resources[id].Type)
		}
	}
	for _, id := range sortedKeys(o.Resources) {
		if _, ok := n.Resources[id]; !ok {
			add(types.ChangeActionRemove, id, o.Resources[id].Type)
		}
	}
	return changes
}

func (f *fakeCF) changeSet(in string) (*fakeChangeSet, error) {
	if cs, ok := f.sets[in]; ok {
		return cs, nil
	}
	return nil, apiError("ChangeSetNotFound", "ChangeSet [%s] does not exist", in)
}

func (f *fakeCF) DescribeChangeSet(ctx context.Context, in *cloudformation.DescribeChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("DescribeChangeSet", aws.ToString(in.ChangeSetName)); err != nil {
		return nil, err
	}
	cs, err := f.changeSet(aws.ToString(in.ChangeSetName))
	if err != nil {
		return nil, err
	}
	if cs.pendingPolls > 0 {
		cs.pendingPolls--
		if cs.pendingPolls == 0 {
			defer func() { cs.status, cs.exec = types.ChangeSetStatusCreateComplete, types.ExecutionStatusAvailable }()
		}
	}
	out := &cloudformation.DescribeChangeSetOutput{
		ChangeSetId: aws.String(cs.id), ChangeSetName: aws.String(cs.name), StackName: aws.String(cs.stack),
		Status: cs.status, ExecutionStatus: cs.exec,
	}
	if cs.reason != "" {
		out.StatusReason = aws.String(cs.reason)
	}
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	end := len(cs.changes)
	if f.pageSize > 0 && start+f.pageSize < end {
		end = start + f.pageSize
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	out.Changes = cs.changes[start:end]
	return out, nil
}

func (f *fakeCF) DeleteChangeSet(ctx context.Context, in *cloudformation.DeleteChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.ChangeSetName)
	if err := f.enter("DeleteChangeSet", name); err != nil {
		return nil, err
	}
	for id, cs := range f.sets {
		if id == name || (cs.name == name && cs.stack == aws.ToString(in.StackName)) {
			delete(f.sets, id)
			return &cloudformation.DeleteChangeSetOutput{}, nil
		}
	}
	return nil, apiError("ChangeSetNotFound", "ChangeSet [%s] does not exist", name)
}

func (f *fakeCF) ExecuteChangeSet(ctx context.Context, in *cloudformation.ExecuteChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("ExecuteChangeSet", aws.ToString(in.ChangeSetName)); err != nil {
		return nil, err
	}
	cs, err := f.changeSet(aws.ToString(in.ChangeSetName))
	if err != nil {
		return nil, err
	}
	if cs.status != types.ChangeSetStatusCreateComplete || cs.exec != types.ExecutionStatusAvailable {
		return nil, apiError("InvalidChangeSetStatus", "ChangeSet [%s] cannot be executed in its current status of [%s]", cs.name, cs.status)
	}
	s := f.stacks[cs.stack]
	s.running, s.pollsLeft = cs, s.execPolls
	cs.exec = types.ExecutionStatusExecuteInProgress
	return &cloudformation.ExecuteChangeSetOutput{}, nil
}

func (f *fakeCF) DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.StackName)
	if err := f.enter("DescribeStackEvents", name); err != nil {
		return nil, err
	}
	s := f.stack(name)
	if s == nil {
		return nil, apiError("ValidationError", "Stack [%s] does not exist", name)
	}
	newest := slices.Clone(s.events)
	slices.Reverse(newest)
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	end := len(newest)
	out := &cloudformation.DescribeStackEventsOutput{}
	if f.pageSize > 0 && start+f.pageSize < end {
		end = start + f.pageSize
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	out.StackEvents = newest[start:end]
	return out, nil
}

func (f *fakeCF) DeleteStack(ctx context.Context, in *cloudformation.DeleteStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.StackName)
	if err := f.enter("DeleteStack", name); err != nil {
		return nil, err
	}
	s := f.stack(name)
	if s == nil {
		return &cloudformation.DeleteStackOutput{}, nil
	}
	f.stackEvent(s, types.ResourceStatusDeleteInProgress, "User Initiated")
	s.status = types.StackStatusDeleteComplete
	f.stackEvent(s, types.ResourceStatusDeleteComplete, "")
	delete(f.stacks, s.name)
	for id, cs := range f.sets {
		if cs.stack == s.name {
			delete(f.sets, id)
		}
	}
	return &cloudformation.DeleteStackOutput{}, nil
}

// ListChangeSets lists the change sets of a stack, by name or ID.
func (f *fakeCF) ListChangeSets(ctx context.Context, in *cloudformation.ListChangeSetsInput, _ ...func(*cloudformation.Options)) (*cloudformation.ListChangeSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.StackName)
	if err := f.enter("ListChangeSets", name); err != nil {
		return nil, err
	}
	s := f.stack(name)
	if s == nil {
		return nil, apiError("ValidationError", "Stack [%s] does not exist", name)
	}
	out := &cloudformation.ListChangeSetsOutput{}
	for _, id := range sortedKeys(f.sets) {
		if cs := f.sets[id]; cs.stack == s.name {
			out.Summaries = append(out.Summaries, types.ChangeSetSummary{ChangeSetName: aws.String(cs.name), ChangeSetId: aws.String(id)})
		}
	}
	return out, nil
}

// ListStackResources lists the template's resources, each with a
// physical id unless unemulated names it (an emulator that made nothing).
func (f *fakeCF) ListStackResources(ctx context.Context, in *cloudformation.ListStackResourcesInput, _ ...func(*cloudformation.Options)) (*cloudformation.ListStackResourcesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.StackName)
	if err := f.enter("ListStackResources", name); err != nil {
		return nil, err
	}
	s := f.stack(name)
	if s == nil {
		return nil, apiError("ValidationError", "Stack [%s] does not exist", name)
	}
	out := &cloudformation.ListStackResourcesOutput{}
	if t := parseTemplate(s.body); t != nil {
		for _, id := range sortedKeys(t.Resources) {
			physical := id + "-physical"
			if slices.Contains(f.unemulated, id) {
				physical = ""
			}
			out.StackResourceSummaries = append(out.StackResourceSummaries, types.StackResourceSummary{
				LogicalResourceId: aws.String(id), ResourceType: aws.String(t.Resources[id].Type), PhysicalResourceId: aws.String(physical),
			})
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fakeClock is time that passes only when the code under test sleeps (or
// the fake records an event), so waits cost nothing.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// fakeClients hands out one fakeCF per account and region.
type fakeClients struct {
	mu    sync.Mutex
	clock *fakeClock
	cfs   map[Target]*fakeCF
}

func (c *fakeClients) CloudFormation(ctx context.Context, t Target) (CloudFormation, error) {
	return c.cf(t), nil
}

func (c *fakeClients) cf(t Target) *fakeCF {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfs[t] == nil {
		c.cfs[t] = newFakeCF(t, c.clock)
	}
	return c.cfs[t]
}
