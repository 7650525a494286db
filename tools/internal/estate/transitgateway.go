package estate

// TransitGateway is a Transit Gateway hub (kind: TransitGateway): the gateway
// in its owner account, shared to other accounts, its VPC attachments and
// route tables.
type TransitGateway struct {
	Doc `yaml:"-"`
	// Always TransitGateway.
	Kind string `yaml:"kind" jsonschema:"enum=TransitGateway"`
	// Unique across the estate.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The account that owns the gateway (normally the tooling account).
	Account string `yaml:"account"`
	// The region of the gateway; attached VPCs must be in the same region.
	Region string `yaml:"region"`
	// The gateway's private BGP ASN: 64512–65534 or 4200000000–4294967294.
	ASN int `yaml:"asn"`
	// Lists the accounts the gateway is shared to through RAM.
	ShareWith []string `yaml:"shareWith,omitempty"`
	// The ARN of the AWS Organization (or of an OU) that
	// holds the owner and every shareWith account, with RAM sharing in
	// AWS Organizations enabled: the gateway is shared with it, and the
	// accounts see the share at once. Without it the share goes to each
	// account id, which must accept an invitation (apply does, through the
	// account's deploy role, before its attachments).
	Organization string `yaml:"organization,omitempty" jsonschema:"pattern=^arn:aws[a-z-]*:organizations::[0-9]{12}:(organization/o-[a-z0-9]+|ou/o-[a-z0-9]+/ou-[a-z0-9]+-[a-z0-9]+)$"`
	// The attachments connect VPCs to the gateway.
	Attachments []TGWAttachment `yaml:"attachments,omitempty"`
	// The route tables decide which attachment reaches which.
	RouteTables []TGWRouteTable `yaml:"routeTables,omitempty"`
	// The stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
	// Who may reach whom over the gateway; validate proves
	// them (see Intents).
	Intents Intents `yaml:"intents,omitempty"`
}

// TGWAttachment attaches a VPC to the gateway through one subnet per AZ.
type TGWAttachment struct {
	// Unique within the gateway; route tables refer to it.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The name of the attached VPC.
	VPC string `yaml:"vpc"`
	// The subnets of that VPC, one per availability zone (e.g. tgw-a, tgw-b).
	Subnets []string `yaml:"subnets" jsonschema:"minItems=1"`
}

// TGWRouteTable is a gateway route table.
type TGWRouteTable struct {
	// Unique within the gateway.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The attachments whose traffic this table routes (an attachment
	// is associated with at most one table).
	Associations []string `yaml:"associations,omitempty"`
	// The attachments whose VPC CIDRs are learned into this table.
	Propagations []string `yaml:"propagations,omitempty"`
	// Static routes and blackholes.
	Routes []TGWRoute `yaml:"routes,omitempty"`
}

// TGWRoute is a static route: to an attachment, or a blackhole.
type TGWRoute struct {
	// The destination CIDR.
	Destination string `yaml:"destination"`
	// The attachment that receives the traffic; give this or blackhole.
	Attachment string `yaml:"attachment,omitempty"`
	// Drops the traffic instead of routing it; give this or attachment.
	Blackhole bool `yaml:"blackhole,omitempty"`
}
