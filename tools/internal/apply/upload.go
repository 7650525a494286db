package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"gitops/tools/internal/stacks"
)

// TemplateStore uploads templates too large for CloudFormation to take
// inline (over 51,200 bytes) and returns the URL CloudFormation reads them
// from. Clients that implement it let apply deploy such templates.
type TemplateStore interface {
	PutTemplate(ctx context.Context, t Target, bucket, key, body string) (url string, err error)
}

// templateURL uploads s's template into its account's template bucket of
// s's region (made by the account's deploy-role stack in that stack's
// region, by a template-bucket stack in each other region) under apply/
// or plan/<stack name>/<sha256>.json, and returns its URL. The bucket of
// the stack's own region: CloudFormation reads the template from there,
// and it never leaves the region.
func (r *run) templateURL(ctx context.Context, s *Stack) (string, error) {
	store, ok := r.opts.Clients.(TemplateStore)
	if !ok {
		return "", fmt.Errorf("the template is %d bytes, over the %d CloudFormation takes inline, and these clients cannot upload it", len(s.Body), maxTemplateBody)
	}
	if !r.d.hasTemplateBucket(s.AccountID, s.Region) {
		return "", fmt.Errorf("the template is %d bytes, too large to send inline, and the manifest has no template bucket of account %s in %s (neither its deploy-role stack nor a template-bucket stack is there); run gitops compile with this gitops",
			len(s.Body), s.Account, s.Region)
	}
	sum := sha256.Sum256([]byte(s.Body))
	key := stacks.TemplatePrefix(r.apply) + s.Name + "/" + hex.EncodeToString(sum[:]) + ".json"
	bucket := stacks.TemplateBucketName(s.AccountID, s.Region)
	url, err := store.PutTemplate(ctx, s.Target(), bucket, key, s.Body)
	if err != nil {
		return "", fmt.Errorf("uploading the template (%d bytes) to the template bucket %s: %v", len(s.Body), bucket, apiMessage(err))
	}
	return url, nil
}

// templateBucketWait says what a plan waits for before it can upload s's
// template: the template-bucket stack of s's region, when this run
// creates it (a merge request adding the account's first stacks there), or
// for a deploy-role stack created here, the stack's own first step.
func (r *run) templateBucketWait(s *Stack, action Action) string {
	if r.apply || len(s.Body) <= maxTemplateBody {
		return ""
	}
	if action == ActionCreate && bucketFirst(s, types.ChangeSetTypeCreate) {
		return bucketFirstNote(s)
	}
	for _, b := range r.d.Stacks {
		if b.Kind != stacks.KindTemplateBucket || b.AccountID != s.AccountID || b.Region != s.Region || !r.selected[b.ID] {
			continue
		}
		if a := r.results[b.ID].Action; a == ActionCreate || a == ActionRecreate {
			return "after " + b.ID + ", which this run creates, for its template bucket"
		}
	}
	return ""
}

// hasTemplateBucket reports whether a stack of the deployment makes the
// template bucket of the account in the region.
func (d *Deployment) hasTemplateBucket(accountID, region string) bool {
	for _, s := range d.Stacks {
		if s.AccountID == accountID && s.Region == region && (s.Kind == stacks.KindDeployRole || s.Kind == stacks.KindTemplateBucket) {
			return true
		}
	}
	return false
}

// PutTemplate uploads a template with the target account's credentials.
func (c *AWSClients) PutTemplate(ctx context.Context, t Target, bucket, key, body string) (string, error) {
	c.mu.Lock()
	cfg, err := c.config(ctx, t)
	c.mu.Unlock()
	if err != nil {
		return "", err
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body),
		ContentType: aws.String("application/json"),
		// The bucket's name is predictable: were this account's ever
		// deleted, another account could create one of the same name and
		// receive (and rewrite) the estate's templates.
		ExpectedBucketOwner: aws.String(t.AccountID),
	}); err != nil {
		return "", err
	}
	return templateObjectURL(t.Region, bucket, key), nil
}

// templateObjectURL is the regional, path-style URL CloudFormation reads an
// uploaded template from; the China regions' S3 endpoints are under
// amazonaws.com.cn.
func templateObjectURL(region, bucket, key string) string {
	domain := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return "https://s3." + region + "." + domain + "/" + bucket + "/" + key
}
