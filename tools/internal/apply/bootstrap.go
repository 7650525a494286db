package apply

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"gitops/tools/internal/stacks"
)

// A deploy-role stack's template over the inline limit cannot go through
// the template bucket on the stack's first creation: the stack makes the
// bucket. apply then creates the stack in two steps, with the caller's own
// rights as for any first creation: first the stack with its template
// bucket alone, then an UPDATE change set from the whole template, uploaded
// to that bucket.

// bootstrapLogicalID is the deploy-role stack's template bucket.
const bootstrapLogicalID = "TemplateBucket"

// bucketFirst reports whether s is created in two steps, its template
// bucket first.
func bucketFirst(s *Stack, typ types.ChangeSetType) bool {
	return s.Kind == stacks.KindDeployRole && typ == types.ChangeSetTypeCreate && len(s.Body) > maxTemplateBody
}

// bucketFirstNote is what a plan says of such a stack instead of a change
// set, which it cannot make before the bucket exists.
func bucketFirstNote(s *Stack) string {
	return fmt.Sprintf("created in two steps: its template (%d bytes) is over the %d CloudFormation takes inline, so apply creates the stack with its template bucket alone, then uploads the template there",
		len(s.Body), maxTemplateBody)
}

// bootstrapBody is a template of s's template bucket alone.
func bootstrapBody(s *Stack) (string, error) {
	var t struct {
		Resources map[string]json.RawMessage `json:"Resources"`
	}
	if err := json.Unmarshal([]byte(s.Body), &t); err != nil {
		return "", fmt.Errorf("reading the template: %v", err)
	}
	bucket, ok := t.Resources[bootstrapLogicalID]
	if !ok {
		return "", fmt.Errorf("the template is %d bytes, over the %d CloudFormation takes inline, and holds no %s to create first and upload it to",
			len(s.Body), maxTemplateBody, bootstrapLogicalID)
	}
	body, err := json.Marshal(map[string]any{
		"Description": "gitops " + string(s.Kind) + ": " + s.ID + " (its template bucket, before the whole template)",
		"Resources":   map[string]json.RawMessage{bootstrapLogicalID: bucket},
	})
	return string(body), err
}

// createBucketFirst creates stack s with its template bucket alone and
// waits for it, so that the whole template can be uploaded there.
func (r *run) createBucketFirst(ctx context.Context, s *Stack, p *prepared) error {
	body, err := bootstrapBody(s)
	if err != nil {
		return err
	}
	r.say(s.ID, "creating the stack with its template bucket first (the template is %d bytes)", len(s.Body))
	out, err := call(ctx, r, p.cf.CreateChangeSet, &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(s.Name),
		ChangeSetName: aws.String(r.opts.ChangeSetName + "-bucket"),
		ChangeSetType: types.ChangeSetTypeCreate,
		TemplateBody:  aws.String(body),
		Capabilities:  capabilities,
		Description:   aws.String("gitops apply of " + s.ID + ": its template bucket first"),
	})
	if err != nil {
		return callError(err, "creating the change set of %s's template bucket", s.Name)
	}
	if id := aws.ToString(out.StackId); id != "" {
		p.stackID = id
	}
	desc, _, err := r.waitChangeSet(ctx, p.cf, aws.ToString(out.Id))
	if err != nil {
		return err
	}
	if desc.Status == types.ChangeSetStatusFailed {
		return fmt.Errorf("the change set of %s's template bucket failed: %s", s.Name, aws.ToString(desc.StatusReason))
	}
	start := r.opts.Now()
	if _, err := call(ctx, r, p.cf.ExecuteChangeSet, &cloudformation.ExecuteChangeSetInput{ChangeSetName: out.Id}); err != nil {
		if ctx.Err() != nil {
			return midUpdate(s)
		}
		return callError(err, "executing the change set of %s's template bucket", s.Name)
	}
	st, err := r.waitStack(ctx, s, p, aws.ToString(out.Id), start)
	if err != nil {
		if ctx.Err() != nil {
			return midUpdate(s)
		}
		return err
	}
	if st.StackStatus != types.StackStatusCreateComplete {
		return &stackError{
			msg:    fmt.Sprintf("stack %s ended %s while creating its template bucket%s", s.Name, st.StackStatus, reasonSuffix(st.StackStatusReason)),
			advice: failureAdvice(s, st.StackStatus),
			events: r.failureEvents(ctx, p.cf, s, p.stackID),
		}
	}
	return nil
}
