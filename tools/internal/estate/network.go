package estate

// Network declares the VPCs of one account and region (kind: Network), for
// example environments/prod/network.yaml.
type Network struct {
	Doc `yaml:"-"`
	// Always Network.
	Kind string `yaml:"kind" jsonschema:"enum=Network"`
	// The name of the account the VPCs live in.
	Account string `yaml:"account"`
	// The region the VPCs live in; must be one of the account's regions.
	Region string `yaml:"region"`
	// The VPCs of the account and region, one per purpose (GitLab, desktops, each application).
	VPCs []VPC `yaml:"vpcs" jsonschema:"minItems=1"`
	// The stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
}

// VPC is one virtual network.
type VPC struct {
	// Unique across the estate; other documents refer to the VPC by it.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The VPC's IPv4 block, between /16 and /28.
	CIDR string `yaml:"cidr"`
	// Spreads the subnets over the region's first N availability zones
	// (a, b, c, …). Give either azCount or azs.
	AZCount int `yaml:"azCount,omitempty" jsonschema:"minimum=1,maximum=6"`
	// Names the availability zones explicitly, e.g. eu-west-1a.
	AZs []string `yaml:"azs,omitempty"`
	// Subnet tiers; each tier has one subnet per availability zone, named
	// <tier>-<zone letter> (private-a, private-b, …).
	Subnets []SubnetTier `yaml:"subnets" jsonschema:"minItems=1"`
	// How the private subnets reach the internet, if at all.
	Egress Egress `yaml:"egress"`
	// The VPC endpoints for AWS services.
	Endpoints Endpoints `yaml:"endpoints,omitempty"`
	// Records the VPC's traffic; on by default.
	FlowLogs FlowLogs `yaml:"flowLogs,omitempty"`
}

// SubnetTier is a group of subnets of one type, one per availability zone.
type SubnetTier struct {
	// The name of the tier, e.g. private; subnets are named <tier>-<zone letter>.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9]{0,30}$"`
	// The tier's type: public (route to an internet gateway), private (egress through the
	// VPC's NAT, if any) or isolated (no route out of the VPC).
	Type string `yaml:"type" jsonschema:"enum=public,enum=private,enum=isolated"`
	// The prefix length of each subnet (e.g. 24); the CIDRs are then
	// allocated in order from the VPC's block. Give either prefix or cidrs.
	Prefix int `yaml:"prefix,omitempty" jsonschema:"minimum=16,maximum=28"`
	// Gives each availability zone's subnet explicitly, in zone order.
	CIDRs []string `yaml:"cidrs,omitempty"`
}

// Egress is the VPC's way out to the internet.
type Egress struct {
	// The way out: natGateway, natInstance (cheaper, one small instance) or none
	// (no internet at all: AWS services through endpoints only).
	Type string `yaml:"type" jsonschema:"enum=natGateway,enum=natInstance,enum=none"`
	// Puts one NAT gateway in each availability zone instead of one in total.
	PerAZ bool `yaml:"perAZ,omitempty"`
	// The instance type of the NAT instance (default t4g.nano).
	InstanceType string `yaml:"instanceType,omitempty"`
}

// Endpoints lists the VPC endpoints by service name (ecr.api, s3, …).
type Endpoints struct {
	// The interface endpoints (PrivateLink), with private DNS, reachable on 443 from the VPC.
	Interface []string `yaml:"interface,omitempty"`
	// The gateway endpoints: s3 and dynamodb.
	Gateway []string `yaml:"gateway,omitempty" jsonschema:"uniqueItems=true"`
}

// FlowLogs configures VPC flow logs.
type FlowLogs struct {
	// Turns flow logs off; they are on unless this is true.
	Disabled bool `yaml:"disabled,omitempty"`
	// The traffic logged: ALL (default), ACCEPT or REJECT.
	TrafficType string `yaml:"trafficType,omitempty" jsonschema:"enum=ALL,enum=ACCEPT,enum=REJECT"`
	// Days the CloudWatch log group keeps the flow logs (default 365).
	RetentionDays int `yaml:"retentionDays,omitempty" jsonschema:"enum=1,enum=3,enum=5,enum=7,enum=14,enum=30,enum=60,enum=90,enum=120,enum=150,enum=180,enum=365,enum=400,enum=545,enum=731,enum=1096,enum=1827,enum=2192,enum=2557,enum=2922,enum=3288,enum=3653"`
}

// InterfaceEndpointPorts are the TCP ports an interface endpoint of the
// service listens on, which its security group admits from the VPC: 443
// for AWS APIs, and for SES's SMTP interface the STARTTLS submission ports
// (the SES SMTP endpoint over PrivateLink serves 25, 587 and 2587; 25 is
// left out because GitLab submits on 587, and 2587 is the alternative
// where 587 is filtered).
func InterfaceEndpointPorts(service string) []int {
	if service == "email-smtp" {
		return []int{587, 2587}
	}
	return []int{443}
}
