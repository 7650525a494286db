package bake

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/stacks"
)

// ImageBuilder is the part of the EC2 ImageBuilder API a bake uses;
// *imagebuilder.Client has it, and tests use a fake (no emulator has
// ImageBuilder).
type ImageBuilder interface {
	StartImagePipelineExecution(ctx context.Context, in *imagebuilder.StartImagePipelineExecutionInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.StartImagePipelineExecutionOutput, error)
	GetImage(ctx context.Context, in *imagebuilder.GetImageInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.GetImageOutput, error)
}

// Parameters is the part of the SSM API that publishes an AMI id.
type Parameters interface {
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	LabelParameterVersion(ctx context.Context, in *ssm.LabelParameterVersionInput, optFns ...func(*ssm.Options)) (*ssm.LabelParameterVersionOutput, error)
}

// Clients opens the API clients of an account in a region.
type Clients interface {
	ImageBuilder(ctx context.Context, acct stacks.Account, region string) (ImageBuilder, error)
	Parameters(ctx context.Context, acct stacks.Account, region string) (Parameters, error)
}

// AWSClients are the real clients, in the caller's account or through the
// account's deploy role.
type AWSClients struct {
	Access *awsaccess.Access
}

// ImageBuilder returns an ImageBuilder client for acct in region.
func (c AWSClients) ImageBuilder(ctx context.Context, acct stacks.Account, region string) (ImageBuilder, error) {
	cfg, err := c.Access.Config(ctx, acct, region)
	if err != nil {
		return nil, err
	}
	return imagebuilder.NewFromConfig(cfg), nil
}

// Parameters returns an SSM client for acct in region.
func (c AWSClients) Parameters(ctx context.Context, acct stacks.Account, region string) (Parameters, error) {
	cfg, err := c.Access.Config(ctx, acct, region)
	if err != nil {
		return nil, err
	}
	return ssm.NewFromConfig(cfg), nil
}
