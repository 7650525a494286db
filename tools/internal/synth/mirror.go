package synth

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodecommit"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodeconnections"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"gitops/tools/internal/stacks"
)

// mirrors builds the mirrors of an account and region: per CodeCommit
// mirror a retained repository and the IAM user GitLab pushes with, which
// may push and pull that repository and nothing else (gitops mirrors sync
// gives it its Git credential); per GitLab a CodeConnections host, inside
// GitLab's VPC when its load balancer is internal, and per CodeConnections
// mirror a connection through it. The connections start PENDING: someone
// completes the handshake with GitLab once, in the console.
func (b *builder) mirrors(spec *stacks.MirrorsSpec) error {
	for _, m := range spec.CodeCommit {
		repo := awscodecommit.NewCfnRepository(b.st, id(m.ID, "Repository"), &awscodecommit.CfnRepositoryProps{
			RepositoryName:        str(m.Repository),
			RepositoryDescription: str("GitLab project " + m.Project + ", push-mirrored by gitops mirror " + m.Name),
		})
		repo.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
		awsiam.NewCfnUser(b.st, id(m.ID, "MirrorUser"), &awsiam.CfnUserProps{
			UserName: str(m.UserName),
			Policies: &[]any{&awsiam.CfnUser_PolicyProperty{
				PolicyName: str("push-mirror"),
				PolicyDocument: policy(
					statement("Allow", []string{"codecommit:GitPull", "codecommit:GitPush"}, repo.AttrArn()),
				),
			}},
		})
		b.offer(stacks.RepositoryCloneURLOutput(m.Name), repo.AttrCloneUrlHttp())
	}
	hosts := map[string]awscodeconnections.CfnHost{}
	for _, h := range spec.Hosts {
		props := &awscodeconnections.CfnHostProps{
			Name:             str(h.Name),
			ProviderType:     str("GitLabSelfManaged"),
			ProviderEndpoint: str(h.Endpoint),
		}
		if v := h.VPC; v != nil {
			props.VpcConfiguration = &awscodeconnections.CfnHost_VpcConfigurationProperty{
				VpcId:            b.param(v.VPCParam),
				SubnetIds:        b.listParam(v.SubnetsParam),
				SecurityGroupIds: &[]*string{b.hostSecurityGroup(h).AttrGroupId()},
			}
		}
		host := awscodeconnections.NewCfnHost(b.st, id(h.ID), props)
		// cfn-lint's resource schemas predate AWS::CodeConnections::Host
		// (CloudFormation has it); E3006 is "unknown resource type".
		host.AddMetadata(str("cfn-lint"), map[string]any{"config": map[string]any{"ignore_checks": []string{"E3006"}}})
		hosts[h.ID] = host
	}
	for _, c := range spec.Connections {
		host, ok := hosts[c.HostID]
		if !ok {
			return fmt.Errorf("connection %s: host %s is not in the plan", c.Name, c.HostID)
		}
		conn := awscodeconnections.NewCfnConnection(b.st, id(c.ID, "Connection"), &awscodeconnections.CfnConnectionProps{
			ConnectionName: str(c.Connection),
			HostArn:        host.AttrHostArn(),
		})
		b.offer(stacks.ConnectionARNOutput(c.Name), conn.AttrConnectionArn())
	}
	return nil
}

// hostSecurityGroup is the group of a host's interfaces: HTTPS out to the
// VPC only, and a rule on GitLab's load balancer letting it in.
func (b *builder) hostSecurityGroup(h stacks.ConnectionHost) awsec2.CfnSecurityGroup {
	v := h.VPC
	sg := awsec2.NewCfnSecurityGroup(b.st, id(h.ID, "SecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: str("CodeConnections host of GitLab " + h.GitLab + ": HTTPS to its load balancer"),
		VpcId:            b.param(v.VPCParam),
		SecurityGroupEgress: &[]any{&awsec2.CfnSecurityGroup_EgressProperty{
			IpProtocol: str("tcp"), FromPort: num(443), ToPort: num(443), CidrIp: str(v.CIDR),
			Description: str("GitLab's load balancer"),
		}},
		Tags: nameTag("gitops-" + h.GitLab + "-connections-host"),
	})
	awsec2.NewCfnSecurityGroupIngress(b.st, id(h.ID, "ToLoadBalancer"), &awsec2.CfnSecurityGroupIngressProps{
		GroupId: b.param(v.LoadBalancerSecurityGroupParam), IpProtocol: str("tcp"), FromPort: num(443), ToPort: num(443),
		SourceSecurityGroupId: sg.AttrGroupId(), Description: str("the CodeConnections host"),
	})
	return sg
}
