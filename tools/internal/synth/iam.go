package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// IAM policy documents as plain maps: the CDK renders map keys sorted, so
// they come out the same on every run.

// policy is a policy document of the given statements.
func policy(statements ...map[string]any) map[string]any {
	list := make([]any, len(statements))
	for i, s := range statements {
		list[i] = s
	}
	return map[string]any{"Version": "2012-10-17", "Statement": list}
}

// statement allows or denies actions on resources; a resource is a string
// or a *string token.
func statement(effect string, actions []string, resources ...any) map[string]any {
	s := map[string]any{"Effect": effect, "Action": actions}
	if len(resources) == 1 {
		s["Resource"] = resources[0]
	} else {
		s["Resource"] = resources
	}
	return s
}

// withCondition adds a condition block to a statement.
func withCondition(s map[string]any, cond map[string]any) map[string]any {
	s["Condition"] = cond
	return s
}

// serviceTrust lets an AWS service assume a role on behalf of this account
// only (the confused-deputy guard).
func serviceTrust(service, accountID string) map[string]any {
	return policy(map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": service},
		"Action":    "sts:AssumeRole",
		"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": accountID}},
	})
}

// arn builds an ARN in the stack's partition, region and account; service
// is e.g. "logs" and resource "log-group:/x:*".
func (b *builder) arn(service, resource string) *string {
	return awscdk.Fn_Join(str(""), &[]*string{
		str("arn:"), awscdk.Aws_PARTITION(), str(":" + service + ":" + b.spec.Region + ":" + b.spec.AccountID + ":" + resource),
	})
}

// globalARN builds an ARN of a global service (IAM): no region.
func (b *builder) globalARN(service, accountID, resource string) *string {
	return awscdk.Fn_Join(str(""), &[]*string{
		str("arn:"), awscdk.Aws_PARTITION(), str(":" + service + "::" + accountID + ":" + resource),
	})
}
