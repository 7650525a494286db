package synth

import (
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"

	"gitops/tools/internal/stacks"
)

// asgLogicalID is the Auto Scaling group's logical ID, which the instances
// name when they signal CloudFormation.
const asgLogicalID = "AutoScalingGroup"

// privateRanges may reach the internal load balancer: an internal
// balancer has only private addresses, reached from the VPC and the
// networks routed to it (the Transit Gateway).
var privateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}

// signalScript is the instances' user data (for Fn::Sub): once the
// application answers its health check, or after ten minutes, the
// instance tells CloudFormation, which waits for that signal before it
// replaces the next batch of a rolling update.
const signalScript = `#!/bin/bash
# gitops: signal CloudFormation once the application is healthy, so the
# rolling update moves on only to healthy instances.
status=1
for _ in $(seq 1 60); do
  if curl --fail --silent --max-time 5 "http://localhost:%PORT%%PATH%" >/dev/null; then
    status=0
    break
  fi
  sleep 10
done
command -v /opt/aws/bin/cfn-signal >/dev/null || dnf install -y aws-cfn-bootstrap
/opt/aws/bin/cfn-signal --exit-code "$status" --stack "${AWS::StackName}" --resource ` + asgLogicalID + ` --region "${AWS::Region}"
`

// application builds an Auto Scaling target: instances of the baked AMI
// (read from the recipe's SSM parameter at each change set, so a new AMI
// needs no template change) behind an internal load balancer, replaced one
// batch at a time, each batch waiting for its instances' signals.
func (b *builder) application(spec *stacks.ApplicationSpec) error {
	vpc := b.param(spec.VPCParam)
	var subnets []any
	for _, s := range *b.listParam(spec.SubnetsParam) {
		subnets = append(subnets, s)
	}
	port := num(spec.Port)

	var ingress []any
	for _, cidr := range privateRanges {
		ingress = append(ingress, &awsec2.CfnSecurityGroup_IngressProperty{
			IpProtocol: str("tcp"), FromPort: num(80), ToPort: num(80), CidrIp: str(cidr), Description: str("private networks"),
		})
	}
	albSG := awsec2.NewCfnSecurityGroup(b.st, id("LoadBalancerSecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription:     str(spec.Pipeline + " " + spec.Target + " load balancer: HTTP from private networks, the instances out"),
		VpcId:                vpc,
		SecurityGroupIngress: &ingress,
		Tags:                 nameTag(b.spec.Name + "-alb"),
	})
	instSG := awsec2.NewCfnSecurityGroup(b.st, id("InstanceSecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: str(spec.Pipeline + " " + spec.Target + " instances: the application port from the load balancer"),
		VpcId:            vpc,
		// The application calls AWS services and whatever it depends on.
		SecurityGroupEgress: &[]any{&awsec2.CfnSecurityGroup_EgressProperty{
			IpProtocol: str("-1"), CidrIp: str("0.0.0.0/0"), Description: str("AWS services and the application's dependencies"),
		}},
		Tags: nameTag(b.spec.Name + "-instances"),
	})
	// The groups refer to each other: their rules are resources of their own.
	awsec2.NewCfnSecurityGroupEgress(b.st, id("LoadBalancerToInstances"), &awsec2.CfnSecurityGroupEgressProps{
		GroupId: albSG.AttrGroupId(), IpProtocol: str("tcp"), FromPort: port, ToPort: port,
		DestinationSecurityGroupId: instSG.AttrGroupId(), Description: str("the instances"),
	})
	awsec2.NewCfnSecurityGroupIngress(b.st, id("InstancesFromLoadBalancer"), &awsec2.CfnSecurityGroupIngressProps{
		GroupId: instSG.AttrGroupId(), IpProtocol: str("tcp"), FromPort: port, ToPort: port,
		SourceSecurityGroupId: albSG.AttrGroupId(), Description: str("the load balancer"),
	})

	lb := awselasticloadbalancingv2.NewCfnLoadBalancer(b.st, id("LoadBalancer"), &awselasticloadbalancingv2.CfnLoadBalancerProps{
		Type:           str("application"),
		Scheme:         str("internal"),
		Subnets:        &subnets,
		SecurityGroups: &[]any{albSG.AttrGroupId()},
		LoadBalancerAttributes: ptr(append([]any{
			&awselasticloadbalancingv2.CfnLoadBalancer_LoadBalancerAttributeProperty{Key: str("routing.http.drop_invalid_header_fields.enabled"), Value: str("true")},
		}, b.loadBalancerLogs()...)),
	})
	tg := awselasticloadbalancingv2.NewCfnTargetGroup(b.st, id("TargetGroup"), &awselasticloadbalancingv2.CfnTargetGroupProps{
		TargetType:                 str("instance"),
		Protocol:                   str("HTTP"),
		Port:                       port,
		VpcId:                      vpc,
		HealthCheckPath:            str(spec.HealthCheckPath),
		HealthCheckIntervalSeconds: num(15),
		HealthyThresholdCount:      num(2),
		UnhealthyThresholdCount:    num(3),
		Matcher:                    &awselasticloadbalancingv2.CfnTargetGroup_MatcherProperty{HttpCode: str("200-399")},
		TargetGroupAttributes: &[]any{
			&awselasticloadbalancingv2.CfnTargetGroup_TargetGroupAttributeProperty{Key: str("deregistration_delay.timeout_seconds"), Value: str("30")},
		},
	})
	listener := awselasticloadbalancingv2.NewCfnListener(b.st, id("HttpListener"), &awselasticloadbalancingv2.CfnListenerProps{
		LoadBalancerArn: b.ref(lb), Port: num(80), Protocol: str("HTTP"),
		DefaultActions: &[]any{&awselasticloadbalancingv2.CfnListener_ActionProperty{Type: str("forward"), TargetGroupArn: b.ref(tg)}},
	})
	b.offer(stacks.ApplicationURLOutput, awscdk.Fn_Join(str(""), &[]*string{str("http://"), lb.AttrDnsName()}))

	role := awsiam.NewCfnRole(b.st, id("InstanceRole"), &awsiam.CfnRoleProps{
		Description: str("Instances of " + b.spec.Name + ": Session Manager"),
		AssumeRolePolicyDocument: policy(map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
		}),
		ManagedPolicyArns: &[]any{b.awsManagedPolicy("AmazonSSMManagedInstanceCore")},
	})
	acknowledge(role, "IAM4", "AmazonSSMManagedInstanceCore is the policy AWS documents for Session Manager on instances and keeps current with the agent; the instances get nothing else.")
	profile := awsiam.NewCfnInstanceProfile(b.st, id("InstanceProfile"), &awsiam.CfnInstanceProfileProps{Roles: &[]any{b.ref(role)}})
	script := strings.NewReplacer("%PORT%", strconv.Itoa(spec.Port), "%PATH%", spec.HealthCheckPath).Replace(signalScript)
	lt := awsec2.NewCfnLaunchTemplate(b.st, id("LaunchTemplate"), &awsec2.CfnLaunchTemplateProps{
		LaunchTemplateData: &awsec2.CfnLaunchTemplate_LaunchTemplateDataProperty{
			ImageId:            b.param(spec.ImageParam),
			InstanceType:       str(spec.InstanceType),
			IamInstanceProfile: &awsec2.CfnLaunchTemplate_IamInstanceProfileProperty{Arn: profile.AttrArn()},
			SecurityGroupIds:   &[]*string{instSG.AttrGroupId()},
			MetadataOptions: &awsec2.CfnLaunchTemplate_MetadataOptionsProperty{
				HttpEndpoint: str("enabled"), HttpTokens: str("required"), HttpPutResponseHopLimit: num(1),
			},
			UserData: awscdk.Fn_Base64(awscdk.Fn_Sub(str(script), nil)),
			// The baked images are Amazon Linux 2023 (the user data uses
			// dnf), whose root volume is /dev/xvda: encrypted, whatever
			// the account's EBS default.
			BlockDeviceMappings: &[]any{&awsec2.CfnLaunchTemplate_BlockDeviceMappingProperty{
				DeviceName: str("/dev/xvda"),
				Ebs: &awsec2.CfnLaunchTemplate_EbsProperty{
					Encrypted: jsiiBool(true), VolumeType: str("gp3"), DeleteOnTermination: jsiiBool(true),
				},
			}},
		},
	})

	asg := awsautoscaling.NewCfnAutoScalingGroup(b.st, str(asgLogicalID), &awsautoscaling.CfnAutoScalingGroupProps{
		MinSize:           str(strconv.Itoa(spec.MinSize)),
		MaxSize:           str(strconv.Itoa(spec.MaxSize)),
		DesiredCapacity:   str(strconv.Itoa(spec.DesiredCapacity)),
		VpcZoneIdentifier: &subnets,
		LaunchTemplate: &awsautoscaling.CfnAutoScalingGroup_LaunchTemplateSpecificationProperty{
			LaunchTemplateId: b.ref(lt), Version: lt.AttrLatestVersionNumber(),
		},
		TargetGroupArns: &[]any{b.ref(tg)},
		NotificationConfigurations: &[]any{&awsautoscaling.CfnAutoScalingGroup_NotificationConfigurationProperty{
			TopicArn: b.scalingTopic(spec),
			NotificationTypes: strs([]string{
				"autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
				"autoscaling:EC2_INSTANCE_TERMINATE", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
			}),
		}},
		HealthCheckType:        str("ELB"),
		HealthCheckGracePeriod: num(300),
	})
	// Instances register with a target group that already has a listener.
	asg.Node().AddDependency(listener)
	opts := asg.CfnOptions()
	if spec.DesiredCapacity > 0 {
		opts.SetCreationPolicy(&awscdk.CfnCreationPolicy{
			ResourceSignal: &awscdk.CfnResourceSignal{Count: num(spec.DesiredCapacity), Timeout: str(spec.PauseTime)},
		})
	}
	opts.SetUpdatePolicy(&awscdk.CfnUpdatePolicy{
		AutoScalingRollingUpdate: &awscdk.CfnAutoScalingRollingUpdate{
			MaxBatchSize:          num(spec.MaxBatchSize),
			MinInstancesInService: num(spec.MinInstancesInService),
			PauseTime:             str(spec.PauseTime),
			WaitOnResourceSignals: jsiiBool(true),
			// Nothing else may add or remove instances mid-update.
			SuspendProcesses: strs([]string{"HealthCheck", "ReplaceUnhealthy", "AZRebalance", "AlarmNotification", "ScheduledActions"}),
		},
		AutoScalingScheduledAction: &awscdk.CfnAutoScalingScheduledAction{IgnoreUnmodifiedGroupSizeProperties: jsiiBool(true)},
	})
	return nil
}

// scalingTopic is the encrypted topic the Auto Scaling group reports its
// launches and terminations (and their failures) to; its policy refuses
// publishing without TLS.
func (b *builder) scalingTopic(spec *stacks.ApplicationSpec) *string {
	topic := awssns.NewCfnTopic(b.st, id("ScalingTopic"), &awssns.CfnTopicProps{
		DisplayName:    str(spec.Pipeline + " " + spec.Target + " scaling"),
		KmsMasterKeyId: str("alias/aws/sns"),
	})
	awssns.NewCfnTopicPolicy(b.st, id("ScalingTopicPolicy"), &awssns.CfnTopicPolicyProps{
		Topics: &[]*string{b.ref(topic)},
		PolicyDocument: policy(map[string]any{
			"Sid": "DenyWithoutTLS", "Effect": "Deny", "Principal": map[string]any{"AWS": "*"}, "Action": "sns:Publish",
			"Resource": b.ref(topic), "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
		}),
	})
	return b.ref(topic)
}

func jsiiBool(v bool) *bool { return &v }
