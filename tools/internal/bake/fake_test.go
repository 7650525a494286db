package bake

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"gitops/tools/internal/bake/imagebuildertest"
	"gitops/tools/internal/stacks"
)

// fakeClock advances only when slept on, and records the sleeps.
type fakeClock struct {
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

// testClients pairs the fake ImageBuilder with real SSM clients (moto), and
// can deny SSM writes in chosen accounts.
type testClients struct {
	ib     *imagebuildertest.Fake
	real   AWSClients
	denied map[string]bool // account names
}

func (c testClients) ImageBuilder(context.Context, stacks.Account, string) (ImageBuilder, error) {
	return c.ib, nil
}

func (c testClients) Parameters(ctx context.Context, acct stacks.Account, region string) (Parameters, error) {
	if c.denied[acct.Name] {
		return deniedParameters{acct: acct}, nil
	}
	return c.real.Parameters(ctx, acct, region)
}

// deniedParameters answers as SSM does to a role without ssm:PutParameter.
type deniedParameters struct{ acct stacks.Account }

func (d deniedParameters) PutParameter(_ context.Context, in *ssm.PutParameterInput, _ ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: fmt.Sprintf(
		"User: arn:aws:sts::%s:assumed-role/gitops-deploy/gitops-bake is not authorized to perform: ssm:PutParameter on resource: parameter%s",
		d.acct.ID, aws.ToString(in.Name))}
}

func (d deniedParameters) LabelParameterVersion(context.Context, *ssm.LabelParameterVersionInput, ...func(*ssm.Options)) (*ssm.LabelParameterVersionOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied"}
}
