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

// GitLabTaskSecurityGroupOutput holds the security group of GitLab's tasks.
func GitLabTaskSecurityGroupOutput(gitlab string) string {
	return Pascal(gitlab) + "TaskSecurityGroupId"
}
