package synth

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
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
	return b.partitionARN(service + ":" + b.spec.Region + ":" + b.spec.AccountID + ":" + resource)
}

// globalARN builds an ARN of a global service (IAM): no region.
func (b *builder) globalARN(service, accountID, resource string) *string {
	return b.partitionARN(service + "::" + accountID + ":" + resource)
}

// partitionARN is "arn:<the stack's partition>:" followed by rest. The
// partition is a token inside the string, which the CDK renders as
// Fn::Join, so ARNs cost no call to the CDK but the first.
func (b *builder) partitionARN(rest string) *string {
	if b.partition == "" {
		b.partition = *awscdk.Aws_PARTITION()
	}
	return str("arn:" + b.partition + ":" + rest)
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
	if b.boundary == nil {
		b.boundary = b.globalARN("iam", b.spec.AccountID, "policy/"+stacks.BoundaryName)
	}
	return b.boundary
}

// plainCfnResource is the Go type jsii gives a construct of class
// CfnResource itself (or of a class of the CDK's that Go has no type
// for), not of a typed resource class such as CfnRole.
const plainCfnResource = "*awscdk.jsiiProxy_CfnResource"

// boundPrincipals puts every IAM role and user of the stack under the
// account's permissions boundary; the execution role can create no role or
// user without it. The constructs' Go types say which are roles and users,
// so the walk costs one call to the CDK, not two per construct.
func (b *builder) boundPrincipals() {
	for _, c := range *b.st.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		switch r := c.(type) {
		case awsiam.CfnRole:
			r.AddPropertyOverride(str("PermissionsBoundary"), b.boundaryARN())
		case awsiam.CfnUser:
			r.AddPropertyOverride(str("PermissionsBoundary"), b.boundaryARN())
		case awscdk.CfnResource:
			// A resource made without its typed class (the CDK's custom
			// resource providers make their roles so) is typed only by
			// its CloudFormation type; the typed ones are not asked.
			if fmt.Sprintf("%T", r) != plainCfnResource {
				continue
			}
			if typ := *r.CfnResourceType(); typ == "AWS::IAM::Role" || typ == "AWS::IAM::User" {
				r.AddPropertyOverride(str("PermissionsBoundary"), b.boundaryARN())
			}
		}
	}
}

// joinARN appends a literal suffix to an ARN token.
func joinARN(arn *string, suffix string) *string {
	return awscdk.Fn_Join(str(""), &[]*string{arn, str(suffix)})
}
