package estate

// GitLab is the self-hosted GitLab CE service (kind: GitLab): ECS on Fargate
// in private subnets, data on EFS, behind an ALB.
type GitLab struct {
	Doc `yaml:"-"`
	// Always GitLab.
	Kind string `yaml:"kind" jsonschema:"enum=GitLab"`
	// Unique across the estate; mirrors refer to it.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,30}$"`
	// The account GitLab runs in (normally the tooling account).
	Account string `yaml:"account"`
	// The region GitLab runs in.
	Region string `yaml:"region"`
	// Where the tasks run: a VPC and its private subnet tier.
	Network GitLabNetwork `yaml:"network"`
	// The GitLab CE container image.
	Image GitLabImage `yaml:"image"`
	// The CPU units of the Fargate task (2048 = 2 vCPU).
	CPU int `yaml:"cpu" jsonschema:"enum=1024,enum=2048,enum=4096,enum=8192,enum=16384"`
	// The memory of the Fargate task in MiB; GitLab needs at least 6144.
	Memory int `yaml:"memory" jsonschema:"minimum=6144"`
	// Enables `aws ecs execute-command` into the task (default true).
	ECSExec *bool `yaml:"ecsExec,omitempty"`
	// Holds /var/opt/gitlab, /var/log/gitlab and /etc/gitlab.
	EFS GitLabEFS `yaml:"efs,omitempty"`
	// The embedded PostgreSQL or an Aurora PostgreSQL cluster.
	Database GitLabDatabase `yaml:"database"`
	// How GitLab sends mail.
	SMTP GitLabSMTP `yaml:"smtp"`
	// The application load balancer in front of the service.
	ALB GitLabALB `yaml:"alb"`
	// The email of GitLab's root user.
	RootEmail string `yaml:"rootEmail" jsonschema:"format=email"`
	// Days the CloudWatch log group keeps GitLab's logs (default 365).
	LogRetentionDays int `yaml:"logRetentionDays,omitempty" jsonschema:"enum=1,enum=3,enum=5,enum=7,enum=14,enum=30,enum=60,enum=90,enum=120,enum=150,enum=180,enum=365,enum=400,enum=545,enum=731,enum=1096,enum=1827,enum=2192,enum=2557,enum=2922,enum=3288,enum=3653"`
	// Holds extra gitlab.rb settings, key as in gitlab.rb
	// (gitlab_rails['time_zone']) and a string, number or boolean value. Keys
	// gitops sets itself (external_url, nginx, database, SMTP) are refused.
	GitLabRb map[string]RubyValue `yaml:"gitlabRb,omitempty"`
	// The stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
}

// ECSExecEnabled reports whether ECS Exec is on (the default).
func (g *GitLab) ECSExecEnabled() bool { return g.ECSExec == nil || *g.ECSExec }

// GitLabNetwork places GitLab's tasks.
type GitLabNetwork struct {
	// The name of GitLab's VPC.
	VPC string `yaml:"vpc"`
	// The private subnet tier the tasks run in.
	Subnets string `yaml:"subnets"`
}

// GitLabImage is the container image at a pinned tag.
type GitLabImage struct {
	// The repository on Docker Hub (default gitlab/gitlab-ce).
	Repository string `yaml:"repository,omitempty"`
	// The image tag, pinned, e.g. 17.5.1-ce.0; never latest.
	Tag string `yaml:"tag"`
	// Where the tasks pull the image from: ecrCopy (copied into a private ECR repository) or
	// pullThroughCache (an ECR pull-through cache rule).
	Source string `yaml:"source" jsonschema:"enum=ecrCopy,enum=pullThroughCache"`
}

// DefaultGitLabRepository is the image repository when none is set.
const DefaultGitLabRepository = "gitlab/gitlab-ce"

// RepositoryName returns the image repository, defaulted.
func (i GitLabImage) RepositoryName() string {
	if i.Repository == "" {
		return DefaultGitLabRepository
	}
	return i.Repository
}

// GitLabEFS configures the file system holding GitLab's data.
type GitLabEFS struct {
	// Enables AWS Backup for the file system (default true).
	Backup *bool `yaml:"backup,omitempty"`
	// Another region the file system is replicated to.
	ReplicationRegion string `yaml:"replicationRegion,omitempty"`
	// The throughput mode: elastic (default) or bursting.
	ThroughputMode string `yaml:"throughputMode,omitempty" jsonschema:"enum=elastic,enum=bursting"`
}

// BackupEnabled reports whether AWS Backup covers the file system (the default).
func (e GitLabEFS) BackupEnabled() bool { return e.Backup == nil || *e.Backup }

// GitLabDatabase is GitLab's PostgreSQL.
type GitLabDatabase struct {
	// The database: embedded (inside the container, on EFS) or aurora (Aurora PostgreSQL).
	Type string `yaml:"type" jsonschema:"enum=embedded,enum=aurora"`
	// The engine version of Aurora PostgreSQL, e.g. "16.4".
	EngineVersion string `yaml:"engineVersion,omitempty"`
	// The instance class of the Aurora writer, e.g. db.r6g.large.
	InstanceClass string `yaml:"instanceClass,omitempty"`
	// The subnet tier of the database (default: GitLab's subnets).
	Subnets string `yaml:"subnets,omitempty"`
}

// GitLabSMTP is GitLab's outgoing mail.
type GitLabSMTP struct {
	// How GitLab sends mail: none or ses.
	Type string `yaml:"type" jsonschema:"enum=none,enum=ses"`
	// The SES identity GitLab sends from.
	Domain string `yaml:"domain,omitempty"`
	// GitLab's sender address, in the SES domain.
	FromAddress string `yaml:"fromAddress,omitempty" jsonschema:"format=email"`
}

// GitLabALB is the load balancer in front of GitLab.
type GitLabALB struct {
	// The load balancer's scheme: internal (default) or internet-facing.
	Scheme string `yaml:"scheme,omitempty" jsonschema:"enum=internal,enum=internet-facing"`
	// The subnet tier of the load balancer (public for internet-facing).
	Subnets string `yaml:"subnets"`
	// GitLab's host name; with it the ALB serves HTTPS.
	Domain string `yaml:"domain,omitempty"`
	// The Route 53 zone the domain's record goes in.
	HostedZone *HostedZone `yaml:"hostedZone,omitempty"`
	// An existing ACM certificate; without it a certificate
	// is requested and validated through the hosted zone (public zones only).
	CertificateARN string `yaml:"certificateArn,omitempty" jsonschema:"pattern=^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$"`
	// The CIDR blocks that may reach the listener, besides the VPCs the
	// transit gateways' allow intents lead here (compile adds those itself):
	// give only sources outside the intents, such as an on-premises range.
	AllowedCIDRs []string `yaml:"allowedCidrs,omitempty"`
}

// HTTPS reports whether the ALB serves HTTPS.
func (a GitLabALB) HTTPS() bool { return a.Domain != "" }

// IsInternetFacing reports whether the ALB is reachable from the internet.
func (a GitLabALB) IsInternetFacing() bool { return a.Scheme == "internet-facing" }

// HostedZone is a Route 53 hosted zone.
type HostedZone struct {
	// The ID of the zone, e.g. Z0123456789ABCDEFGHIJ.
	ID string `yaml:"id" jsonschema:"pattern=^Z[A-Z0-9]{1,31}$"`
	// The name of the zone, e.g. example.internal.
	Name string `yaml:"name"`
	// True for a private zone; private zones cannot validate ACM
	// certificates: give certificateArn.
	Private bool `yaml:"private,omitempty"`
}
