package stacks

import "gitops/tools/internal/estate"

// Pascal turns an estate name into a CloudFormation logical id part; see
// estate.Pascal, which validation uses to refuse names that would collide.
func Pascal(name string) string { return estate.Pascal(name) }

// Output and parameter names shared by the planner and the synth: the
// planner declares which ones a stack produces and consumes, the synth
// emits them under exactly these names.

// VPCIDOutput is the network stack's output holding a VPC's id.
func VPCIDOutput(vpc string) string { return Pascal(vpc) + "VpcId" }

// SubnetIDOutput holds the id of one subnet (<tier>-<zone letter>).
func SubnetIDOutput(vpc, subnet string) string { return Pascal(vpc) + Pascal(subnet) + "SubnetId" }

// SubnetIDsOutput holds the comma-separated ids of a tier's subnets, in zone order.
func SubnetIDsOutput(vpc, tier string) string { return Pascal(vpc) + Pascal(tier) + "SubnetIds" }

// RouteTableIDOutput holds the id of a subnet's route table.
func RouteTableIDOutput(vpc, subnet string) string {
	return Pascal(vpc) + Pascal(subnet) + "RouteTableId"
}

// TransitGatewayIDOutput is the owner stack's output holding the gateway id.
func TransitGatewayIDOutput(tgw string) string { return Pascal(tgw) + "TransitGatewayId" }

// TGWRouteTableIDOutput holds the id of a gateway route table.
func TGWRouteTableIDOutput(tgw, table string) string {
	return Pascal(tgw) + Pascal(table) + "TgwRouteTableId"
}

// AttachmentIDOutput holds the id of a gateway VPC attachment.
func AttachmentIDOutput(tgw, attachment string) string {
	return Pascal(tgw) + Pascal(attachment) + "AttachmentId"
}

// ImageRepositoryOutput is the GitLab image stack's output holding the URI
// of the repository the service pulls from (without tag).
func ImageRepositoryOutput(gitlab string) string { return Pascal(gitlab) + "ImageRepositoryUri" }

// GitLabURLOutput holds GitLab's external URL.
func GitLabURLOutput(gitlab string) string { return Pascal(gitlab) + "GitLabUrl" }

// GitLabRootPasswordOutput holds the ARN of the root password's secret.
func GitLabRootPasswordOutput(gitlab string) string { return Pascal(gitlab) + "RootPasswordSecretArn" }

// GitLabLoadBalancerOutput holds the ALB's DNS name.
func GitLabLoadBalancerOutput(gitlab string) string { return Pascal(gitlab) + "LoadBalancerDnsName" }

// GitLabPrivateZoneOutput holds the id of the private hosted zone of
// GitLab's internal load balancer.
func GitLabPrivateZoneOutput(gitlab string) string { return Pascal(gitlab) + "PrivateZoneId" }

// GitLabTaskSecurityGroupOutput holds the security group of GitLab's tasks.
func GitLabTaskSecurityGroupOutput(gitlab string) string {
	return Pascal(gitlab) + "TaskSecurityGroupId"
}

// GitLabLoadBalancerSecurityGroupOutput holds the security group of
// GitLab's load balancer (a CodeConnections host is let in through it).
func GitLabLoadBalancerSecurityGroupOutput(gitlab string) string {
	return Pascal(gitlab) + "LoadBalancerSecurityGroupId"
}

// GitLabSMTPSecretOutput is the GitLab image stack's output holding the
// ARN of the SMTP credentials' secret.
func GitLabSMTPSecretOutput(gitlab string) string { return Pascal(gitlab) + "SmtpSecretArn" }

// ConnectionARNOutput is the mirrors stack's output holding the ARN of a
// CodeConnections mirror's connection.
func ConnectionARNOutput(mirror string) string { return Pascal(mirror) + "ConnectionArn" }

// RepositoryCloneURLOutput holds the HTTPS clone URL of a CodeCommit mirror.
func RepositoryCloneURLOutput(mirror string) string { return Pascal(mirror) + "CloneUrlHttp" }

// ApplicationURLOutput is an application stack's output holding the URL
// of its load balancer.
const ApplicationURLOutput = "LoadBalancerUrl"

// Names that other commands (gitops bake, gitops mirrors sync) find AWS
// resources by; compile gives the resources exactly these names.

// MirrorsSyncRoleName is the role gitops mirrors sync assumes in the
// accounts holding CodeCommit or CodeConnections mirrors: their users'
// Git credentials and secrets only.
func MirrorsSyncRoleName() string { return "gitops-mirrors-sync" }

// SMTPCredentialsRoleName is the role gitops gitlab smtp-credentials (and
// apply, after a GitLab stack) assumes in the accounts of GitLabs sending
// mail through SES: that user's access keys, its secret and its service only.
func SMTPCredentialsRoleName() string { return "gitops-smtp-credentials" }

// MirrorUserName is the IAM user GitLab pushes a CodeCommit mirror with.
func MirrorUserName(mirror string) string { return "gitops-mirror-" + mirror }

// TransitGatewayShareName is the RAM share of a transit gateway.
func TransitGatewayShareName(tgw string) string { return "gitops-tgw-" + tgw }

// GitLabSMTPUserName is the IAM user GitLab sends mail through SES as.
func GitLabSMTPUserName(gitlab string) string { return "gitops-gitlab-" + gitlab + "-smtp" }

// GitLabSMTPSecretName is the secret holding that user's SES SMTP
// credentials (JSON: username, password), which GitLab's task reads.
func GitLabSMTPSecretName(gitlab string) string { return "gitops/gitlab/" + gitlab + "/smtp" }

// GitLabClusterName is the ECS cluster GitLab's service runs in.
func GitLabClusterName(gitlab string) string { return "gitops-gitlab-" + gitlab }

// GitLabServiceName is GitLab's ECS service in its cluster.
const GitLabServiceName = "gitlab"

// MirrorSecretName is the Secrets Manager secret gitops mirrors sync keeps
// the mirror user's Git credential in (it creates the secret itself).
func MirrorSecretName(mirror string) string { return "gitops/mirrors/" + mirror }

// ImagePipelineName is the ImageBuilder pipeline that builds a recipe.
func ImagePipelineName(recipe string) string { return "gitops-" + recipe }

// RecipeInstanceRoleName is the role of a recipe's build and test
// instances: fixed, so that the artifact bucket of the pipeline baking the
// recipe can grant it the release without depending on the recipe stack.
func RecipeInstanceRoleName(recipe string) string { return "gitops-imagebuilder-" + recipe }

// PipelineRoleName is the role a rollout pipeline runs as; the deploy roles
// of its target accounts trust it.
func PipelineRoleName(pipeline string) string { return "gitops-pipeline-" + pipeline }

// BakeRoleName is the role the pipeline's bake stage runs gitops bake as;
// the deploy roles of the recipe's distribution accounts trust it.
func BakeRoleName(pipeline string) string { return "gitops-bake-" + pipeline }

// TemplateBucketName is an account's template bucket in a region: the
// deploy-role stack creates it in its own region, a template-bucket stack
// in every other region apply deploys the account's stacks in. apply
// uploads the templates too large to send inline (over
// MaxInlineTemplateBytes) to the bucket of the stack's region.
func TemplateBucketName(accountID, region string) string {
	return "gitops-templates-" + accountID + "-" + region
}

// TemplatePrefix is the folder of the template bucket that a plan
// (apply false) or an apply uploads to. The bucket policy lets the plan
// role write only plan/, so a merge request's CI cannot replace a template
// that an apply is about to make a change set from.
func TemplatePrefix(apply bool) string {
	if apply {
		return "apply/"
	}
	return "plan/"
}

// GitLabURL is the HTTPS address of GitLab service g (https://<alb.domain>),
// or "" when it has no domain.
func GitLabURL(g *estate.GitLab) string {
	if !g.ALB.HTTPS() {
		return ""
	}
	return "https://" + g.ALB.Domain
}
