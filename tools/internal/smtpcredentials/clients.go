package smtpcredentials

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/stacks"
)

// IAM is the part of the IAM API that manages the user's access keys;
// *iam.Client has it.
type IAM interface {
	ListAccessKeys(ctx context.Context, in *iam.ListAccessKeysInput, optFns ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	CreateAccessKey(ctx context.Context, in *iam.CreateAccessKeyInput, optFns ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
	DeleteAccessKey(ctx context.Context, in *iam.DeleteAccessKeyInput, optFns ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
}

// Secrets is the part of the Secrets Manager API that stores them.
type Secrets interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

// ECS restarts GitLab's service.
type ECS interface {
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
}

// AccountClients are the clients of one account and region.
type AccountClients struct {
	IAM     IAM
	Secrets Secrets
	ECS     ECS
}

// Clients opens the clients of a target's account and region.
type Clients interface {
	For(ctx context.Context, t Target) (AccountClients, error)
}

// AWSClients are the real clients, in the caller's account or through the
// account's deploy role.
type AWSClients struct {
	Access *awsaccess.Access
	// Accounts is the manifest's account table: how to reach each account.
	Accounts []stacks.Account
}

// For implements Clients.
func (c AWSClients) For(ctx context.Context, t Target) (AccountClients, error) {
	i := slices.IndexFunc(c.Accounts, func(a stacks.Account) bool { return a.Name == t.Account && a.ID == t.AccountID })
	if i < 0 {
		return AccountClients{}, fmt.Errorf("account %s (%s) is not in the manifest's account table", t.Account, t.AccountID)
	}
	cfg, err := c.Access.Config(ctx, c.Accounts[i], t.Region)
	if err != nil {
		return AccountClients{}, err
	}
	return AccountClients{IAM: iam.NewFromConfig(cfg), Secrets: secretsmanager.NewFromConfig(cfg), ECS: ecs.NewFromConfig(cfg)}, nil
}
