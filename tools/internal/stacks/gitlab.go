package stacks

import (
	"slices"
	"strings"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/gitlabrb"
)

// A GitLab service becomes two stacks in its account and region: the image
// stack (the ECR repository the image is copied into, or the pull-through
// cache rule) and the service stack. The image has to be in the repository
// before the service's task can start, so apply copies it in between (see
// Stack.CopyImage).

// GitLabSpec is the GitLab service stack: flat values with every default
// resolved and the network wired in through parameters; no model types,
// so the worker's job (and the template cache key) depends on what the
// template holds, not on how the YAML is laid out.
type GitLabSpec struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// VPCParam holds the VPC id.
	VPCParam string `json:"vpcParam"`
	// TaskSubnetsParam, ALBSubnetsParam and DatabaseSubnetsParam hold the
	// subnet ids of each tier (the database's only with Aurora).
	TaskSubnetsParam     string `json:"taskSubnetsParam"`
	ALBSubnetsParam      string `json:"albSubnetsParam"`
	DatabaseSubnetsParam string `json:"databaseSubnetsParam,omitempty"`
	// TaskZones is the number of zones of the task tier: one EFS mount
	// target each.
	TaskZones int `json:"taskZones"`
	// ImageParam holds the image repository's URI; ImageTag is appended.
	ImageParam string `json:"imageParam"`
	ImageTag   string `json:"imageTag"`
	// ImageRepositoryARN is the repository resource the task may pull
	// from: one repository, or a pull-through cache prefix (…/*).
	ImageRepositoryARN string `json:"imageRepositoryArn"`
	// PullThroughCache: the first pull of a tag creates the repository.
	PullThroughCache bool `json:"pullThroughCache,omitempty"`
	// CPU units and memory (MiB) of the Fargate task.
	CPU    int `json:"cpu"`
	Memory int `json:"memory"`
	// RootEmail is the email of GitLab's root user.
	RootEmail string `json:"rootEmail"`
	// Resolved defaults.
	ALBScheme         string `json:"albScheme"`
	ThroughputMode    string `json:"throughputMode"`
	LogRetentionDays  int    `json:"logRetentionDays"`
	ECSExec           bool   `json:"ecsExec"`
	Backup            bool   `json:"backup"`
	ReplicationRegion string `json:"replicationRegion,omitempty"`
	// AllowedCIDRs may reach the load balancer.
	AllowedCIDRs []string `json:"allowedCidrs"`
	// HTTPS is set when the load balancer serves a domain.
	HTTPS *GitLabHTTPS `json:"https,omitempty"`
	// Aurora is set for an external database.
	Aurora *GitLabAurora `json:"aurora,omitempty"`
	// SES is set when GitLab sends mail through SES.
	SES *GitLabSES `json:"ses,omitempty"`
	// Omnibus is what gitlab.rb is rendered from.
	Omnibus gitlabrb.Settings `json:"omnibus"`
}

// GitLabHTTPS is the load balancer's domain, certificate and records.
type GitLabHTTPS struct {
	Domain string `json:"domain"`
	// CertificateARN is the declared certificate; without it one is
	// requested and validated in ValidationZoneID.
	CertificateARN   string `json:"certificateArn,omitempty"`
	ValidationZoneID string `json:"validationZoneId,omitempty"`
	// RecordZoneID is the zone the domain's alias record goes in: the
	// declared zone for an internet-facing load balancer or a private
	// declared zone. An internal load balancer behind a public zone gets a
	// private zone of its own instead (PrivateZone), so its private
	// addresses are never published.
	RecordZoneID string `json:"recordZoneId,omitempty"`
	// PrivateZone is the private hosted zone made for the domain.
	PrivateZone *GitLabPrivateZone `json:"privateZone,omitempty"`
}

// GitLabPrivateZone is a private hosted zone for an internal load balancer.
type GitLabPrivateZone struct {
	// Name is the zone's name: GitLab's domain itself, so the zone answers
	// for GitLab only and the rest of the public zone still resolves.
	Name string `json:"name"`
	// VPCParams hold the ids of the VPCs associated with the zone: GitLab's
	// own and the others of its account and region that may reach it.
	VPCParams []string `json:"vpcParams"`
}

// GitLabAurora is the Aurora PostgreSQL cluster.
type GitLabAurora struct {
	EngineVersion string `json:"engineVersion"`
	InstanceClass string `json:"instanceClass"`
}

// GitLabSES is GitLab's SES identity and the SMTP credentials' secret.
type GitLabSES struct {
	Domain string `json:"domain"`
	// DKIMZoneID is the public zone the DKIM records go in, when it holds
	// the domain.
	DKIMZoneID string `json:"dkimZoneId,omitempty"`
	// SecretParam holds the ARN of the SMTP credentials' secret, made by
	// the image stack so it has its value before the first task starts.
	SecretParam string `json:"secretParam"`
}

// GitLabImageSpec is the stack holding what GitLab's task needs before it
// starts: its image and, with SES, the SMTP user and the secret holding its
// credentials (apply fills it between the two stacks: Stack.SMTPCredentials).
type GitLabImageSpec struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// PullThroughCache uses an ECR pull-through cache instead of a copy.
	PullThroughCache bool `json:"pullThroughCache,omitempty"`
	// Repository is the ECR repository (copy) or the pull-through cache's
	// repository prefix.
	Repository string `json:"repository"`
	// Upstream is the Docker Hub repository, e.g. gitlab/gitlab-ce.
	Upstream string `json:"upstream"`
	// SMTP is set when GitLab sends mail through SES.
	SMTP *SMTPCredentials `json:"smtp,omitempty"`
}

// SMTPCredentials names the IAM user GitLab sends mail as through SES and
// the secret holding its SMTP credentials; gitops gitlab smtp-credentials
// (and apply, after the image stack) keeps the secret current.
type SMTPCredentials struct {
	User   string `json:"user"`
	Secret string `json:"secret"`
	// Domain is the SES identity the user may send from.
	Domain string `json:"domain"`
	// Cluster and Service are GitLab's ECS service, restarted when the
	// secret changes so the task reads the new value.
	Cluster string `json:"cluster"`
	Service string `json:"service"`
}

// GitLab defaults for options the model leaves optional.
const (
	DefaultALBScheme      = "internal"
	DefaultThroughputMode = "elastic"
)

func (p *planner) planGitLabs() {
	for _, g := range p.e.GitLabs {
		if p.ix.GitLabs[g.Name] == g {
			p.planGitLab(g)
		}
	}
}

func (p *planner) planGitLab(g *estate.GitLab) {
	for key := range g.GitLabRb {
		if !estate.GitLabRbKey.MatchString(key) {
			p.errorf("GitLab %s: gitlabRb key %q is not a gitlab.rb setting such as gitlab_rails['time_zone']", g.Name, key)
		}
	}
	image := p.newStack(KindGitLabImage, g.Account, g.Region, "gitlab-"+g.Name+"-image")
	s := p.newStack(KindGitLab, g.Account, g.Region, "gitlab-"+g.Name)
	if s == nil || image == nil {
		return
	}
	upstream := g.Image.RepositoryName()
	img := &GitLabImageSpec{Name: g.Name, ID: Pascal(g.Name), PullThroughCache: g.Image.Source == "pullThroughCache", Upstream: upstream}
	// Repositories live under gitops-<name>/ so that two GitLab services
	// in one account never share one.
	repoARN := "repository/"
	if img.PullThroughCache {
		img.Repository = "gitops-" + g.Name
		repoARN += img.Repository + "/*"
	} else {
		img.Repository = "gitops-" + g.Name + "/" + upstream
		repoARN += img.Repository
		image.CopyImage = &ImageCopy{From: "docker.io/" + upstream + ":" + g.Image.Tag, RepositoryOutput: ImageRepositoryOutput(g.Name), Tag: g.Image.Tag}
	}
	image.GitLabImage = img

	spec := &GitLabSpec{
		Name:               g.Name,
		ID:                 Pascal(g.Name),
		ImageParam:         p.addParam(s, image, ImageRepositoryOutput(g.Name), "String"),
		ImageTag:           g.Image.Tag,
		ImageRepositoryARN: repoARN,
		PullThroughCache:   img.PullThroughCache,
		CPU:                g.CPU,
		Memory:             g.Memory,
		RootEmail:          g.RootEmail,
		ALBScheme:          g.ALB.Scheme,
		ThroughputMode:     g.EFS.ThroughputMode,
		LogRetentionDays:   g.LogRetentionDays,
		ECSExec:            g.ECSExecEnabled(),
		Backup:             g.EFS.BackupEnabled(),
		ReplicationRegion:  g.EFS.ReplicationRegion,
		// The load balancer admits what the intents allow, besides allowedCidrs.
		AllowedCIDRs: estate.GitLabIngress(p.e, p.ix, g),
		Omnibus: gitlabrb.Settings{
			Domain: g.ALB.Domain, Region: g.Region, Aurora: g.Database.Type == "aurora",
			Extra: gitlabrb.Literals(g.GitLabRb),
		},
	}
	if spec.ALBScheme == "" {
		spec.ALBScheme = DefaultALBScheme
	}
	if spec.ThroughputMode == "" {
		spec.ThroughputMode = DefaultThroughputMode
	}
	if spec.LogRetentionDays == 0 {
		spec.LogRetentionDays = DefaultLogRetentionDays
	}
	var vpc *NetworkVPC
	spec.VPCParam, vpc = p.vpcParam(s, g.Network.VPC)
	if vpc == nil {
		return
	}
	if ref := p.ix.VPCs[g.Network.VPC]; ref.Network.Account != g.Account || ref.Network.Region != g.Region {
		p.errorf("GitLab %s: VPC %s is in %s/%s, not in %s/%s", g.Name, vpc.Name, ref.Network.Account, ref.Network.Region, g.Account, g.Region)
		return
	}
	spec.Omnibus.VPCCIDR = vpc.CIDR
	spec.TaskSubnetsParam = p.tierParam(s, vpc.Name, g.Network.Subnets)
	spec.TaskZones = len(vpc.TierSubnets(g.Network.Subnets))
	spec.ALBSubnetsParam = p.tierParam(s, vpc.Name, g.ALB.Subnets)
	if spec.Omnibus.Aurora {
		tier := g.Database.Subnets
		if tier == "" {
			tier = g.Network.Subnets
		}
		spec.DatabaseSubnetsParam = p.tierParam(s, vpc.Name, tier)
		spec.Aurora = &GitLabAurora{EngineVersion: g.Database.EngineVersion, InstanceClass: g.Database.InstanceClass}
	}
	p.planGitLabHTTPS(g, s, spec)
	if g.SMTP.Type == "ses" {
		p.planGitLabSES(g, image, s, spec)
	}
	s.GitLab = spec
	s.Outputs = append(s.Outputs, GitLabURLOutput(g.Name), GitLabRootPasswordOutput(g.Name))
}

// planGitLabHTTPS resolves the certificate and where the domain's record
// goes. A public zone publishes only what must be public: the certificate's
// validation records, and the alias of an internet-facing load balancer.
// An internal load balancer's record goes in a private zone named after the
// domain, associated with the VPCs of GitLab's account and region by the
// template and with those elsewhere that may reach GitLab by apply.
func (p *planner) planGitLabHTTPS(g *estate.GitLab, s *Stack, spec *GitLabSpec) {
	alb := g.ALB
	if !alb.HTTPS() {
		return
	}
	h := &GitLabHTTPS{Domain: alb.Domain, CertificateARN: alb.CertificateARN}
	zone := alb.HostedZone
	if alb.CertificateARN == "" {
		if zone == nil || zone.Private {
			p.errorf("GitLab %s: HTTPS for %s needs certificateArn, or a public hostedZone to validate a certificate in", g.Name, alb.Domain)
			return
		}
		h.ValidationZoneID = zone.ID
	}
	switch {
	case zone == nil:
	case zone.Private || spec.ALBScheme != "internal":
		h.RecordZoneID = zone.ID
	default:
		own := p.gitlabZoneVPCs(g, s)
		h.PrivateZone = &GitLabPrivateZone{Name: alb.Domain, VPCParams: own}
		p.planZoneAssociation(g, s, own)
	}
	spec.HTTPS = h
}

// gitlabZoneVPCs wires in the ids of the VPCs the private zone answers in:
// every VPC of GitLab's account and region (a private zone can be
// associated in CloudFormation with VPCs of its own account only), GitLab's
// own first.
func (p *planner) gitlabZoneVPCs(g *estate.GitLab, s *Stack) []string {
	params := []string{}
	add := func(vpc string) {
		param, v := p.vpcParam(s, vpc)
		if v != nil && !slices.Contains(params, param) {
			params = append(params, param)
		}
	}
	add(g.Network.VPC)
	for _, n := range p.e.Networks {
		if n.Account != g.Account || n.Region != g.Region {
			continue
		}
		for _, v := range n.VPCs {
			add(v.Name)
		}
	}
	return params
}

// planGitLabSES makes the image stack hold the SMTP user and its secret,
// which the service stack's task reads.
func (p *planner) planGitLabSES(g *estate.GitLab, image, s *Stack, spec *GitLabSpec) {
	spec.Omnibus.SMTPDomain, spec.Omnibus.FromAddress = g.SMTP.Domain, g.SMTP.FromAddress
	image.GitLabImage.SMTP = &SMTPCredentials{
		User: GitLabSMTPUserName(g.Name), Secret: GitLabSMTPSecretName(g.Name), Domain: g.SMTP.Domain,
		Cluster: GitLabClusterName(g.Name), Service: GitLabServiceName,
	}
	image.SMTPCredentials = image.GitLabImage.SMTP
	ses := &GitLabSES{Domain: g.SMTP.Domain, SecretParam: p.addParam(s, image, GitLabSMTPSecretOutput(g.Name), "String")}
	if zone := g.ALB.HostedZone; zone != nil && !zone.Private && InZone(g.SMTP.Domain, zone.Name) {
		ses.DKIMZoneID = zone.ID
	}
	spec.SES = ses
}

// InZone reports whether domain is zone or one of its subdomains.
func InZone(domain, zone string) bool {
	domain, zone = strings.ToLower(strings.TrimSuffix(domain, ".")), strings.ToLower(strings.TrimSuffix(zone, "."))
	return domain == zone || strings.HasSuffix(domain, "."+zone)
}
