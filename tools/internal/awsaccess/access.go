// Package awsaccess hands the operational commands (plan, apply, bake,
// mirrors sync) an AWS configuration per account and region of the
// manifest. Credentials come from the SDK's default chain; an account other
// than the caller's is reached through its deploy role. Endpoints are the SDK's own business, so
// AWS_ENDPOINT_URL (an emulator in tests) applies to every client.
package awsaccess

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"gitops/tools/internal/stacks"
)

// Access resolves configurations per account and region; safe for
// concurrent use.
type Access struct {
	base        aws.Config
	sessionName string
	// role names the role assumed in the other accounts; empty: the
	// account's deploy role.
	role string
	// roleOf, when set, names the role assumed in each other account (a
	// duty role of the manifest's account table); see Through.
	roleOf func(stacks.Account) string
	duty   string

	mu      sync.Mutex
	caller  string
	configs map[string]aws.Config
}

// Load reads the default configuration (environment, shared files, instance
// or container role). sessionName names the assumed-role sessions, so
// CloudTrail tells which command acted (e.g. gitops-bake).
func Load(ctx context.Context, sessionName string) (*Access, error) {
	// No SDK log lines between the command's own; errors are reported.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return New(cfg, sessionName), nil
}

// New wraps an already loaded configuration.
func New(base aws.Config, sessionName string) *Access {
	return &Access{base: base, sessionName: sessionName, configs: map[string]aws.Config{}}
}

// UseRole makes the other accounts be reached through the role of this
// name instead of their deploy role: gitops bake publishes AMI ids through
// each account's publish role, which may do nothing else.
func (a *Access) UseRole(name string) *Access {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.role = name
	return a
}

// Through returns an Access with the same credentials that reaches each
// other account through the role roleOf names there (a field of the
// manifest's account table, such as Account.SMTPRole): the commands with a
// duty of their own (mirrors sync, SMTP credentials) act through that
// duty's role, which may do nothing else.
// duty names it in errors (e.g. "mirrors sync").
func (a *Access) Through(duty string, roleOf func(stacks.Account) string) *Access {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &Access{base: a.base, sessionName: a.sessionName, roleOf: roleOf, duty: duty, caller: a.caller, configs: map[string]aws.Config{}}
}

// RoleName is the role assumed in acct when it is not the caller's.
func (a *Access) RoleName(acct stacks.Account) string {
	if a.roleOf != nil {
		return a.roleOf(acct)
	}
	if a.role != "" {
		return a.role
	}
	return acct.DeployRole
}

// CallerAccount returns the id of the account the default credentials belong to.
func (a *Access) CallerAccount(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.callerLocked(ctx)
}

func (a *Access) callerLocked(ctx context.Context) (string, error) {
	if a.caller != "" {
		return a.caller, nil
	}
	cfg := a.base.Copy()
	if cfg.Region == "" {
		// GetCallerIdentity answers in every region; the SDK needs one.
		cfg.Region = "us-east-1"
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("finding the caller's AWS account (sts:GetCallerIdentity): %w", err)
	}
	a.caller = aws.ToString(out.Account)
	return a.caller, nil
}

// Config returns the configuration for acct (from the manifest) in region:
// the default credentials when they belong to acct, else the credentials of
// acct's deploy role (or the role UseRole names), assumed (and refreshed)
// on first use.
func (a *Access) Config(ctx context.Context, acct stacks.Account, region string) (aws.Config, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := acct.ID + "/" + region
	if cfg, ok := a.configs[key]; ok {
		return cfg, nil
	}
	caller, err := a.callerLocked(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	cfg := a.base.Copy()
	cfg.Region = region
	if acct.ID != caller {
		if a.RoleName(acct) == "" {
			return aws.Config{}, fmt.Errorf("account %s has no %s role in generated/manifest.json: nothing of that duty is planned there (compile again if the estate changed, and deploy the account's deploy-role stack)", acct.Name, a.duty)
		}
		role := RoleARN(region, acct.ID, a.RoleName(acct))
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = a.sessionName
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
		// Assume now, so a missing trust relationship is reported against
		// the account rather than against the first call that needed it.
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return aws.Config{}, fmt.Errorf("assuming %s for account %s: %s", role, acct.Name, ShortError(err))
		}
	}
	a.configs[key] = cfg
	return cfg, nil
}

// Partition returns the AWS partition of region (aws, aws-cn, aws-us-gov).
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// DNSSuffix returns the domain of the service endpoints in region's partition.
func DNSSuffix(region string) string {
	if Partition(region) == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// RoleARN is the ARN of role name in account id, in region's partition.
func RoleARN(region, id, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", Partition(region), id, name)
}
