package synth

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsefs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"

	"gitops/tools/internal/gitlabrb"
	"gitops/tools/internal/stacks"
)

// gitlabALB builds the load balancer in front of GitLab (Fargate addresses
// change): internal unless declared otherwise, open only to the allowed
// CIDRs, HTTPS with a certificate (the declared one, or one validated in the
// hosted zone) and an alias record when a domain is given, else HTTP. It
// returns the target group and the balancer's DNS name.
func (b *builder) gitlabALB(g *gitlabBuild) (awselasticloadbalancingv2.CfnTargetGroup, *string) {
	p, spec := g.p, g.spec
	ports := []int{80}
	if spec.HTTPS != nil {
		ports = []int{80, 443}
	}
	var ingress []any
	for _, cidr := range spec.AllowedCIDRs {
		for _, port := range ports {
			ingress = append(ingress, &awsec2.CfnSecurityGroup_IngressProperty{
				IpProtocol: str("tcp"), FromPort: num(port), ToPort: num(port), CidrIp: str(cidr),
				Description: str("allowed CIDR " + cidr),
			})
		}
	}
	sg := awsec2.NewCfnSecurityGroup(b.st, id(p, "LoadBalancerSecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription:     str("GitLab " + g.name + " load balancer: the allowed CIDRs in, the GitLab tasks out"),
		VpcId:                g.vpc,
		SecurityGroupIngress: &ingress,
		// Only the rule to the tasks below: no default allow-all egress.
		SecurityGroupEgress: denyAllEgress(),
		Tags:                nameTag("gitlab-" + g.name + "-alb"),
	})
	b.offer(stacks.GitLabLoadBalancerSecurityGroupOutput(g.name), sg.AttrGroupId())
	// The two groups refer to each other, so their rules are resources of
	// their own.
	awsec2.NewCfnSecurityGroupEgress(b.st, id(p, "LoadBalancerToTasks"), &awsec2.CfnSecurityGroupEgressProps{
		GroupId: sg.AttrGroupId(), IpProtocol: str("tcp"), FromPort: num(gitlabPort), ToPort: num(gitlabPort),
		DestinationSecurityGroupId: g.taskSG.AttrGroupId(), Description: str("the GitLab tasks"),
	})
	awsec2.NewCfnSecurityGroupIngress(b.st, id(p, "TasksFromLoadBalancer"), &awsec2.CfnSecurityGroupIngressProps{
		GroupId: g.taskSG.AttrGroupId(), IpProtocol: str("tcp"), FromPort: num(gitlabPort), ToPort: num(gitlabPort),
		SourceSecurityGroupId: sg.AttrGroupId(), Description: str("the load balancer"),
	})

	var subnets []any
	for _, s := range *b.listParam(g.spec.ALBSubnetsParam) {
		subnets = append(subnets, s)
	}
	lb := awselasticloadbalancingv2.NewCfnLoadBalancer(b.st, id(p, "LoadBalancer"), &awselasticloadbalancingv2.CfnLoadBalancerProps{
		Type:           str("application"),
		Scheme:         str(g.spec.ALBScheme),
		Subnets:        &subnets,
		SecurityGroups: &[]any{sg.AttrGroupId()},
		LoadBalancerAttributes: ptr(append([]any{
			&awselasticloadbalancingv2.CfnLoadBalancer_LoadBalancerAttributeProperty{Key: str("routing.http.drop_invalid_header_fields.enabled"), Value: str("true")},
			// Large git pushes over HTTP outlast the default 60 s.
			&awselasticloadbalancingv2.CfnLoadBalancer_LoadBalancerAttributeProperty{Key: str("idle_timeout.timeout_seconds"), Value: str("600")},
		}, b.loadBalancerLogs()...)),
		Tags: nameTag("gitlab-" + g.name),
	})
	b.offer(stacks.GitLabLoadBalancerOutput(g.name), lb.AttrDnsName())
	tg := awselasticloadbalancingv2.NewCfnTargetGroup(b.st, id(p, "TargetGroup"), &awselasticloadbalancingv2.CfnTargetGroupProps{
		TargetType: str("ip"),
		Protocol:   str("HTTP"),
		Port:       num(gitlabPort),
		VpcId:      g.vpc,
		// GitLab answers readiness only to its monitoring whitelist, which
		// includes the VPC's CIDR; anything else would get the sign-in page.
		HealthCheckPath:            str("/-/readiness"),
		HealthCheckIntervalSeconds: num(healthCheckInterval),
		HealthCheckTimeoutSeconds:  num(10),
		HealthyThresholdCount:      num(2),
		UnhealthyThresholdCount:    num(unhealthyChecks),
		Matcher:                    &awselasticloadbalancingv2.CfnTargetGroup_MatcherProperty{HttpCode: str("200")},
		TargetGroupAttributes: &[]any{
			&awselasticloadbalancingv2.CfnTargetGroup_TargetGroupAttributeProperty{Key: str("deregistration_delay.timeout_seconds"), Value: str("30")},
		},
		Tags: nameTag("gitlab-" + g.name),
	})
	forward := &[]any{&awselasticloadbalancingv2.CfnListener_ActionProperty{Type: str("forward"), TargetGroupArn: b.ref(tg)}}

	h := spec.HTTPS
	if h == nil {
		l := awselasticloadbalancingv2.NewCfnListener(b.st, id(p, "HttpListener"), &awselasticloadbalancingv2.CfnListenerProps{
			LoadBalancerArn: b.ref(lb), Port: num(80), Protocol: str("HTTP"), DefaultActions: forward,
		})
		g.waitFor = append(g.waitFor, l)
		url := awscdk.Fn_Join(str(""), &[]*string{str("http://"), lb.AttrDnsName()})
		b.offer(stacks.GitLabURLOutput(g.name), url)
		return tg, lb.AttrDnsName()
	}

	cert := str(h.CertificateARN)
	if h.CertificateARN == "" {
		c := awscertificatemanager.NewCfnCertificate(b.st, id(p, "Certificate"), &awscertificatemanager.CfnCertificateProps{
			DomainName:       str(h.Domain),
			ValidationMethod: str("DNS"),
			DomainValidationOptions: &[]any{&awscertificatemanager.CfnCertificate_DomainValidationOptionProperty{
				DomainName: str(h.Domain), HostedZoneId: str(h.ValidationZoneID),
			}},
			Tags: nameTag("gitlab-" + g.name),
		})
		cert = b.ref(c)
	}
	l := awselasticloadbalancingv2.NewCfnListener(b.st, id(p, "HttpsListener"), &awselasticloadbalancingv2.CfnListenerProps{
		LoadBalancerArn: b.ref(lb), Port: num(443), Protocol: str("HTTPS"),
		Certificates:   &[]any{&awselasticloadbalancingv2.CfnListener_CertificateProperty{CertificateArn: cert}},
		SslPolicy:      str("ELBSecurityPolicy-TLS13-1-2-2021-06"),
		DefaultActions: forward,
	})
	awselasticloadbalancingv2.NewCfnListener(b.st, id(p, "HttpRedirectListener"), &awselasticloadbalancingv2.CfnListenerProps{
		LoadBalancerArn: b.ref(lb), Port: num(80), Protocol: str("HTTP"),
		DefaultActions: &[]any{&awselasticloadbalancingv2.CfnListener_ActionProperty{
			Type: str("redirect"),
			RedirectConfig: &awselasticloadbalancingv2.CfnListener_RedirectConfigProperty{
				Protocol: str("HTTPS"), Port: str("443"), StatusCode: str("HTTP_301"),
			},
		}},
	})
	g.waitFor = append(g.waitFor, l)
	zoneID := str(h.RecordZoneID)
	if z := h.PrivateZone; z != nil {
		// The internal load balancer's private addresses stay out of the
		// public zone: a private zone named after the domain answers for
		// it in the associated VPCs only.
		var vpcs []any
		for _, param := range z.VPCParams {
			vpcs = append(vpcs, &awsroute53.CfnHostedZone_VPCProperty{VpcId: b.param(param), VpcRegion: str(b.spec.Region)})
		}
		zone := awsroute53.NewCfnHostedZone(b.st, id(p, "PrivateZone"), &awsroute53.CfnHostedZoneProps{
			Name:             str(z.Name),
			Vpcs:             &vpcs,
			HostedZoneConfig: &awsroute53.CfnHostedZone_HostedZoneConfigProperty{Comment: str("GitLab " + g.name + "'s internal load balancer")},
		})
		zoneID = b.ref(zone)
		b.offer(stacks.GitLabPrivateZoneOutput(g.name), b.ref(zone))
	}
	if h.RecordZoneID != "" || h.PrivateZone != nil {
		awsroute53.NewCfnRecordSet(b.st, id(p, "DnsRecord"), &awsroute53.CfnRecordSetProps{
			HostedZoneId: zoneID,
			Name:         str(h.Domain),
			Type:         str("A"),
			AliasTarget: &awsroute53.CfnRecordSet_AliasTargetProperty{
				DnsName: lb.AttrDnsName(), HostedZoneId: lb.AttrCanonicalHostedZoneId(), EvaluateTargetHealth: false,
			},
		})
	}
	b.offer(stacks.GitLabURLOutput(g.name), str("https://"+h.Domain))
	return tg, lb.AttrDnsName()
}

// First boot. ECS ignores the load balancer's health checks for
// healthCheckGrace seconds after a task starts; after that, unhealthyChecks
// failed checks healthCheckInterval seconds apart stop the task. GitLab's
// Docker install docs say the first start "may take a long time"
// (https://docs.gitlab.com/install/docker/installation/): omnibus runs
// reconfigure, then on an empty database loads the whole schema and seeds
// it (gitlab:db:configure) before Puma answers /-/readiness. Observed first
// boots take 5–6 minutes with a local database; loading the schema into a
// new Aurora cluster over the network and the first writes to an empty EFS
// add a few more. Upgrades run their migrations in the same window. 1200 s
// is twice a 10-minute first boot; with 5 × 30 s of failed checks a task
// has 22.5 minutes before it is stopped.
//
// The circuit breaker fails a deployment after 3 failed tasks (for one
// desired task, ECS's threshold is its minimum of 3), so a GitLab that
// cannot start fails the stack after about an hour instead of retrying
// forever, and an update rolls back to the last task definition that ran.
// A slow but healthy first boot is never one of those failures.
const (
	healthCheckGrace    = 1200
	healthCheckInterval = 30
	unhealthyChecks     = 5
)

// gitlabService builds the cluster, the task definition and the service:
// one task of the pinned image, never two (GitLab omnibus is the only
// writer of its EFS data), a long health-check grace for the first boot,
// ECS Exec as declared, private subnets without public addresses.
func (b *builder) gitlabService(g *gitlabBuild, fs awsefs.CfnFileSystem, aps map[string]awsefs.CfnAccessPoint, tg awselasticloadbalancingv2.CfnTargetGroup, albDNS *string) {
	spec, p := g.spec, g.p
	cluster := awsecs.NewCfnCluster(b.st, id(p, "Cluster"), &awsecs.CfnClusterProps{
		ClusterName:     str(stacks.GitLabClusterName(g.name)),
		ClusterSettings: &[]any{&awsecs.CfnCluster_ClusterSettingsProperty{Name: str("containerInsights"), Value: str("enabled")}},
		Configuration: &awsecs.CfnCluster_ClusterConfigurationProperty{
			ExecuteCommandConfiguration: &awsecs.CfnCluster_ExecuteCommandConfigurationProperty{Logging: str("DEFAULT")},
		},
	})

	dbHost := ""
	if g.dbHost != nil {
		dbHost = *g.dbHost
	}
	omnibus := gitlabrb.Render(spec.Omnibus, *albDNS, dbHost)
	env := append([]any{keyValue("GITLAB_OMNIBUS_CONFIG", str(omnibus))}, g.env...)

	execRole := awsiam.NewCfnRole(b.st, id(p, "ExecutionRole"), &awsiam.CfnRoleProps{
		Description:              str("ECS starts GitLab " + g.name + "'s task with this role"),
		AssumeRolePolicyDocument: serviceTrust("ecs-tasks.amazonaws.com", b.spec.AccountID),
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName:     str("start-gitlab"),
			PolicyDocument: b.executionPolicy(g),
		}},
	})
	acknowledge(execRole, "IAM5", "ecr:GetAuthorizationToken has no resource-level permissions; the image pulls are limited to GitLab's own repository (with a pull-through cache, the repositories under the cache's prefix, which the first pull creates).")

	var volumes, mounts []any
	for _, v := range gitlabVolumes {
		volumes = append(volumes, &awsecs.CfnTaskDefinition_VolumeProperty{
			Name: str(v.name),
			EfsVolumeConfiguration: &awsecs.CfnTaskDefinition_EFSVolumeConfigurationProperty{
				FilesystemId:      b.ref(fs),
				TransitEncryption: str("ENABLED"),
				AuthorizationConfig: &awsecs.CfnTaskDefinition_AuthorizationConfigProperty{
					AccessPointId: aps[v.name].AttrAccessPointId(),
					Iam:           str("ENABLED"),
				},
			},
		})
		mounts = append(mounts, &awsecs.CfnTaskDefinition_MountPointProperty{ContainerPath: str(v.path), SourceVolume: str(v.name), ReadOnly: false})
	}
	// A volume without a host or EFS configuration is a bind mount on the
	// task's ephemeral storage: local disk for sockets and runtime files,
	// gone with the task, never NFS.
	volumes = append(volumes, &awsecs.CfnTaskDefinition_VolumeProperty{Name: str(runtimeVolume)})
	mounts = append(mounts, &awsecs.CfnTaskDefinition_MountPointProperty{ContainerPath: str(gitlabrb.RuntimeDir), SourceVolume: str(runtimeVolume), ReadOnly: false})
	image := awscdk.Fn_Join(str(""), &[]*string{b.param(spec.ImageParam), str(":" + spec.ImageTag)})
	task := awsecs.NewCfnTaskDefinition(b.st, id(p, "TaskDefinition"), &awsecs.CfnTaskDefinitionProps{
		Family:                  str("gitops-gitlab-" + g.name),
		Cpu:                     str(strconv.Itoa(spec.CPU)),
		Memory:                  str(strconv.Itoa(spec.Memory)),
		NetworkMode:             str("awsvpc"),
		RequiresCompatibilities: &[]*string{str("FARGATE")},
		RuntimePlatform:         &awsecs.CfnTaskDefinition_RuntimePlatformProperty{OperatingSystemFamily: str("LINUX"), CpuArchitecture: str("X86_64")},
		ExecutionRoleArn:        execRole.AttrArn(),
		TaskRoleArn:             g.taskRole.AttrArn(),
		Volumes:                 &volumes,
		ContainerDefinitions: &[]any{&awsecs.CfnTaskDefinition_ContainerDefinitionProperty{
			Name:         str(gitlabContainer),
			Image:        image,
			Essential:    true,
			PortMappings: &[]any{&awsecs.CfnTaskDefinition_PortMappingProperty{Name: str("http"), ContainerPort: num(gitlabPort), Protocol: str("tcp")}},
			Environment:  &env,
			Secrets:      &g.secrets,
			MountPoints:  &mounts,
			// ECS Exec needs an init process; it also reaps GitLab's children.
			LinuxParameters: &awsecs.CfnTaskDefinition_LinuxParametersProperty{InitProcessEnabled: true},
			// Give omnibus time to stop its services cleanly.
			StopTimeout: num(120),
			LogConfiguration: &awsecs.CfnTaskDefinition_LogConfigurationProperty{
				LogDriver: str("awslogs"),
				Options: map[string]any{
					"awslogs-group":         b.ref(g.logGroup),
					"awslogs-region":        b.spec.Region,
					"awslogs-stream-prefix": gitlabContainer,
				},
			},
		}},
	})
	acknowledge(task, "ECS2", "The environment holds GitLab's configuration (GITLAB_OMNIBUS_CONFIG, the root email), no secret: the passwords come from Secrets Manager through the task's secrets.")

	service := awsecs.NewCfnService(b.st, id(p, "Service"), &awsecs.CfnServiceProps{
		ServiceName:    str(stacks.GitLabServiceName),
		Cluster:        b.ref(cluster),
		TaskDefinition: b.ref(task),
		LaunchType:     str("FARGATE"),
		DesiredCount:   num(1),
		// Stop the old task before starting the new one: two omnibus
		// instances must never write the same data.
		DeploymentConfiguration: &awsecs.CfnService_DeploymentConfigurationProperty{
			MaximumPercent:           num(100),
			MinimumHealthyPercent:    num(0),
			DeploymentCircuitBreaker: &awsecs.CfnService_DeploymentCircuitBreakerProperty{Enable: true, Rollback: true},
		},
		HealthCheckGracePeriodSeconds: num(healthCheckGrace),
		EnableExecuteCommand:          spec.ECSExec,
		NetworkConfiguration: &awsecs.CfnService_NetworkConfigurationProperty{
			AwsvpcConfiguration: &awsecs.CfnService_AwsVpcConfigurationProperty{
				AssignPublicIp: str("DISABLED"),
				Subnets:        g.taskSubnets,
				SecurityGroups: &[]*string{g.taskSG.AttrGroupId()},
			},
		},
		LoadBalancers: &[]any{&awsecs.CfnService_LoadBalancerProperty{
			ContainerName: str(gitlabContainer), ContainerPort: num(gitlabPort), TargetGroupArn: b.ref(tg),
		}},
		PropagateTags:        str("SERVICE"),
		EnableEcsManagedTags: true,
	})
	// The target group must belong to a listener, the mount targets and
	// the database must be up before the first task starts.
	for _, r := range g.waitFor {
		service.Node().AddDependency(r)
	}
}

// executionPolicy lets ECS pull the image, write the log group and read the
// secrets the container gets, nothing more.
func (b *builder) executionPolicy(g *gitlabBuild) map[string]any {
	repo := b.arn("ecr", g.spec.ImageRepositoryARN)
	pull := []string{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"}
	if g.spec.PullThroughCache {
		// The first pull of a tag creates the cached repository.
		pull = append(pull, "ecr:BatchImportUpstreamImage", "ecr:CreateRepository")
	}
	return policy(
		statement("Allow", []string{"ecr:GetAuthorizationToken"}, "*"),
		statement("Allow", pull, repo),
		statement("Allow", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, g.logGroup.AttrArn()),
		statement("Allow", []string{"secretsmanager:GetSecretValue"}, g.secretsRead...),
	)
}
