package stacks

import (
	"gitops/tools/internal/estate"
)

// A GitLab service becomes two stacks in its account and region: the image
// stack (the ECR repository the image is copied into, or the pull-through
// cache rule) and the service stack. The image has to be in the repository
// before the service's task can start, so apply copies it in between (see
// Stack.CopyImage).

// GitLabSpec is the GitLab service stack: the declared service with its
// defaults resolved and its network wired in through parameters.
type GitLabSpec struct {
	// GitLab is the declared service; the fields below resolve its defaults.
	GitLab estate.GitLab `json:"gitlab"`
	ID     string        `json:"id"`
	// VPCParam holds the VPC id; VPCCIDR is the VPC's block (for the
	// monitoring whitelist and trusted proxies).
	VPCParam string `json:"vpcParam"`
	VPCCIDR  string `json:"vpcCidr"`
	// TaskSubnetsParam, ALBSubnetsParam and DatabaseSubnetsParam hold the
	// subnet ids of each tier (the database's only with Aurora).
	TaskSubnetsParam     string `json:"taskSubnetsParam"`
	ALBSubnetsParam      string `json:"albSubnetsParam"`
	DatabaseSubnetsParam string `json:"databaseSubnetsParam,omitempty"`
	// TaskZones is the number of zones of the task tier: one EFS mount
	// target each.
	TaskZones int `json:"taskZones"`
	// ImageParam holds the image repository's URI; the tag is appended.
	ImageParam string `json:"imageParam"`
	// ImageRepositoryARN is the repository resource the task may pull
	// from: one repository, or a pull-through cache prefix (…/*).
	ImageRepositoryARN string `json:"imageRepositoryArn"`
	// Resolved defaults.
	ALBScheme        string `json:"albScheme"`
	ThroughputMode   string `json:"throughputMode"`
	LogRetentionDays int    `json:"logRetentionDays"`
	ECSExec          bool   `json:"ecsExec"`
	Backup           bool   `json:"backup"`
}

// GitLabImageSpec is the stack holding GitLab's image.
type GitLabImageSpec struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// Source is ecrCopy or pullThroughCache.
	Source string `json:"source"`
	// Repository is the ECR repository (ecrCopy) or the pull-through
	// cache's repository prefix (pullThroughCache).
	Repository string `json:"repository"`
	// Upstream is the Docker Hub repository, e.g. gitlab/gitlab-ce.
	Upstream string `json:"upstream"`
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
	img := &GitLabImageSpec{Name: g.Name, ID: Pascal(g.Name), Source: g.Image.Source, Upstream: upstream}
	// Repositories live under gitops-<name>/ so that two GitLab services
	// in one account never share one.
	repoARN := "repository/"
	switch g.Image.Source {
	case "pullThroughCache":
		img.Repository = "gitops-" + g.Name
		repoARN += img.Repository + "/*"
	default:
		img.Repository = "gitops-" + g.Name + "/" + upstream
		repoARN += img.Repository
		image.CopyImage = &ImageCopy{From: "docker.io/" + upstream + ":" + g.Image.Tag, RepositoryOutput: ImageRepositoryOutput(g.Name), Tag: g.Image.Tag}
	}
	image.GitLabImage = img

	spec := &GitLabSpec{
		GitLab:             *g,
		ID:                 Pascal(g.Name),
		ImageParam:         p.addParam(s, image, ImageRepositoryOutput(g.Name), "String"),
		ImageRepositoryARN: repoARN,
		ALBScheme:          g.ALB.Scheme,
		ThroughputMode:     g.EFS.ThroughputMode,
		LogRetentionDays:   g.LogRetentionDays,
		ECSExec:            g.ECSExecEnabled(),
		Backup:             g.EFS.BackupEnabled(),
	}
	// The load balancer admits what the intents allow, besides allowedCidrs.
	spec.GitLab.ALB.AllowedCIDRs = estate.GitLabIngress(p.e, p.ix, g)
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
	spec.VPCCIDR = vpc.CIDR
	spec.TaskSubnetsParam = p.tierParam(s, vpc.Name, g.Network.Subnets)
	spec.TaskZones = len(vpc.TierSubnets(g.Network.Subnets))
	spec.ALBSubnetsParam = p.tierParam(s, vpc.Name, g.ALB.Subnets)
	if g.Database.Type == "aurora" {
		tier := g.Database.Subnets
		if tier == "" {
			tier = g.Network.Subnets
		}
		spec.DatabaseSubnetsParam = p.tierParam(s, vpc.Name, tier)
	}
	if g.ALB.HTTPS() && g.ALB.CertificateARN == "" && (g.ALB.HostedZone == nil || g.ALB.HostedZone.Private) {
		p.errorf("GitLab %s: HTTPS for %s needs certificateArn, or a public hostedZone to validate a certificate in", g.Name, g.ALB.Domain)
	}
	s.GitLab = spec
	s.Outputs = append(s.Outputs, GitLabURLOutput(g.Name), GitLabRootPasswordOutput(g.Name))
}
