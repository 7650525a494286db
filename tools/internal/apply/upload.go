package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"gitops/tools/internal/stacks"
)

// TemplateStore uploads templates too large for CloudFormation to take
// inline (over 51,200 bytes) and returns the URL CloudFormation reads them
// from. Clients that implement it let apply deploy such templates.
type TemplateStore interface {
	PutTemplate(ctx context.Context, t Target, bucket, key, body string) (url string, err error)
}

// templateURL uploads s's template into the template bucket of its
// account (made by the account's deploy-role stack, in that stack's
// region) under apply/ or plan/<stack name>/<sha256>.json, and returns
// its URL.
func (r *run) templateURL(ctx context.Context, s *Stack) (string, error) {
	store, ok := r.opts.Clients.(TemplateStore)
	if !ok {
		return "", fmt.Errorf("the template is %d bytes, over the %d CloudFormation takes inline, and these clients cannot upload it", len(s.Body), maxTemplateBody)
	}
	region := ""
	for _, d := range r.d.Stacks {
		if d.Kind == stacks.KindDeployRole && d.AccountID == s.AccountID {
			region = d.Region
		}
	}
	if region == "" {
		return "", fmt.Errorf("the template is %d bytes, too large to send inline, and account %s has no deploy-role stack holding the template bucket", len(s.Body), s.Account)
	}
	sum := sha256.Sum256([]byte(s.Body))
	key := stacks.TemplatePrefix(r.apply) + s.Name + "/" + hex.EncodeToString(sum[:]) + ".json"
	t := Target{Account: s.Account, AccountID: s.AccountID, Region: region}
	url, err := store.PutTemplate(ctx, t, stacks.TemplateBucketName(s.AccountID, region), key, s.Body)
	if err != nil {
		return "", fmt.Errorf("uploading the template (%d bytes) to the template bucket: %v", len(s.Body), apiMessage(err))
	}
	return url, nil
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
	}); err != nil {
		return "", err
	}
	return "https://s3." + t.Region + ".amazonaws.com/" + bucket + "/" + key, nil
}
