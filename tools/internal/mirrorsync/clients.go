package mirrorsync

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/stacks"
)

// IAM is the part of the IAM API that manages a mirror user's Git
// credentials; *iam.Client has it.
type IAM interface {
	GetUser(ctx context.Context, in *iam.GetUserInput, optFns ...func(*iam.Options)) (*iam.GetUserOutput, error)
	ListServiceSpecificCredentials(ctx context.Context, in *iam.ListServiceSpecificCredentialsInput, optFns ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error)
	CreateServiceSpecificCredential(ctx context.Context, in *iam.CreateServiceSpecificCredentialInput, optFns ...func(*iam.Options)) (*iam.CreateServiceSpecificCredentialOutput, error)
	DeleteServiceSpecificCredential(ctx context.Context, in *iam.DeleteServiceSpecificCredentialInput, optFns ...func(*iam.Options)) (*iam.DeleteServiceSpecificCredentialOutput, error)
}

// Secrets is the part of the Secrets Manager API that stores them.
type Secrets interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

// Connections is the part of the CodeConnections API that reads a
// connection's status.
type Connections interface {
	ListConnections(ctx context.Context, in *codeconnections.ListConnectionsInput, optFns ...func(*codeconnections.Options)) (*codeconnections.ListConnectionsOutput, error)
}

// Clients opens the API clients of an account in a region.
type Clients interface {
	IAM(ctx context.Context, acct stacks.Account, region string) (IAM, error)
	Secrets(ctx context.Context, acct stacks.Account, region string) (Secrets, error)
	Connections(ctx context.Context, acct stacks.Account, region string) (Connections, error)
}

// AWSClients are the real clients, in the caller's account or through the
// account's deploy role.
type AWSClients struct {
	Access *awsaccess.Access
}

// IAM returns an IAM client for acct.
func (c AWSClients) IAM(ctx context.Context, acct stacks.Account, region string) (IAM, error) {
	cfg, err := c.Access.Config(ctx, acct, region)
	if err != nil {
		return nil, err
	}
	return iam.NewFromConfig(cfg), nil
}

// Secrets returns a Secrets Manager client for acct in region.
func (c AWSClients) Secrets(ctx context.Context, acct stacks.Account, region string) (Secrets, error) {
	cfg, err := c.Access.Config(ctx, acct, region)
	if err != nil {
		return nil, err
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

// Connections returns a CodeConnections client for acct in region.
func (c AWSClients) Connections(ctx context.Context, acct stacks.Account, region string) (Connections, error) {
	cfg, err := c.Access.Config(ctx, acct, region)
	if err != nil {
		return nil, err
	}
	return codeconnections.NewFromConfig(cfg), nil
}
