package stacks

import (
	"fmt"
	"regexp"

	"gitops/tools/internal/estate"
)

// NetworkSpec is the network stack of one VPC, with its defaults resolved
// and subnets laid out.
type NetworkSpec struct {
	VPCs []NetworkVPC `json:"vpcs"`
	// Attachments of the VPC to transit gateways, with its routes to them.
	Attachments []AttachmentSpec `json:"attachments,omitempty"`
}

// NetworkVPC is one VPC, ready to synthesize.
type NetworkVPC struct {
	Name string `json:"name"`
	// ID prefixes the logical IDs of the VPC's resources (Pascal of Name).
	ID    string   `json:"id"`
	CIDR  string   `json:"cidr"`
	Zones []string `json:"zones"`
	// Subnets in declared tier order, then zone order.
	Subnets []NetworkSubnet `json:"subnets"`
	// InternetGateway is true when the VPC has a public tier.
	InternetGateway bool `json:"internetGateway"`
	// NATs are the NAT gateways or instances, by the public subnet holding them.
	NATs []NAT `json:"nats,omitempty"`
	// InterfaceEndpoints are PrivateLink endpoints in EndpointSubnets,
	// behind one security group open on 443 to the VPC's CIDR.
	InterfaceEndpoints []Endpoint `json:"interfaceEndpoints,omitempty"`
	EndpointSubnets    []string   `json:"endpointSubnets,omitempty"`
	// GatewayEndpoints (s3, dynamodb) go into every route table of the VPC.
	GatewayEndpoints []Endpoint `json:"gatewayEndpoints,omitempty"`
	// FlowLogs is nil when flow logs are disabled.
	FlowLogs *FlowLogs `json:"flowLogs,omitempty"`
}

// NetworkSubnet is one subnet and its route table.
type NetworkSubnet struct {
	// Name is <tier>-<zone letter>.
	Name string `json:"name"`
	Tier string `json:"tier"`
	// Type is public, private or isolated.
	Type string `json:"type"`
	Zone string `json:"zone"`
	CIDR string `json:"cidr"`
	// DefaultRoute is where 0.0.0.0/0 goes: "igw" for public subnets, the
	// name of the public subnet holding the subnet's NAT for private subnets
	// with egress, empty for none.
	DefaultRoute string `json:"defaultRoute,omitempty"`
}

// NAT is a NAT gateway or a NAT instance in a public subnet.
type NAT struct {
	// Subnet is the public subnet holding it.
	Subnet string `json:"subnet"`
	// Instance is true for a NAT instance, false for a NAT gateway.
	Instance bool `json:"instance,omitempty"`
	// InstanceType and ImageParam (the parameter holding the Amazon Linux
	// 2023 AMI of the type's architecture) are set for NAT instances.
	InstanceType string `json:"instanceType,omitempty"`
	ImageParam   string `json:"imageParam,omitempty"`
}

// Endpoint is a VPC endpoint.
type Endpoint struct {
	// Service is the short name from the estate, e.g. ecr.api.
	Service string `json:"service"`
	// ServiceName is the full name, e.g. com.amazonaws.eu-west-1.ecr.api.
	ServiceName string `json:"serviceName"`
	// Ports an interface endpoint listens on (estate.InterfaceEndpointPorts).
	Ports []int `json:"ports,omitempty"`
}

// FlowLogs is the VPC's flow log into a CloudWatch log group.
type FlowLogs struct {
	TrafficType   string `json:"trafficType"`
	RetentionDays int    `json:"retentionDays"`
	// LogGroup is the log group's name.
	LogGroup string `json:"logGroup"`
}

// Defaults the estate documents for network options it leaves optional.
const (
	DefaultNATInstanceType    = "t4g.nano"
	DefaultFlowLogTrafficType = "ALL"
	DefaultLogRetentionDays   = 365
)

// NetworkStackName names the stack of one VPC. Each VPC has its own stack:
// adding a VPC never touches another's, and no account's VPCs (up to its
// VPC quota) can outgrow one stack together.
func NetworkStackName(vpc string) string { return "network-" + vpc }

// planNetworks makes one network stack per VPC.
func (p *planner) planNetworks() {
	for _, n := range p.e.Networks {
		for i := range n.VPCs {
			v, err := networkVPC(&n.VPCs[i], n.Region)
			if err != nil {
				p.errorf("%s: VPC %s: %v", n.File, n.VPCs[i].Name, err)
				continue
			}
			s := p.newStack(KindNetwork, n.Account, n.Region, NetworkStackName(v.Name))
			if s == nil {
				continue
			}
			s.Origin = n.Pos(fmt.Sprintf("vpcs[%d].name", i))
			s.Network = &NetworkSpec{VPCs: []NetworkVPC{v}}
			// Every VPC's id is an output, for operators and later stages.
			s.Outputs = append(s.Outputs, VPCIDOutput(v.Name))
			for _, nat := range v.NATs {
				if nat.Instance {
					p.addSSMParam(s, nat.ImageParam, "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", natImageSSM(nat.InstanceType))
				}
			}
		}
	}
}

// vpcStack finds the network stack of the VPC called name.
func (p *planner) vpcStack(name string) (*Stack, *NetworkVPC) {
	ref, ok := p.ix.VPCs[name]
	if !ok {
		return nil, nil
	}
	s := p.stacks[StackID(ref.Network.Account, ref.Network.Region, NetworkStackName(name))]
	if s == nil || s.Network == nil || len(s.Network.VPCs) != 1 {
		return nil, nil
	}
	return s, &s.Network.VPCs[0]
}

// Subnet returns the VPC's subnet called name.
func (v *NetworkVPC) Subnet(name string) (NetworkSubnet, bool) {
	for _, s := range v.Subnets {
		if s.Name == name {
			return s, true
		}
	}
	return NetworkSubnet{}, false
}

// TierSubnets returns the subnets of a tier, in zone order.
func (v *NetworkVPC) TierSubnets(tier string) []NetworkSubnet {
	var out []NetworkSubnet
	for _, s := range v.Subnets {
		if s.Tier == tier {
			out = append(out, s)
		}
	}
	return out
}

// networkVPC resolves a declared VPC: subnet layout, NAT placement, endpoint
// subnets and defaults.
func networkVPC(vpc *estate.VPC, region string) (NetworkVPC, error) {
	layout, errs := vpc.Layout(region)
	if len(errs) > 0 {
		return NetworkVPC{}, fmt.Errorf("%s", errs[0].Message)
	}
	v := NetworkVPC{Name: vpc.Name, ID: Pascal(vpc.Name), CIDR: vpc.CIDR, Zones: vpc.Zones(region)}
	for _, s := range layout {
		if !s.CIDR.IsValid() {
			return NetworkVPC{}, fmt.Errorf("subnet %s has no CIDR", s.Name)
		}
		v.Subnets = append(v.Subnets, NetworkSubnet{Name: s.Name, Tier: s.Tier, Type: s.Type, Zone: s.Zone, CIDR: s.CIDR.String()})
	}
	if len(v.Subnets) == 0 {
		return NetworkVPC{}, fmt.Errorf("no subnets")
	}
	public := firstTierOfType(vpc, "public")
	v.InternetGateway = public != ""
	if err := v.placeNATs(vpc.Egress, public); err != nil {
		return NetworkVPC{}, err
	}
	for _, svc := range vpc.Endpoints.Interface {
		v.InterfaceEndpoints = append(v.InterfaceEndpoints, Endpoint{Service: svc, ServiceName: "com.amazonaws." + region + "." + svc, Ports: estate.InterfaceEndpointPorts(svc)})
	}
	if len(v.InterfaceEndpoints) > 0 {
		tier := vpc.EndpointTier()
		for _, s := range v.TierSubnets(tier) {
			v.EndpointSubnets = append(v.EndpointSubnets, s.Name)
		}
	}
	for _, svc := range vpc.Endpoints.Gateway {
		v.GatewayEndpoints = append(v.GatewayEndpoints, Endpoint{Service: svc, ServiceName: "com.amazonaws." + region + "." + svc})
	}
	if !vpc.FlowLogs.Disabled {
		f := &FlowLogs{TrafficType: vpc.FlowLogs.TrafficType, RetentionDays: vpc.FlowLogs.RetentionDays, LogGroup: "/gitops/vpc-flow-logs/" + vpc.Name}
		if f.TrafficType == "" {
			f.TrafficType = DefaultFlowLogTrafficType
		}
		if f.RetentionDays == 0 {
			f.RetentionDays = DefaultLogRetentionDays
		}
		v.FlowLogs = f
	}
	return v, nil
}

// placeNATs puts the VPC's NATs in the public tier (one in the first zone,
// or one per zone) and points every private subnet's default route at the
// NAT of its zone, or at the only one. Public subnets route to the internet
// gateway; isolated subnets and private ones without egress get no default
// route.
func (v *NetworkVPC) placeNATs(egress estate.Egress, public string) error {
	nat := egress.Type == "natGateway" || egress.Type == "natInstance"
	if nat && public == "" {
		return fmt.Errorf("egress %s needs a public subnet tier for the NAT", egress.Type)
	}
	if nat {
		for i, s := range v.TierSubnets(public) {
			if i > 0 && !egress.PerAZ {
				break
			}
			n := NAT{Subnet: s.Name}
			if egress.Type == "natInstance" {
				n.Instance = true
				n.InstanceType = egress.InstanceType
				if n.InstanceType == "" {
					n.InstanceType = DefaultNATInstanceType
				}
				n.ImageParam = natImageParam(n.InstanceType)
			}
			v.NATs = append(v.NATs, n)
		}
	}
	for i := range v.Subnets {
		s := &v.Subnets[i]
		switch {
		case s.Type == "public":
			s.DefaultRoute = "igw"
		case s.Type == "private" && len(v.NATs) > 0:
			s.DefaultRoute = v.NATs[0].Subnet
			for _, n := range v.NATs {
				if ns, _ := v.Subnet(n.Subnet); ns.Zone == s.Zone {
					s.DefaultRoute = n.Subnet
				}
			}
		}
	}
	return nil
}

func firstTierOfType(vpc *estate.VPC, typ string) string {
	for _, t := range vpc.Subnets {
		if t.Type == typ {
			return t.Name
		}
	}
	return ""
}

// graviton matches instance types of AWS Graviton (arm64) families: a g
// after the generation digit, as in t4g, c7gn, im4gn, x2gd.
var graviton = regexp.MustCompile(`^[a-z-]+[0-9]+[a-z]*g[a-z]*\.`)

// InstanceArch returns the CPU architecture of an EC2 instance type.
func InstanceArch(instanceType string) string {
	if graviton.MatchString(instanceType) {
		return "arm64"
	}
	return "x86_64"
}

func natImageParam(instanceType string) string {
	if InstanceArch(instanceType) == "arm64" {
		return "NatImageArm64"
	}
	return "NatImageX8664"
}

// natImageSSM is the public SSM parameter of the latest Amazon Linux 2023
// AMI for the type's architecture, so a new AMI needs no template change.
func natImageSSM(instanceType string) string {
	return "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-" + InstanceArch(instanceType)
}

// vpcParam wires the VPC's id into s from its network stack, and returns
// the parameter name with the VPC's resolved spec.
func (p *planner) vpcParam(s *Stack, vpc string) (string, *NetworkVPC) {
	ns, v := p.vpcStack(vpc)
	if v == nil {
		p.errorf("stack %s: VPC %q is not declared", s.ID, vpc)
		return "", nil
	}
	return p.addParam(s, ns, VPCIDOutput(vpc), "AWS::EC2::VPC::Id"), v
}

// tierParam wires the ids of a tier's subnets into s as one list parameter.
func (p *planner) tierParam(s *Stack, vpc, tier string) string {
	ns, v := p.vpcStack(vpc)
	if v == nil {
		p.errorf("stack %s: VPC %q is not declared", s.ID, vpc)
		return ""
	}
	if len(v.TierSubnets(tier)) == 0 {
		p.errorf("stack %s: VPC %s has no subnet tier %q", s.ID, vpc, tier)
		return ""
	}
	return p.addParam(s, ns, SubnetIDsOutput(vpc, tier), "List<AWS::EC2::Subnet::Id>")
}

// subnetParam wires the id of one subnet into s.
func (p *planner) subnetParam(s *Stack, vpc, subnet string) string {
	ns, v := p.vpcStack(vpc)
	if v == nil {
		p.errorf("stack %s: VPC %q is not declared", s.ID, vpc)
		return ""
	}
	if _, ok := v.Subnet(subnet); !ok {
		p.errorf("stack %s: VPC %s has no subnet %q", s.ID, vpc, subnet)
		return ""
	}
	return p.addParam(s, ns, SubnetIDOutput(vpc, subnet), "AWS::EC2::Subnet::Id")
}
