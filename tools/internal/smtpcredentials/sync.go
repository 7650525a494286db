// Package smtpcredentials does for GitLab's mail what CloudFormation cannot:
// it gives GitLab's SES SMTP user (made by the GitLab image stack) an access
// key, derives the key's SES SMTP password in Go (Password) and writes both
// into the secret GitLab's task reads, then restarts GitLab's service so the
// task reads the new value. It reads first and changes only what differs:
// a second run with a valid secret changes nothing. It never prints a
// secret, keeps the user within IAM's limit of two access keys, and deletes
// the key it replaced. Apply runs it after the image stack; gitops gitlab
// smtp-credentials runs it by hand (--rotate replaces a valid key).
package smtpcredentials

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"gitops/tools/internal/stacks"
)

// Target is one GitLab's SMTP credentials in its account and region, as the
// manifest records them on the GitLab image stack.
type Target struct {
	// Stack is the image stack's ID, for messages.
	Stack     string
	Account   string
	AccountID string
	Region    string
	stacks.SMTPCredentials
}

// TargetOf returns the SMTP credentials a manifest stack asks for.
func TargetOf(h stacks.StackHeader) (Target, bool) {
	if h.SMTPCredentials == nil {
		return Target{}, false
	}
	return Target{Stack: h.ID, Account: h.Account, AccountID: h.AccountID, Region: h.Region, SMTPCredentials: *h.SMTPCredentials}, true
}

// Syncer keeps SMTP credentials current.
type Syncer struct {
	Clients Clients
	// Out receives one line per change (no secrets).
	Out io.Writer
	// Rotate replaces the access key even when the secret holds a valid one.
	Rotate bool
	// DryRun reads everything and changes nothing.
	DryRun bool
}

// Result says what a sync did.
type Result struct {
	// Changed: the secret got a new key.
	Changed bool
	// Restarted: GitLab's service was asked to start a new task.
	Restarted bool
}

// stored is the secret's JSON, as GitLab's task reads it (keys username
// and password, see gitlabrb.EnvSMTPUser).
type stored struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Sync makes t's secret hold a valid access key of t's user and its SMTP
// password.
func (s *Syncer) Sync(ctx context.Context, t Target) (Result, error) {
	var res Result
	c, err := s.Clients.For(ctx, t)
	if err != nil {
		return res, err
	}
	cur, err := readSecret(ctx, c.Secrets, t.Secret)
	if err != nil {
		return res, err
	}
	keys, err := c.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(t.User)})
	if err != nil {
		var missing *iamtypes.NoSuchEntityException
		if errors.As(err, &missing) {
			return res, fmt.Errorf("IAM user %s does not exist in account %s: deploy stack %s first", t.User, t.Account, t.Stack)
		}
		return res, fmt.Errorf("listing the access keys of %s: %w", t.User, err)
	}
	var current string
	var stale []string
	for _, k := range keys.AccessKeyMetadata {
		id := aws.ToString(k.AccessKeyId)
		if id == cur.Username && cur.Password != "" && k.Status == iamtypes.StatusTypeActive {
			current = id
		} else {
			stale = append(stale, id)
		}
	}
	if current != "" && !s.Rotate {
		fmt.Fprintf(s.Out, "SMTP credentials of %s in %s are current (access key %s)\n", t.User, t.Secret, Masked(current))
		if len(stale) == 0 || s.DryRun {
			return res, nil
		}
		// A rotation that wrote the secret but could not restart the
		// service left the replaced key active, and the running task may
		// still use it: restart first, then take the old key away.
		return s.retireReplaced(ctx, c, t, stale, res)
	}
	why := "the secret holds no access key of the user"
	if current != "" {
		why = "--rotate"
	}
	if s.DryRun {
		fmt.Fprintf(s.Out, "would create an access key for %s, write its SMTP password to %s and restart %s/%s (%s)\n", t.User, t.Secret, t.Cluster, t.Service, why)
		return res, nil
	}
	// IAM allows two access keys per user: the one in use stays until the
	// new one is written; any other is a leftover of an interrupted run.
	for _, id := range stale {
		if _, err := c.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(t.User), AccessKeyId: aws.String(id)}); err != nil {
			return res, fmt.Errorf("deleting unused access key %s of %s: %w", Masked(id), t.User, err)
		}
		fmt.Fprintf(s.Out, "deleted unused access key %s of %s\n", Masked(id), t.User)
	}
	created, err := c.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(t.User)})
	if err != nil {
		return res, fmt.Errorf("creating an access key for %s: %w", t.User, err)
	}
	id := aws.ToString(created.AccessKey.AccessKeyId)
	value, _ := json.Marshal(stored{Username: id, Password: Password(aws.ToString(created.AccessKey.SecretAccessKey), t.Region)})
	if _, err := c.Secrets.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(t.Secret), SecretString: aws.String(string(value))}); err != nil {
		// Without the secret the new key is of no use: take it back, so a
		// retry finds the same state.
		_, _ = c.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(t.User), AccessKeyId: aws.String(id)})
		return res, fmt.Errorf("writing %s: %w", t.Secret, err)
	}
	res.Changed = true
	fmt.Fprintf(s.Out, "wrote access key %s of %s and its SMTP password to %s (%s)\n", Masked(id), t.User, t.Secret, why)

	res.Restarted, err = restart(ctx, c.ECS, t)
	if err != nil {
		return res, err
	}
	if res.Restarted {
		fmt.Fprintf(s.Out, "restarting ECS service %s/%s so GitLab reads the new credentials\n", t.Cluster, t.Service)
	} else {
		fmt.Fprintf(s.Out, "ECS service %s/%s is not deployed yet; its first task reads the new credentials\n", t.Cluster, t.Service)
	}
	if current != "" {
		if _, err := c.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(t.User), AccessKeyId: aws.String(current)}); err != nil {
			return res, fmt.Errorf("deleting the replaced access key %s of %s: %w", Masked(current), t.User, err)
		}
		fmt.Fprintf(s.Out, "deleted the replaced access key %s\n", Masked(current))
	}
	return res, nil
}

// readSecret reads the stored credentials; a value that is not their JSON
// (the value CloudFormation generated) reads as none.
func readSecret(ctx context.Context, c Secrets, name string) (stored, error) {
	var cur stored
	out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		var missing *smtypes.ResourceNotFoundException
		if errors.As(err, &missing) {
			return cur, fmt.Errorf("secret %s does not exist: deploy GitLab's image stack first", name)
		}
		return cur, fmt.Errorf("reading %s: %w", name, err)
	}
	_ = json.Unmarshal([]byte(aws.ToString(out.SecretString)), &cur)
	return cur, nil
}

// restart asks ECS for a new deployment of GitLab's service, so its task
// is replaced and reads the secret again; false when the service does not
// exist yet.
// retireReplaced restarts GitLab's service so it reads the current secret,
// then deletes the keys the secret no longer holds.
func (s *Syncer) retireReplaced(ctx context.Context, c AccountClients, t Target, stale []string, res Result) (Result, error) {
	var err error
	res.Restarted, err = restart(ctx, c.ECS, t)
	if err != nil {
		return res, err
	}
	if res.Restarted {
		fmt.Fprintf(s.Out, "restarting ECS service %s/%s so GitLab reads the current credentials\n", t.Cluster, t.Service)
	}
	for _, id := range stale {
		if _, err := c.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(t.User), AccessKeyId: aws.String(id)}); err != nil {
			return res, fmt.Errorf("deleting the replaced access key %s of %s: %w", Masked(id), t.User, err)
		}
		res.Changed = true
		fmt.Fprintf(s.Out, "deleted the replaced access key %s\n", Masked(id))
	}
	return res, nil
}

func restart(ctx context.Context, c ECS, t Target) (bool, error) {
	_, err := c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(t.Cluster), Service: aws.String(t.Service), ForceNewDeployment: true})
	var noCluster *ecstypes.ClusterNotFoundException
	var noService *ecstypes.ServiceNotFoundException
	var inactive *ecstypes.ServiceNotActiveException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &noCluster), errors.As(err, &noService), errors.As(err, &inactive):
		return false, nil
	}
	return false, fmt.Errorf("restarting ECS service %s/%s: %w", t.Cluster, t.Service, err)
}

// Masked shows the last four characters of an access key id only.
func Masked(id string) string {
	if len(id) <= 4 {
		return "…"
	}
	return "…" + id[len(id)-4:]
}

// LineWriter passes each complete line written to it to Line.
type LineWriter struct {
	Line func(string)
	buf  []byte
}

// Write implements io.Writer.
func (w *LineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.Line(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}
