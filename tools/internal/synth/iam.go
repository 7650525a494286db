package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"

	"gitops/tools/internal/stacks"
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

// withSid names a statement, so reviewers and the denial tests can refer
// to it.
func withSid(sid string, s map[string]any) map[string]any {
	s["Sid"] = sid
	return s
}

// boundaryARN is the account's permissions boundary (stacks.BoundaryName,
// made by the deploy role stack): the stack's own boundary when it makes it.
func (b *builder) boundaryARN() *string {
	if b.boundary != nil {
		return b.boundary
	}
	return b.globalARN("iam", b.spec.AccountID, "policy/"+stacks.BoundaryName)
}

// boundPrincipals puts every IAM role and user of the stack under the
// account's permissions boundary; the execution role can create no role or
// user without it.
func (b *builder) boundPrincipals() {
	for _, c := range *b.st.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if !*awscdk.CfnResource_IsCfnResource(c) {
			continue
		}
		r := c.(awscdk.CfnResource)
		switch *r.CfnResourceType() {
		case "AWS::IAM::Role", "AWS::IAM::User":
			r.AddPropertyOverride(str("PermissionsBoundary"), b.boundaryARN())
		}
	}
}

// joinARN appends a literal suffix to an ARN token.
func joinARN(arn *string, suffix string) *string {
	return awscdk.Fn_Join(str(""), &[]*string{arn, str(suffix)})
}
