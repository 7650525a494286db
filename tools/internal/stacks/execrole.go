package stacks

import (
	"slices"
	"strings"
)

// What the CloudFormation execution role of an account (gitops-cfn-exec)
// may do is derived from the resource types of the stacks planned for that
// account: each type's create, update, delete and read actions, from the
// table below, and nothing else. The synth's tests check that every
// resource type a construct can emit is in this table and in its stack
// kind's list, so a new resource fails the tests until its actions are
// written down here.

// ec2Base are the EC2 actions every EC2 resource handler needs: reading
// (Describe* has no resource-level permissions) and tagging.
var ec2Base = []string{"ec2:Describe*", "ec2:CreateTags", "ec2:DeleteTags"}

// resourceActions are the actions CloudFormation needs to create, update,
// delete and read each resource type the synth emits. IAM types are not
// here: the execution role's IAM rights are written once, with the
// permissions boundary condition (iamResourceTypes).
var resourceActions = map[string][]string{
	"AWS::AutoScaling::AutoScalingGroup": {
		"autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup",
		"autoscaling:Describe*", "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags",
		"autoscaling:PutNotificationConfiguration", "autoscaling:DeleteNotificationConfiguration",
		"autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup",
		"autoscaling:SuspendProcesses", "autoscaling:ResumeProcesses",
		"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
		"ec2:RunInstances", "ec2:Describe*", "ec2:CreateTags", "sns:Publish",
	},
	"AWS::CertificateManager::Certificate": {
		"acm:RequestCertificate", "acm:DeleteCertificate", "acm:DescribeCertificate", "acm:ListCertificates",
		"acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate", "acm:ListTagsForCertificate", "acm:UpdateCertificateOptions",
	},
	"AWS::CodeBuild::Project": {
		"codebuild:CreateProject", "codebuild:UpdateProject", "codebuild:DeleteProject", "codebuild:BatchGetProjects",
		"ec2:Describe*",
	},
	"AWS::CodeCommit::Repository": {
		"codecommit:CreateRepository", "codecommit:DeleteRepository", "codecommit:GetRepository",
		"codecommit:UpdateRepositoryName", "codecommit:UpdateRepositoryDescription",
		"codecommit:TagResource", "codecommit:UntagResource", "codecommit:ListTagsForResource",
		"codecommit:GetRepositoryTriggers", "codecommit:PutRepositoryTriggers",
	},
	"AWS::CodeConnections::Connection": {
		"codeconnections:CreateConnection", "codeconnections:DeleteConnection", "codeconnections:GetConnection",
		"codeconnections:ListConnections", "codeconnections:TagResource", "codeconnections:UntagResource",
		"codeconnections:ListTagsForResource",
	},
	"AWS::CodeConnections::Host": {
		"codeconnections:CreateHost", "codeconnections:DeleteHost", "codeconnections:GetHost", "codeconnections:UpdateHost",
		"codeconnections:ListHosts", "codeconnections:TagResource", "codeconnections:UntagResource",
		"codeconnections:ListTagsForResource", "ec2:Describe*", "ec2:CreateNetworkInterface", "ec2:CreateTags",
		"ec2:DeleteNetworkInterface",
	},
	"AWS::CodePipeline::Pipeline": {
		"codepipeline:CreatePipeline", "codepipeline:UpdatePipeline", "codepipeline:DeletePipeline", "codepipeline:GetPipeline",
		"codepipeline:GetPipelineState", "codepipeline:TagResource", "codepipeline:UntagResource",
		"codepipeline:ListTagsForResource", "codepipeline:DisableStageTransition", "codepipeline:EnableStageTransition",
		"codestar-connections:PassConnection", "codeconnections:PassConnection",
	},
	"AWS::CodeStarNotifications::NotificationRule": {
		"codestar-notifications:CreateNotificationRule", "codestar-notifications:UpdateNotificationRule",
		"codestar-notifications:DeleteNotificationRule", "codestar-notifications:DescribeNotificationRule",
		"codestar-notifications:Subscribe", "codestar-notifications:Unsubscribe",
		"codestar-notifications:TagResource", "codestar-notifications:UntagResource", "codepipeline:ListPipelines",
	},
	"AWS::EC2::EIP":                                 append([]string{"ec2:AllocateAddress", "ec2:ReleaseAddress"}, ec2Base...),
	"AWS::EC2::FlowLog":                             append([]string{"ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "logs:CreateLogDelivery", "logs:DeleteLogDelivery"}, ec2Base...),
	"AWS::EC2::Instance":                            append([]string{"ec2:RunInstances", "ec2:TerminateInstances", "ec2:StopInstances", "ec2:StartInstances", "ec2:ModifyInstanceAttribute", "ec2:AssociateIamInstanceProfile", "ec2:DisassociateIamInstanceProfile", "ec2:ReplaceIamInstanceProfileAssociation", "ec2:ModifyInstanceMetadataOptions"}, ec2Base...),
	"AWS::EC2::InternetGateway":                     append([]string{"ec2:CreateInternetGateway", "ec2:DeleteInternetGateway"}, ec2Base...),
	"AWS::EC2::LaunchTemplate":                      append([]string{"ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:DeleteLaunchTemplate", "ec2:DeleteLaunchTemplateVersions", "ec2:ModifyLaunchTemplate", "ec2:GetLaunchTemplateData"}, ec2Base...),
	"AWS::EC2::NatGateway":                          append([]string{"ec2:CreateNatGateway", "ec2:DeleteNatGateway"}, ec2Base...),
	"AWS::EC2::PrefixList":                          append([]string{"ec2:CreateManagedPrefixList", "ec2:ModifyManagedPrefixList", "ec2:DeleteManagedPrefixList", "ec2:GetManagedPrefixListEntries"}, ec2Base...),
	"AWS::EC2::Route":                               append([]string{"ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"}, ec2Base...),
	"AWS::EC2::RouteTable":                          append([]string{"ec2:CreateRouteTable", "ec2:DeleteRouteTable"}, ec2Base...),
	"AWS::EC2::SecurityGroup":                       append([]string{"ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules", "ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress"}, ec2Base...),
	"AWS::EC2::SecurityGroupEgress":                 append([]string{"ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules", "ec2:UpdateSecurityGroupRuleDescriptionsEgress"}, ec2Base...),
	"AWS::EC2::SecurityGroupIngress":                append([]string{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:ModifySecurityGroupRules", "ec2:UpdateSecurityGroupRuleDescriptionsIngress"}, ec2Base...),
	"AWS::EC2::Subnet":                              append([]string{"ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute"}, ec2Base...),
	"AWS::EC2::SubnetRouteTableAssociation":         append([]string{"ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"}, ec2Base...),
	"AWS::EC2::TransitGateway":                      append([]string{"ec2:CreateTransitGateway", "ec2:ModifyTransitGateway", "ec2:DeleteTransitGateway"}, ec2Base...),
	"AWS::EC2::TransitGatewayAttachment":            append([]string{"ec2:CreateTransitGatewayVpcAttachment", "ec2:ModifyTransitGatewayVpcAttachment", "ec2:DeleteTransitGatewayVpcAttachment"}, ec2Base...),
	"AWS::EC2::TransitGatewayRoute":                 append([]string{"ec2:CreateTransitGatewayRoute", "ec2:DeleteTransitGatewayRoute", "ec2:SearchTransitGatewayRoutes"}, ec2Base...),
	"AWS::EC2::TransitGatewayRouteTable":            append([]string{"ec2:CreateTransitGatewayRouteTable", "ec2:DeleteTransitGatewayRouteTable"}, ec2Base...),
	"AWS::EC2::TransitGatewayRouteTableAssociation": append([]string{"ec2:AssociateTransitGatewayRouteTable", "ec2:DisassociateTransitGatewayRouteTable", "ec2:GetTransitGatewayRouteTableAssociations"}, ec2Base...),
	"AWS::EC2::TransitGatewayRouteTablePropagation": append([]string{"ec2:EnableTransitGatewayRouteTablePropagation", "ec2:DisableTransitGatewayRouteTablePropagation", "ec2:GetTransitGatewayRouteTablePropagations"}, ec2Base...),
	"AWS::EC2::VPC":                                 append([]string{"ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"}, ec2Base...),
	"AWS::EC2::VPCEndpoint":                         append([]string{"ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints", "route53:AssociateVPCWithHostedZone"}, ec2Base...),
	"AWS::EC2::VPCGatewayAttachment":                append([]string{"ec2:AttachInternetGateway", "ec2:DetachInternetGateway"}, ec2Base...),
	"AWS::ECR::PullThroughCacheRule": {
		"ecr:CreatePullThroughCacheRule", "ecr:DeletePullThroughCacheRule", "ecr:DescribePullThroughCacheRules",
		"ecr:UpdatePullThroughCacheRule",
	},
	"AWS::ECR::Repository": {
		"ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories", "ecr:PutImageScanningConfiguration",
		"ecr:PutImageTagMutability", "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy", "ecr:GetLifecyclePolicy",
		"ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy", "ecr:GetRepositoryPolicy",
		"ecr:TagResource", "ecr:UntagResource", "ecr:ListTagsForResource", "kms:CreateGrant", "kms:DescribeKey",
	},
	"AWS::ECR::RepositoryCreationTemplate": {
		"ecr:CreateRepositoryCreationTemplate", "ecr:UpdateRepositoryCreationTemplate",
		"ecr:DeleteRepositoryCreationTemplate", "ecr:DescribeRepositoryCreationTemplates",
	},
	"AWS::ECS::Cluster": {
		"ecs:CreateCluster", "ecs:UpdateCluster", "ecs:UpdateClusterSettings", "ecs:PutClusterCapacityProviders",
		"ecs:DeleteCluster", "ecs:DescribeClusters", "ecs:TagResource", "ecs:UntagResource", "ecs:ListTagsForResource",
	},
	"AWS::ECS::Service": {
		"ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:DescribeServices", "ecs:ListServices",
		"ecs:TagResource", "ecs:UntagResource", "ecs:ListTagsForResource", "elasticloadbalancing:Describe*", "ec2:Describe*",
	},
	"AWS::ECS::TaskDefinition": {
		"ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition",
		"ecs:TagResource", "ecs:UntagResource", "ecs:ListTagsForResource",
	},
	"AWS::EFS::AccessPoint": {
		"elasticfilesystem:CreateAccessPoint", "elasticfilesystem:DeleteAccessPoint", "elasticfilesystem:DescribeAccessPoints",
		"elasticfilesystem:TagResource", "elasticfilesystem:UntagResource", "elasticfilesystem:ListTagsForResource",
	},
	"AWS::EFS::FileSystem": {
		"elasticfilesystem:CreateFileSystem", "elasticfilesystem:DeleteFileSystem", "elasticfilesystem:DescribeFileSystems",
		"elasticfilesystem:UpdateFileSystem", "elasticfilesystem:PutLifecycleConfiguration",
		"elasticfilesystem:DescribeLifecycleConfiguration", "elasticfilesystem:PutBackupPolicy",
		"elasticfilesystem:DescribeBackupPolicy", "elasticfilesystem:PutFileSystemPolicy",
		"elasticfilesystem:DeleteFileSystemPolicy", "elasticfilesystem:DescribeFileSystemPolicy",
		"elasticfilesystem:TagResource", "elasticfilesystem:UntagResource", "elasticfilesystem:ListTagsForResource",
		"kms:CreateGrant", "kms:DescribeKey",
	},
	"AWS::EFS::MountTarget": append([]string{
		"elasticfilesystem:CreateMountTarget", "elasticfilesystem:DeleteMountTarget", "elasticfilesystem:DescribeMountTargets",
		"elasticfilesystem:ModifyMountTargetSecurityGroups", "elasticfilesystem:DescribeMountTargetSecurityGroups",
		"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
	}, ec2Base...),
	"AWS::ElasticLoadBalancingV2::Listener": {
		"elasticloadbalancing:CreateListener", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:DeleteListener",
		"elasticloadbalancing:Describe*", "elasticloadbalancing:ModifyListenerAttributes",
	},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": {
		"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:Describe*",
		"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetSecurityGroups",
		"elasticloadbalancing:SetSubnets", "elasticloadbalancing:SetIpAddressType",
		"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "ec2:Describe*",
	},
	"AWS::ElasticLoadBalancingV2::TargetGroup": {
		"elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:ModifyTargetGroup",
		"elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
		"elasticloadbalancing:Describe*", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
		"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
	},
	"AWS::Events::Rule": {
		"events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:PutTargets", "events:RemoveTargets",
		"events:ListTargetsByRule", "events:EnableRule", "events:DisableRule", "events:TagResource", "events:UntagResource",
	},
	"AWS::ImageBuilder::Component": {
		"imagebuilder:CreateComponent", "imagebuilder:DeleteComponent", "imagebuilder:GetComponent",
		"imagebuilder:TagResource", "imagebuilder:UntagResource", "kms:GenerateDataKey*", "kms:Encrypt", "kms:Decrypt",
	},
	"AWS::ImageBuilder::DistributionConfiguration": {
		"imagebuilder:CreateDistributionConfiguration", "imagebuilder:UpdateDistributionConfiguration",
		"imagebuilder:DeleteDistributionConfiguration", "imagebuilder:GetDistributionConfiguration",
		"imagebuilder:TagResource", "imagebuilder:UntagResource", "ec2:DescribeLaunchTemplates",
		"ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate",
	},
	"AWS::ImageBuilder::ImagePipeline": {
		"imagebuilder:CreateImagePipeline", "imagebuilder:UpdateImagePipeline", "imagebuilder:DeleteImagePipeline",
		"imagebuilder:GetImagePipeline", "imagebuilder:GetImageRecipe", "imagebuilder:GetInfrastructureConfiguration",
		"imagebuilder:GetDistributionConfiguration", "imagebuilder:TagResource", "imagebuilder:UntagResource",
	},
	"AWS::ImageBuilder::ImageRecipe": {
		"imagebuilder:CreateImageRecipe", "imagebuilder:DeleteImageRecipe", "imagebuilder:GetImageRecipe",
		"imagebuilder:GetComponent", "imagebuilder:TagResource", "imagebuilder:UntagResource",
		"ec2:DescribeImages", "ssm:GetParameter",
	},
	"AWS::ImageBuilder::InfrastructureConfiguration": {
		"imagebuilder:CreateInfrastructureConfiguration", "imagebuilder:UpdateInfrastructureConfiguration",
		"imagebuilder:DeleteInfrastructureConfiguration", "imagebuilder:GetInfrastructureConfiguration",
		"imagebuilder:TagResource", "imagebuilder:UntagResource", "sns:Publish",
	},
	"AWS::KMS::Alias": {"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"},
	"AWS::KMS::Key": {
		"kms:CreateKey", "kms:DescribeKey", "kms:EnableKey", "kms:DisableKey", "kms:EnableKeyRotation",
		"kms:DisableKeyRotation", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
		"kms:ScheduleKeyDeletion", "kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource",
		"kms:ListResourceTags",
	},
	"AWS::Lambda::Function": {
		"lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction",
		"lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:PutFunctionConcurrency",
		"lambda:DeleteFunctionConcurrency", "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags",
	},
	"AWS::Lambda::Permission": {"lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"},
	"AWS::Logs::LogGroup": {
		"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy",
		"logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource",
		"logs:UntagResource", "logs:ListTagsForResource",
	},
	"AWS::RAM::ResourceShare": {
		"ram:CreateResourceShare", "ram:UpdateResourceShare", "ram:DeleteResourceShare", "ram:GetResourceShares",
		"ram:AssociateResourceShare", "ram:DisassociateResourceShare", "ram:GetResourceShareAssociations",
		"ram:TagResource", "ram:UntagResource", "ec2:DescribeTransitGateways",
	},
	"AWS::RDS::DBCluster": {
		"rds:CreateDBCluster", "rds:ModifyDBCluster", "rds:DeleteDBCluster", "rds:DescribeDBClusters",
		"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource", "rds:CreateDBClusterSnapshot",
		"kms:CreateGrant", "kms:DescribeKey", "secretsmanager:GetSecretValue", "ec2:Describe*",
	},
	"AWS::RDS::DBInstance": {
		"rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:DescribeDBInstances",
		"rds:RebootDBInstance", "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
		"ec2:Describe*",
	},
	"AWS::RDS::DBSubnetGroup": {
		"rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup", "rds:DescribeDBSubnetGroups",
		"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
	},
	"AWS::Route53::HostedZone": {
		"route53:CreateHostedZone", "route53:DeleteHostedZone", "route53:GetHostedZone", "route53:ListHostedZones",
		"route53:UpdateHostedZoneComment", "route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone",
		"route53:ChangeTagsForResource", "route53:ListTagsForResource", "route53:GetChange", "ec2:DescribeVpcs",
	},
	"AWS::Route53::RecordSet": {"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetChange", "route53:GetHostedZone"},
	"AWS::S3::Bucket": {
		"s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucket*", "s3:PutBucket*", "s3:GetEncryptionConfiguration",
		"s3:PutEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration",
		"s3:GetReplicationConfiguration", "s3:GetAccelerateConfiguration", "s3:PutAccelerateConfiguration",
		"s3:GetAnalyticsConfiguration", "s3:GetInventoryConfiguration", "s3:GetMetricsConfiguration",
		"s3:GetIntelligentTieringConfiguration",
	},
	"AWS::S3::BucketPolicy": {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
	"AWS::SES::ConfigurationSet": {
		"ses:CreateConfigurationSet", "ses:DeleteConfigurationSet", "ses:GetConfigurationSet",
		"ses:PutConfigurationSetDeliveryOptions", "ses:PutConfigurationSetReputationOptions",
		"ses:PutConfigurationSetSendingOptions", "ses:PutConfigurationSetSuppressionOptions",
		"ses:PutConfigurationSetTrackingOptions", "ses:TagResource", "ses:UntagResource",
	},
	"AWS::SES::EmailIdentity": {
		"ses:CreateEmailIdentity", "ses:DeleteEmailIdentity", "ses:GetEmailIdentity", "ses:PutEmailIdentityDkimAttributes",
		"ses:PutEmailIdentityDkimSigningAttributes", "ses:PutEmailIdentityFeedbackAttributes",
		"ses:PutEmailIdentityMailFromAttributes", "ses:PutEmailIdentityConfigurationSetAttributes",
		"ses:TagResource", "ses:UntagResource",
	},
	"AWS::SNS::Subscription": {"sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"},
	"AWS::SNS::Topic": {
		"sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:ListTopics",
		"sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource", "kms:DescribeKey",
	},
	"AWS::SNS::TopicPolicy": {"sns:SetTopicAttributes", "sns:GetTopicAttributes"},
	"AWS::SSM::Parameter": {
		"ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:DescribeParameters",
		"ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource", "ec2:DescribeImages",
	},
	"AWS::SecretsManager::Secret": {
		"secretsmanager:CreateSecret", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret",
		"secretsmanager:DescribeSecret", "secretsmanager:GetRandomPassword", "secretsmanager:PutSecretValue",
		"secretsmanager:TagResource", "secretsmanager:UntagResource", "kms:GenerateDataKey", "kms:Decrypt",
		"kms:DescribeKey",
	},
	"AWS::SecretsManager::SecretTargetAttachment": {
		"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret",
		"rds:DescribeDBClusters", "rds:DescribeDBInstances", "kms:GenerateDataKey", "kms:Decrypt",
	},
}

// iamResourceTypes are the IAM types the execution role creates under the
// permissions boundary; its IAM rights are written in the synth (the
// deploy role stack), scoped to the estate's names.
var iamResourceTypes = []string{
	"AWS::IAM::AccessKey", "AWS::IAM::InstanceProfile", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::User",
}

// kindResourceTypes are the resource types each stack kind may hold; the
// synth's tests check every template against its kind's list.
var kindResourceTypes = map[Kind][]string{
	KindNetwork: {
		"AWS::EC2::EIP", "AWS::EC2::FlowLog", "AWS::EC2::Instance", "AWS::EC2::InternetGateway", "AWS::EC2::NatGateway",
		"AWS::EC2::PrefixList", "AWS::EC2::Route", "AWS::EC2::RouteTable", "AWS::EC2::SecurityGroup",
		"AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::Subnet",
		"AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::TransitGatewayAttachment", "AWS::EC2::VPC", "AWS::EC2::VPCEndpoint",
		"AWS::EC2::VPCGatewayAttachment",
		"AWS::IAM::InstanceProfile", "AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::S3::BucketPolicy",
	},
	KindTransitGateway: {"AWS::EC2::TransitGateway", "AWS::EC2::TransitGatewayRouteTable", "AWS::RAM::ResourceShare"},
	KindTGWRouting: {
		"AWS::EC2::TransitGatewayRoute", "AWS::EC2::TransitGatewayRouteTable",
		"AWS::EC2::TransitGatewayRouteTableAssociation", "AWS::EC2::TransitGatewayRouteTablePropagation",
	},
	KindGitLab: {
		"AWS::CertificateManager::Certificate", "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupEgress",
		"AWS::EC2::SecurityGroupIngress", "AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ECS::TaskDefinition",
		"AWS::EFS::AccessPoint", "AWS::EFS::FileSystem", "AWS::EFS::MountTarget", "AWS::ElasticLoadBalancingV2::Listener",
		"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::IAM::AccessKey",
		"AWS::IAM::Role", "AWS::IAM::User", "AWS::Logs::LogGroup", "AWS::RDS::DBCluster", "AWS::RDS::DBInstance",
		"AWS::RDS::DBSubnetGroup", "AWS::Route53::HostedZone", "AWS::Route53::RecordSet", "AWS::SES::ConfigurationSet",
		"AWS::SES::EmailIdentity", "AWS::SecretsManager::Secret", "AWS::SecretsManager::SecretTargetAttachment",
	},
	KindGitLabImage: {
		"AWS::ECR::PullThroughCacheRule", "AWS::ECR::Repository", "AWS::ECR::RepositoryCreationTemplate", "AWS::IAM::User",
		"AWS::SecretsManager::Secret",
	},
	KindDeployRole: {"AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"},
	KindMirrors: {
		"AWS::CodeCommit::Repository", "AWS::CodeConnections::Connection", "AWS::CodeConnections::Host",
		"AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroupIngress", "AWS::IAM::User",
	},
	KindImageRecipe: {
		"AWS::EC2::SecurityGroup", "AWS::IAM::InstanceProfile", "AWS::IAM::Role", "AWS::ImageBuilder::Component",
		"AWS::ImageBuilder::DistributionConfiguration", "AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::ImageRecipe",
		"AWS::ImageBuilder::InfrastructureConfiguration", "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::SSM::Parameter",
		"AWS::SNS::Topic",
	},
	KindAMIParameters:  {"AWS::SSM::Parameter"},
	KindAccessLogs:     {"AWS::S3::Bucket", "AWS::S3::BucketPolicy"},
	KindTemplateBucket: {"AWS::S3::Bucket", "AWS::S3::BucketPolicy"},
	KindPipeline: {
		"AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline", "AWS::CodeStarNotifications::NotificationRule",
		"AWS::ECR::Repository", "AWS::Events::Rule", "AWS::IAM::Role", "AWS::KMS::Alias", "AWS::KMS::Key",
		"AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::S3::BucketPolicy",
		"AWS::SNS::Subscription", "AWS::SNS::Topic", "AWS::SNS::TopicPolicy",
	},
	KindApplication: {
		"AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate", "AWS::EC2::SecurityGroup",
		"AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroupIngress", "AWS::ElasticLoadBalancingV2::Listener",
		"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::IAM::InstanceProfile",
		"AWS::IAM::Role", "AWS::SNS::Topic", "AWS::SNS::TopicPolicy",
	},
}

// KindResourceTypes returns the resource types a stack of kind may hold.
func KindResourceTypes(kind Kind) []string { return slices.Clone(kindResourceTypes[kind]) }

// IsIAMResourceType reports whether the execution role creates typ under
// the permissions boundary rather than by the action table.
func IsIAMResourceType(typ string) bool { return slices.Contains(iamResourceTypes, typ) }

// ResourceActions returns the actions CloudFormation needs for a resource
// type, and whether the type is known (IAM types are known, with no
// actions: their rights are the boundary's).
func ResourceActions(typ string) ([]string, bool) {
	if IsIAMResourceType(typ) {
		return nil, true
	}
	a, ok := resourceActions[typ]
	return slices.Clone(a), ok
}

// ExecutionActions are the actions of the resource types, sorted, each once.
func ExecutionActions(types []string) []string {
	var out []string
	for _, t := range types {
		out = append(out, resourceActions[t]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ResourceTypeServices are the service prefixes of every action in the
// table, sorted: the permissions boundary allows these services (and IAM
// under its conditions), whatever an account plans.
func ResourceTypeServices() []string {
	var out []string
	for _, actions := range resourceActions {
		for _, a := range actions {
			svc, _, _ := strings.Cut(a, ":")
			out = append(out, svc)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// AWSManagedPolicies are the AWS managed policies the estate's roles
// attach; the execution role may attach these and no other (never
// AdministratorAccess), and the boundary denies attaching any other.
var AWSManagedPolicies = []string{
	"AmazonSSMManagedInstanceCore", "EC2InstanceProfileForImageBuilder", "Ec2ImageBuilderCrossAccountDistributionAccess",
}

// runtimeServices are the services the estate's roles call at run time
// beyond those CloudFormation creates resources of: the permissions
// boundary allows them too.
var runtimeServices = []string{
	"cloudformation", "ec2messages", "s3", "ssmmessages", "sts", "xray",
}

// BoundaryServices are the services the permissions boundary allows
// (IAM aside, which it allows under conditions), sorted.
func BoundaryServices() []string {
	out := append(ResourceTypeServices(), runtimeServices...)
	slices.Sort(out)
	return slices.Compact(out)
}

// ServiceLinkedRoleServices are the services whose service-linked roles
// the execution role may create (AWS creates them on a service's first use
// in an account, through the caller).
var ServiceLinkedRoleServices = []string{
	"autoscaling.amazonaws.com", "ecs.amazonaws.com", "elasticfilesystem.amazonaws.com",
	"elasticloadbalancing.amazonaws.com", "imagebuilder.amazonaws.com", "rds.amazonaws.com",
}
