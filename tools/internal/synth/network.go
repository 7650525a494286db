package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"slices"

	"gitops/tools/internal/stacks"
)

// network builds the stack's VPC and its attachments to transit gateways.
func (b *builder) network(spec *stacks.NetworkSpec) error {
	for i := range spec.VPCs {
		vb := b.vpc(&spec.VPCs[i])
		if i == 0 {
			b.vpcAttachments(vb, spec.Attachments)
		}
	}
	return nil
}

// vpcBuild holds one VPC's resources while they are wired together.
type vpcBuild struct {
	spec        *stacks.NetworkVPC
	vpc         awsec2.CfnVPC
	igwAttach   awsec2.CfnVPCGatewayAttachment
	igw         awsec2.CfnInternetGateway
	subnets     map[string]awsec2.CfnSubnet
	routeTables map[string]awsec2.CfnRouteTable
}

func (b *builder) vpc(v *stacks.NetworkVPC) *vpcBuild {
	p := v.ID
	vb := &vpcBuild{spec: v, subnets: map[string]awsec2.CfnSubnet{}, routeTables: map[string]awsec2.CfnRouteTable{}}
	vb.vpc = awsec2.NewCfnVPC(b.st, id(p, "Vpc"), &awsec2.CfnVPCProps{
		CidrBlock: str(v.CIDR),
		// Private DNS of interface endpoints needs both.
		EnableDnsHostnames: true,
		EnableDnsSupport:   true,
		Tags:               nameTag(v.Name),
	})
	b.offer(stacks.VPCIDOutput(v.Name), b.ref(vb.vpc))

	if v.InternetGateway {
		vb.igw = awsec2.NewCfnInternetGateway(b.st, id(p, "InternetGateway"), &awsec2.CfnInternetGatewayProps{Tags: nameTag(v.Name)})
		vb.igwAttach = awsec2.NewCfnVPCGatewayAttachment(b.st, id(p, "InternetGatewayAttachment"), &awsec2.CfnVPCGatewayAttachmentProps{
			VpcId:             b.ref(vb.vpc),
			InternetGatewayId: b.ref(vb.igw),
		})
	}

	tierIDs := map[string][]*string{}
	var tiers []string
	for _, s := range v.Subnets {
		sp := stacks.Pascal(s.Name)
		subnet := awsec2.NewCfnSubnet(b.st, id(p, sp, "Subnet"), &awsec2.CfnSubnetProps{
			VpcId:            b.ref(vb.vpc),
			CidrBlock:        str(s.CIDR),
			AvailabilityZone: str(s.Zone),
			// Nothing gets a public address by accident; NAT instances ask
			// for theirs explicitly.
			MapPublicIpOnLaunch: false,
			Tags:                nameTag(v.Name + "-" + s.Name),
		})
		// The estate names each subnet's zone: attachments, endpoints and
		// the reachability checks depend on which zones a VPC spans.
		lintAcknowledge(subnet, "W3010")
		rt := awsec2.NewCfnRouteTable(b.st, id(p, sp, "RouteTable"), &awsec2.CfnRouteTableProps{
			VpcId: b.ref(vb.vpc),
			Tags:  nameTag(v.Name + "-" + s.Name),
		})
		awsec2.NewCfnSubnetRouteTableAssociation(b.st, id(p, sp, "RouteTableAssociation"), &awsec2.CfnSubnetRouteTableAssociationProps{
			SubnetId:     b.ref(subnet),
			RouteTableId: b.ref(rt),
		})
		vb.subnets[s.Name] = subnet
		vb.routeTables[s.Name] = rt
		b.offer(stacks.SubnetIDOutput(v.Name, s.Name), b.ref(subnet))
		b.offer(stacks.RouteTableIDOutput(v.Name, s.Name), b.ref(rt))
		if _, seen := tierIDs[s.Tier]; !seen {
			tiers = append(tiers, s.Tier)
		}
		tierIDs[s.Tier] = append(tierIDs[s.Tier], b.ref(subnet))
	}
	for _, t := range tiers {
		ids := tierIDs[t]
		b.offer(stacks.SubnetIDsOutput(v.Name, t), awscdk.Fn_Join(str(","), &ids))
	}

	natTargets := b.nats(vb)
	for _, s := range v.Subnets {
		if s.DefaultRoute == "" {
			continue
		}
		route := awsec2.NewCfnRoute(b.st, id(p, stacks.Pascal(s.Name), "DefaultRoute"), &awsec2.CfnRouteProps{
			RouteTableId:         b.ref(vb.routeTables[s.Name]),
			DestinationCidrBlock: str("0.0.0.0/0"),
		})
		if s.DefaultRoute == "igw" {
			route.SetGatewayId(b.ref(vb.igw))
			route.AddResourceDependency(vb.igwAttach, nil)
		} else {
			natTargets[s.DefaultRoute](route)
		}
	}
	b.endpoints(vb)
	if v.FlowLogs != nil {
		b.flowLogs(vb)
	} else {
		acknowledge(vb.vpc, "VPC7", "Flow logs are on by default; the estate's network YAML turns them off for this VPC (flowLogs: disabled: true), a choice reviewed in that file.")
	}
	return vb
}

// nats builds the VPC's NAT gateways or instances and returns, by public
// subnet, a function pointing a route at the NAT there.
func (b *builder) nats(vb *vpcBuild) map[string]func(awsec2.CfnRoute) {
	v, p := vb.spec, vb.spec.ID
	targets := map[string]func(awsec2.CfnRoute){}
	var natSG awsec2.CfnSecurityGroup
	for _, n := range v.NATs {
		sp := stacks.Pascal(n.Subnet)
		if !n.Instance {
			eip := awsec2.NewCfnEIP(b.st, id(p, sp, "NatEip"), &awsec2.CfnEIPProps{Domain: str("vpc"), Tags: nameTag(v.Name + "-nat-" + n.Subnet)})
			eip.AddResourceDependency(vb.igwAttach, nil)
			gw := awsec2.NewCfnNatGateway(b.st, id(p, sp, "NatGateway"), &awsec2.CfnNatGatewayProps{
				AllocationId: eip.AttrAllocationId(),
				SubnetId:     b.ref(vb.subnets[n.Subnet]),
				Tags:         nameTag(v.Name + "-nat-" + n.Subnet),
			})
			targets[n.Subnet] = func(r awsec2.CfnRoute) { r.SetNatGatewayId(b.ref(gw)) }
			continue
		}
		if natSG == nil {
			natSG = awsec2.NewCfnSecurityGroup(b.st, id(p, "NatSecurityGroup"), &awsec2.CfnSecurityGroupProps{
				GroupDescription: str("NAT instances of VPC " + v.Name + ": forward traffic from the VPC"),
				VpcId:            b.ref(vb.vpc),
				SecurityGroupIngress: &[]any{&awsec2.CfnSecurityGroup_IngressProperty{
					IpProtocol: str("-1"), CidrIp: str(v.CIDR), Description: str("traffic leaving the VPC"),
				}},
				SecurityGroupEgress: &[]any{&awsec2.CfnSecurityGroup_EgressProperty{
					IpProtocol: str("-1"), CidrIp: str("0.0.0.0/0"), Description: str("the internet"),
				}},
				Tags: nameTag(v.Name + "-nat"),
			})
		}
		inst := awsec2.NewCfnInstance(b.st, id(p, sp, "NatInstance"), &awsec2.CfnInstanceProps{
			ImageId:      b.param(n.ImageParam),
			InstanceType: str(n.InstanceType),
			// A NAT forwards packets that are neither from nor to itself.
			SourceDestCheck: false,
			Monitoring:      true,
			NetworkInterfaces: &[]any{&awsec2.CfnInstance_NetworkInterfaceProperty{
				DeviceIndex: str("0"),
				SubnetId:    b.ref(vb.subnets[n.Subnet]),
				GroupSet:    &[]*string{natSG.AttrGroupId()},
				// The instance needs its address at boot to install iptables.
				AssociatePublicIpAddress: true,
				DeleteOnTermination:      true,
			}},
			MetadataOptions: &awsec2.CfnInstance_MetadataOptionsProperty{HttpTokens: str("required"), HttpEndpoint: str("enabled")},
			BlockDeviceMappings: &[]any{&awsec2.CfnInstance_BlockDeviceMappingProperty{
				DeviceName: str("/dev/xvda"),
				Ebs:        &awsec2.CfnInstance_EbsProperty{Encrypted: true, VolumeType: str("gp3"), DeleteOnTermination: true},
			}},
			UserData: awscdk.Fn_Base64(str(natUserData)),
			Tags:     nameTag(v.Name + "-nat-" + n.Subnet),
		})
		inst.AddResourceDependency(vb.igwAttach, nil)
		acknowledge(inst, "EC29", "The NAT instance keeps no state: CloudFormation replaces it when its image or type changes, which termination protection would block.")
		targets[n.Subnet] = func(r awsec2.CfnRoute) { r.SetInstanceId(b.ref(inst)) }
	}
	return targets
}

// natUserData turns Amazon Linux 2023 into a NAT: forward IPv4 and
// masquerade what leaves through the primary interface, persistently.
const natUserData = `#!/bin/bash
set -euo pipefail
dnf install -y iptables-services
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf
sysctl --system
iface=$(ip -o -4 route show to default | awk '{print $5}')
iptables -t nat -A POSTROUTING -o "$iface" -j MASQUERADE
iptables -F FORWARD
service iptables save
systemctl enable --now iptables
`

// endpoints builds the interface endpoints behind one security group open
// to the VPC on the ports they listen on (443, and SMTP for email-smtp),
// and the gateway endpoints in every route table.
func (b *builder) endpoints(vb *vpcBuild) {
	v, p := vb.spec, vb.spec.ID
	if len(v.InterfaceEndpoints) > 0 {
		var ports []int
		for _, e := range v.InterfaceEndpoints {
			ports = append(ports, e.Ports...)
		}
		slices.Sort(ports)
		var ingress []any
		for _, port := range slices.Compact(ports) {
			what := "HTTPS"
			if port != 443 {
				what = "SMTP submission (STARTTLS)"
			}
			ingress = append(ingress, &awsec2.CfnSecurityGroup_IngressProperty{
				IpProtocol: str("tcp"), FromPort: num(port), ToPort: num(port), CidrIp: str(v.CIDR), Description: str(what + " from the VPC"),
			})
		}
		// The description is immutable (a change replaces the group): VPCs
		// with HTTPS endpoints only keep theirs.
		description := "Interface endpoints of VPC " + v.Name + ": HTTPS from the VPC"
		if len(ingress) > 1 {
			description = "Interface endpoints of VPC " + v.Name + ": HTTPS and SMTP from the VPC"
		}
		sg := awsec2.NewCfnSecurityGroup(b.st, id(p, "EndpointSecurityGroup"), &awsec2.CfnSecurityGroupProps{
			GroupDescription:     str(description),
			VpcId:                b.ref(vb.vpc),
			SecurityGroupIngress: &ingress,
			SecurityGroupEgress:  denyAllEgress(),
			Tags:                 nameTag(v.Name + "-endpoints"),
		})
		var subnets []any
		for _, s := range v.EndpointSubnets {
			subnets = append(subnets, b.ref(vb.subnets[s]))
		}
		for _, e := range v.InterfaceEndpoints {
			// Interface and gateway endpoints of one service (s3) may coexist,
			// so the kind is part of the id.
			awsec2.NewCfnVPCEndpoint(b.st, id(p, stacks.Pascal(e.Service), "InterfaceEndpoint"), &awsec2.CfnVPCEndpointProps{
				VpcId:             b.ref(vb.vpc),
				ServiceName:       str(e.ServiceName),
				VpcEndpointType:   str("Interface"),
				PrivateDnsEnabled: true,
				SubnetIds:         &subnets,
				SecurityGroupIds:  &[]any{sg.AttrGroupId()},
				Tags:              nameTag(v.Name + "-" + e.Service),
			})
		}
	}
	if len(v.GatewayEndpoints) > 0 {
		var tables []any
		for _, s := range v.Subnets {
			tables = append(tables, b.ref(vb.routeTables[s.Name]))
		}
		for _, e := range v.GatewayEndpoints {
			awsec2.NewCfnVPCEndpoint(b.st, id(p, stacks.Pascal(e.Service), "Endpoint"), &awsec2.CfnVPCEndpointProps{
				VpcId:           b.ref(vb.vpc),
				ServiceName:     str(e.ServiceName),
				VpcEndpointType: str("Gateway"),
				RouteTableIds:   &tables,
				Tags:            nameTag(v.Name + "-" + e.Service),
			})
		}
	}
}

// denyAllEgress is the rule CloudFormation needs to not open all egress by
// default: ICMP type 252 code 86 to a single unroutable address.
func denyAllEgress() *[]any {
	return &[]any{&awsec2.CfnSecurityGroup_EgressProperty{
		IpProtocol: str("icmp"), FromPort: num(252), ToPort: num(86), CidrIp: str("255.255.255.255/32"),
		Description: str("no egress"),
	}}
}

// flowLogs sends the VPC's flow logs to a CloudWatch log group through a
// role that can write that group only.
func (b *builder) flowLogs(vb *vpcBuild) {
	v, p, f := vb.spec, vb.spec.ID, vb.spec.FlowLogs
	group := awslogs.NewCfnLogGroup(b.st, id(p, "FlowLogGroup"), &awslogs.CfnLogGroupProps{
		LogGroupName:    str(f.LogGroup),
		RetentionInDays: num(f.RetentionDays),
	})
	// Flow logs are audit evidence: they outlive the VPC's stack.
	group.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	role := awsiam.NewCfnRole(b.st, id(p, "FlowLogRole"), &awsiam.CfnRoleProps{
		Description:              str("Delivers the flow logs of VPC " + v.Name),
		AssumeRolePolicyDocument: serviceTrust("vpc-flow-logs.amazonaws.com", b.spec.AccountID),
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName: str("deliver-flow-logs"),
			PolicyDocument: policy(statement("Allow",
				[]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
				group.AttrArn())),
		}},
	})
	awsec2.NewCfnFlowLog(b.st, id(p, "FlowLog"), &awsec2.CfnFlowLogProps{
		ResourceId:               b.ref(vb.vpc),
		ResourceType:             str("VPC"),
		TrafficType:              str(f.TrafficType),
		LogDestinationType:       str("cloud-watch-logs"),
		LogDestination:           group.AttrArn(),
		DeliverLogsPermissionArn: role.AttrArn(),
		Tags:                     nameTag(v.Name),
	})
}
