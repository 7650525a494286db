package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"gitops/tools/internal/stacks"
)

// changeSetTimeout bounds the wait for CloudFormation to compute a change
// set; it takes seconds, a few minutes for large stacks.
const changeSetTimeout = 30 * time.Minute

// capabilities acknowledge what the generated templates do: create named
// IAM roles (the deploy role stack) and use macros the CDK may emit.
var capabilities = []types.Capability{
	types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam, types.CapabilityCapabilityAutoExpand,
}

// changeSet creates the stack's change set — CREATE or UPDATE, always said
// explicitly — waits for it and reads every page of it into res. A change
// set without changes, in either form CloudFormation reports it, is
// deleted and reported as no changes.
func (r *run) changeSet(ctx context.Context, s *Stack, res *StackResult, p *prepared) error {
	typ := types.ChangeSetTypeUpdate
	if res.Action != ActionUpdate {
		typ = types.ChangeSetTypeCreate
	}
	in := &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(s.Name),
		ChangeSetName: aws.String(r.opts.ChangeSetName),
		ChangeSetType: typ,
		TemplateBody:  aws.String(s.Body),
		Parameters:    p.params,
		Capabilities:  capabilities,
		Description:   aws.String(fmt.Sprintf("gitops %s of %s", commandName(r.apply), s.ID)),
	}
	// The deploy role may only pass the execution role, which the deploy
	// role stack itself creates: its first creation runs with the caller's
	// own rights (the bootstrap).
	if !(s.Kind == stacks.KindDeployRole && typ == types.ChangeSetTypeCreate) {
		in.RoleARN = aws.String(executionRoleARN(s))
	}
	// A first creation whose template needs the bucket the stack makes:
	// the bucket alone first, then the whole template as an update, still
	// with the caller's own rights (bootstrap.go).
	if bucketFirst(s, typ) {
		if !r.apply {
			// prepare gives a plan the note instead (templateBucketWait).
			return fmt.Errorf("stack %s: %s", s.ID, bucketFirstNote(s))
		}
		if err := r.createBucketFirst(ctx, s, p); err != nil {
			return err
		}
		in.ChangeSetType = types.ChangeSetTypeUpdate
	}
	if len(s.Body) > maxTemplateBody {
		url, err := r.templateURL(ctx, s)
		if err != nil {
			return err
		}
		in.TemplateBody, in.TemplateURL = nil, aws.String(url)
	}
	out, err := call(ctx, r, p.cf.CreateChangeSet, in)
	if apiCode(err) == "AlreadyExistsException" {
		// A run with the same name (a retried pipeline) left it behind.
		if _, derr := call(ctx, r, p.cf.DeleteChangeSet, &cloudformation.DeleteChangeSetInput{
			StackName: aws.String(s.Name), ChangeSetName: aws.String(r.opts.ChangeSetName),
		}); derr == nil {
			out, err = call(ctx, r, p.cf.CreateChangeSet, in)
		}
	}
	if err != nil {
		if isNoChanges(apiMessage(err)) {
			r.noChanges(s, res)
			return nil
		}
		return callError(err, "creating change set %s (%s)", r.opts.ChangeSetName, typ)
	}
	res.ChangeSet, res.ChangeSetID = r.opts.ChangeSetName, aws.ToString(out.Id)
	if id := aws.ToString(out.StackId); id != "" {
		p.stackID = id
	}
	desc, changes, err := r.waitChangeSet(ctx, p.cf, res.ChangeSetID)
	if err != nil {
		return err
	}
	if desc.Status == types.ChangeSetStatusFailed {
		reason := aws.ToString(desc.StatusReason)
		r.deleteChangeSet(ctx, s, res, p)
		if isNoChanges(reason) {
			r.noChanges(s, res)
			return nil
		}
		return fmt.Errorf("change set %s failed: %s", r.opts.ChangeSetName, reason)
	}
	r.describeChanges(ctx, s, res, p, changes)
	// The resource list is the report's; progress gives the count once.
	line := fmt.Sprintf("%s: %s (change set %s)", res.Action, countChanges(res.Changes), res.ChangeSet)
	if len(res.Blocked) > 0 {
		line += fmt.Sprintf("; replaces or removes %d stateful resource(s)", len(res.Blocked))
	}
	r.say(s.ID, "%s", line)
	return nil
}

func commandName(apply bool) string {
	if apply {
		return "apply"
	}
	return "plan"
}

func (r *run) deleteChangeSet(ctx context.Context, s *Stack, res *StackResult, p *prepared) {
	if _, err := call(ctx, r, p.cf.DeleteChangeSet, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); err != nil {
		r.say(s.ID, "could not delete change set %s: %s", res.ChangeSet, apiMessage(err))
		return
	}
	res.ChangeSet, res.ChangeSetID = "", ""
}

// waitChangeSet waits until CloudFormation has computed the change set and
// returns it with the changes of every page.
func (r *run) waitChangeSet(ctx context.Context, cf CloudFormation, id string) (*cloudformation.DescribeChangeSetOutput, []types.Change, error) {
	deadline := r.opts.Now().Add(changeSetTimeout)
	for {
		out, err := call(ctx, r, cf.DescribeChangeSet, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id)})
		if err != nil {
			return nil, nil, callError(err, "describing change set %s", id)
		}
		switch out.Status {
		case types.ChangeSetStatusCreatePending, types.ChangeSetStatusCreateInProgress:
			if !r.opts.Now().Before(deadline) {
				return nil, nil, fmt.Errorf("change set %s is still %s after %s", id, out.Status, changeSetTimeout)
			}
			if err := r.opts.Sleep(ctx, r.opts.PollInterval); err != nil {
				return nil, nil, err
			}
			continue
		case types.ChangeSetStatusFailed:
			return out, nil, nil
		}
		changes := out.Changes
		for token := out.NextToken; token != nil; {
			page, err := call(ctx, r, cf.DescribeChangeSet, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id), NextToken: token})
			if err != nil {
				return nil, nil, callError(err, "describing change set %s", id)
			}
			changes = append(changes, page.Changes...)
			token = page.NextToken
		}
		return out, changes, nil
	}
}

// describeChanges turns the change set's resource changes into res.Changes
// and lists in res.Blocked the stateful resources it would destroy.
func (r *run) describeChanges(ctx context.Context, s *Stack, res *StackResult, p *prepared, changes []types.Change) {
	res.Changes = []Change{}
	for _, c := range changes {
		rc := c.ResourceChange
		if rc == nil {
			continue
		}
		ch := Change{
			Action:      string(rc.Action),
			LogicalID:   aws.ToString(rc.LogicalResourceId),
			PhysicalID:  aws.ToString(rc.PhysicalResourceId),
			Type:        aws.ToString(rc.ResourceType),
			Replacement: string(rc.Replacement),
		}
		for _, d := range rc.Details {
			if d.Target == nil {
				continue
			}
			name := aws.ToString(d.Target.Name)
			if name == "" {
				name = string(d.Target.Attribute)
			}
			switch d.Target.RequiresRecreation {
			case types.RequiresRecreationAlways, types.RequiresRecreationConditionally:
				if !slices.Contains(ch.Causes, name) {
					ch.Causes = append(ch.Causes, name)
				}
			default:
				if !slices.Contains(ch.Properties, name) && !slices.Contains(ch.Causes, name) {
					ch.Properties = append(ch.Properties, name)
				}
			}
		}
		var prot stacks.Protected
		if ch.Action == string(types.ChangeActionRemove) {
			prot, ch.Stateful = removedProtected(ch.Type, ch.LogicalID, r.deployedProperties(ctx, p, ch.LogicalID))
		} else {
			prot, ch.Stateful = s.protected(ch.LogicalID)
		}
		// Any update of an AMI parameter writes the template's seed over
		// the id gitops bake published, so even an in-place Modify destroys.
		overwrites := prot.UpdateDestroys && ch.Action == string(types.ChangeActionModify)
		if ch.Stateful && (ch.Destroys() || overwrites) && !r.opts.AllowReplace[AllowKey(ch.Type, ch.LogicalID)] {
			res.Blocked = append(res.Blocked, AllowKey(ch.Type, ch.LogicalID))
		}
		res.Changes = append(res.Changes, ch)
	}
}

// deployedProperties are the properties of a resource in the deployed
// template, read once per stack; nil when unknown.
func (r *run) deployedProperties(ctx context.Context, p *prepared, logicalID string) map[string]any {
	if p.deployed == nil && p.stackID != "" {
		out, err := call(ctx, r, p.cf.GetTemplate, &cloudformation.GetTemplateInput{
			StackName: aws.String(p.stackID), TemplateStage: types.TemplateStageOriginal,
		})
		if err == nil {
			p.deployed = parseTemplate(aws.ToString(out.TemplateBody))
		}
	}
	if p.deployed == nil {
		return nil
	}
	return p.deployed.Resources[logicalID].Properties
}

// templateAdds lists the template's resources as additions: what a CREATE
// change set will show, for a stack whose change set must wait.
func templateAdds(s *Stack) []Change {
	changes := []Change{}
	if s.Template == nil {
		return changes
	}
	ids := make([]string, 0, len(s.Template.Resources))
	for id := range s.Template.Resources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		res := s.Template.Resources[id]
		_, stateful := s.protected(id)
		changes = append(changes, Change{Action: "Add", LogicalID: id, Type: res.Type, Stateful: stateful})
	}
	return changes
}

// unchanged tells whether the deployed stack already has the template and
// parameters, so no change set is needed. Parameters read from SSM are
// resolved by CloudFormation at each update (a new AMI id, say): such a
// stack always gets a change set, which tells. When the deployed template
// cannot be read or compared, a change set decides too.
func (r *run) unchanged(ctx context.Context, cf CloudFormation, st *types.Stack, s *Stack, params []types.Parameter) (bool, *Template) {
	out, err := call(ctx, r, cf.GetTemplate, &cloudformation.GetTemplateInput{
		StackName: st.StackId, TemplateStage: types.TemplateStageOriginal,
	})
	if err != nil {
		return false, nil
	}
	body := aws.ToString(out.TemplateBody)
	deployed := parseTemplate(body)
	for _, p := range s.Parameters {
		if p.Source.SSM != "" {
			return false, deployed
		}
	}
	return sameParameters(st.Parameters, params) && sameJSON(body, s.Body), deployed
}

// sameParameters tells whether every wanted parameter is deployed with the
// same value. A NoEcho parameter shows as **** and never compares equal.
func sameParameters(deployed, want []types.Parameter) bool {
	have := map[string]string{}
	for _, p := range deployed {
		have[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	for _, p := range want {
		v, ok := have[aws.ToString(p.ParameterKey)]
		if !ok || v != aws.ToString(p.ParameterValue) || v == "****" {
			return false
		}
	}
	return true
}

// sameJSON compares two JSON documents by value, so formatting and key
// order do not count.
func sameJSON(a, b string) bool {
	var va, vb any
	da := json.NewDecoder(strings.NewReader(a))
	da.UseNumber()
	db := json.NewDecoder(strings.NewReader(b))
	db.UseNumber()
	if da.Decode(&va) != nil || db.Decode(&vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
