package apply

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/logging"
	"github.com/google/go-containerregistry/pkg/authn"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/stacks"
)

// AWSOptions say how to reach each account.
type AWSOptions struct {
	// Accounts is the manifest's account table: how to reach each account.
	Accounts []stacks.Account
	// SessionName names the assumed-role sessions, so CloudTrail ties the
	// changes to the pipeline run.
	SessionName string
	// MaxAttempts is how many times the SDK tries a call (default 10; 1
	// against an emulator that answers 500 for what it lacks).
	MaxAttempts int
	// Backoff replaces the SDK's jittered exponential backoff (tests).
	Backoff retry.BackoffDelayer
}

// AWSClients makes real clients, as the other operational commands do
// (awsaccess): credentials from the SDK's default chain (environment,
// profile, web identity, the CodeBuild container role) in their own
// account, the account's deploy role assumed through STS in every other.
// The endpoint comes from the SDK's own settings (AWS_ENDPOINT_URL points it
// at an emulator). Calls retry throttling with the SDK's standard backoff.
type AWSClients struct {
	opts   AWSOptions
	access *awsaccess.Access

	mu      sync.Mutex
	clients map[Target]CloudFormation
	// failed remembers an account whose role could not be assumed, so its
	// other stacks fail at once with the same reason.
	failed map[string]error
}

// NewAWSClients loads the default configuration. No credential is read or
// printed before the first call needs one.
func NewAWSClients(ctx context.Context, opts AWSOptions) (*AWSClients, error) {
	attempts := opts.MaxAttempts
	if attempts <= 0 {
		attempts = 10
	}
	// The SDK's own log lines (an instance-metadata fallback, say) would
	// come between gitops' progress lines; its errors reach the report.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}), config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.MaxBackoff = 20 * time.Second
			// Polling many stacks draws on one retry quota; running out of
			// it would turn a slow account into a failed apply.
			o.RateLimiter = ratelimit.None
			if opts.Backoff != nil {
				o.Backoff = opts.Backoff
			}
		})
	}))
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return &AWSClients{
		opts: opts, access: awsaccess.New(cfg, opts.SessionName),
		clients: map[Target]CloudFormation{}, failed: map[string]error{},
	}, nil
}

// Access is how the clients reach each account, for the other AWS calls
// apply makes (GitLab's SMTP credentials).
func (c *AWSClients) Access() *awsaccess.Access { return c.access }

// CloudFormation returns the client for the target's account and region.
func (c *AWSClients) CloudFormation(ctx context.Context, t Target) (CloudFormation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cf, ok := c.clients[t]; ok {
		return cf, nil
	}
	cfg, err := c.config(ctx, t)
	if err != nil {
		return nil, err
	}
	cf := cloudformation.NewFromConfig(cfg)
	c.clients[t] = cf
	return cf, nil
}

// config is the SDK configuration for the target. The caller holds c.mu.
func (c *AWSClients) config(ctx context.Context, t Target) (aws.Config, error) {
	if err, failed := c.failed[t.AccountID]; failed {
		return aws.Config{}, err
	}
	i := slices.IndexFunc(c.opts.Accounts, func(a stacks.Account) bool { return a.Name == t.Account && a.ID == t.AccountID })
	if i < 0 {
		return aws.Config{}, fmt.Errorf("account %s (%s) is not in the manifest's account table", t.Account, t.AccountID)
	}
	cfg, err := c.access.Config(ctx, c.opts.Accounts[i], t.Region)
	if err != nil {
		c.failed[t.AccountID] = err
	}
	return cfg, err
}

// RegistryAuth returns credentials for the target account's ECR registry,
// from an authorization token of the account (valid 12 hours).
func (c *AWSClients) RegistryAuth(ctx context.Context, t Target) (authn.Authenticator, error) {
	c.mu.Lock()
	cfg, err := c.config(ctx, t)
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out, err := ecr.NewFromConfig(cfg).GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, fmt.Errorf("ECR authorization token for account %s: %s", t.AccountID, apiMessage(err))
	}
	if len(out.AuthorizationData) == 0 {
		return nil, fmt.Errorf("ECR gave no authorization token for account %s", t.AccountID)
	}
	token, err := base64.StdEncoding.DecodeString(aws.ToString(out.AuthorizationData[0].AuthorizationToken))
	user, password, ok := strings.Cut(string(token), ":")
	if err != nil || !ok {
		return nil, fmt.Errorf("ECR authorization token for account %s is not user:password", t.AccountID)
	}
	return &authn.Basic{Username: user, Password: password}, nil
}

// RunID names this run after the pipeline execution that started it, so
// change sets and role sessions can be traced back to it; outside a
// pipeline it is the UTC time.
func RunID(getenv func(string) string, now time.Time) string {
	for _, key := range []string{"GITOPS_RUN_ID", "CODEPIPELINE_EXECUTION_ID", "CI_PIPELINE_ID"} {
		if v := getenv(key); v != "" {
			return v
		}
	}
	if v := getenv("CODEBUILD_BUILD_ID"); v != "" {
		// project:uuid; the uuid is the build.
		if _, id, ok := strings.Cut(v, ":"); ok {
			return id
		}
		return v
	}
	return now.UTC().Format("20060102T150405Z")
}

// ChangeSetName is the run's change set name: gitops-<command>-<run id>,
// letters, digits and hyphens, at most 128 characters.
func ChangeSetName(command, runID string) string {
	return clip("gitops-"+command+"-"+keep(runID, func(r rune) bool { return r == '-' }), 128)
}

// SessionName is the run's role session name, at most 64 characters of
// the set STS allows.
func SessionName(runID string) string {
	return clip("gitops-"+keep(runID, func(r rune) bool { return strings.ContainsRune("+=,.@_-", r) }), 64)
}

func keep(s string, extra func(rune) bool) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || extra(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return strings.TrimRight(s[:n], "-")
	}
	return strings.TrimRight(s, "-")
}

// MaxAttemptsFromEnv reads AWS_MAX_ATTEMPTS, the SDK's own setting, so the
// emulator tests and a user can set it as they would for any SDK tool.
func MaxAttemptsFromEnv() int {
	n, err := strconv.Atoi(os.Getenv("AWS_MAX_ATTEMPTS"))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
