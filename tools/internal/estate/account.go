package estate

// Account is an AWS account of the estate (kind: Account), one file per
// account under accounts/.
type Account struct {
	Doc `yaml:"-"`
	// Always Account.
	Kind string `yaml:"kind" jsonschema:"enum=Account"`
	// How every other document refers to this account.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The 12-digit AWS account id, quoted so YAML keeps it a string.
	ID string `yaml:"id" jsonschema:"pattern=^[0-9]{12}$"`
	// The account's root email address; unique across the estate.
	Email string `yaml:"email" jsonschema:"format=email"`
	// Either tooling (hosts GitLab, the Transit Gateway hub and pipelines) or
	// workload (receives deployments).
	Role string `yaml:"role" jsonschema:"enum=tooling,enum=workload"`
	// True for an account whose deployments need a manual approval before
	// every change-set execution.
	Production bool `yaml:"production,omitempty"`
	// The regions the estate may deploy to in this account.
	Regions []string `yaml:"regions" jsonschema:"minItems=1"`
	// The IAM role the pipelines assume in this account
	// (default gitops-deploy).
	DeployRoleName string `yaml:"deployRoleName,omitempty" jsonschema:"pattern=^[A-Za-z0-9+=,.@_-]{1,64}$"`
	// Key-value tags applied to every resource deployed into the account.
	Tags map[string]string `yaml:"tags,omitempty"`
	// The stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
	// The service quotas AWS has raised for this account, by region.
	// Validate checks the estate against these instead of AWS's defaults
	// and trusts what is declared (request the increase first).
	Quotas []Quota `yaml:"quotas,omitempty"`
}

// Quota holds the raised service quotas of one region of an account; a
// quota left out keeps AWS's default.
type Quota struct {
	// The region the raised quotas apply to.
	Region string `yaml:"region"`
	// Routes per VPC route table (default 50).
	RoutesPerRouteTable int `yaml:"routesPerRouteTable,omitempty" jsonschema:"minimum=1,maximum=1000"`
	// VPCs per region (default 5).
	VPCsPerRegion int `yaml:"vpcsPerRegion,omitempty" jsonschema:"minimum=1"`
	// Interface VPC endpoints per VPC (default 50).
	InterfaceEndpointsPerVPC int `yaml:"interfaceEndpointsPerVpc,omitempty" jsonschema:"minimum=1"`
	// Attachments per transit gateway (default 5,000).
	AttachmentsPerTransitGateway int `yaml:"attachmentsPerTransitGateway,omitempty" jsonschema:"minimum=1"`
	// Static and propagated routes per transit gateway (default 10,000).
	RoutesPerTransitGateway int `yaml:"routesPerTransitGateway,omitempty" jsonschema:"minimum=1"`
	// Elastic IP addresses per region (default 5); each NAT gateway takes one.
	ElasticIPsPerRegion int `yaml:"elasticIpsPerRegion,omitempty" jsonschema:"minimum=1"`
	// Inbound rules per security group (default 60).
	InboundRulesPerSecurityGroup int `yaml:"inboundRulesPerSecurityGroup,omitempty" jsonschema:"minimum=1,maximum=1000"`
	// Route tables per transit gateway (default 20).
	RouteTablesPerTransitGateway int `yaml:"routeTablesPerTransitGateway,omitempty" jsonschema:"minimum=1"`
	// Transit gateways per account in the region (default 5).
	TransitGatewaysPerRegion int `yaml:"transitGatewaysPerRegion,omitempty" jsonschema:"minimum=1"`
	// AWS RAM principals per resource share (default 5,000): a gateway's
	// share names each shareWith account, or its organization once.
	RAMPrincipalsPerShare int `yaml:"ramPrincipalsPerShare,omitempty" jsonschema:"minimum=1"`
	// AWS RAM principal associations across the account's resource shares
	// in the region (default 25,000).
	RAMPrincipalsPerRegion int `yaml:"ramPrincipalsPerRegion,omitempty" jsonschema:"minimum=1"`
	// VPCs associated with one private hosted zone (default 300); declare
	// it in the region of the GitLab whose private zone it is.
	VPCsPerPrivateHostedZone int `yaml:"vpcsPerPrivateHostedZone,omitempty" jsonschema:"minimum=1"`
}

// Quota returns the raised quotas of a region, or the zero Quota.
func (a *Account) Quota(region string) Quota {
	for _, q := range a.Quotas {
		if q.Region == region {
			return q
		}
	}
	return Quota{Region: region}
}

// DefaultDeployRoleName is the deploy role's name when an account sets none.
const DefaultDeployRoleName = "gitops-deploy"

// DeployRole returns the name of the role pipelines assume in the account.
func (a *Account) DeployRole() string {
	if a.DeployRoleName == "" {
		return DefaultDeployRoleName
	}
	return a.DeployRoleName
}
