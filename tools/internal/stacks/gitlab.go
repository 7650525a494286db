package stacks

import (
	"gitops/tools/internal/estate"
)

// GitLabSpec is the GitLab service stack: the declared service with its
// defaults resolved and its network wired in through parameters.
type GitLabSpec struct {
	// GitLab is the declared service; options below override its defaults.
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
	// Resolved defaults.
	ImageRepository  string `json:"imageRepository"`
	ALBScheme        string `json:"albScheme"`
	ThroughputMode   string `json:"throughputMode"`
	LogRetentionDays int    `json:"logRetentionDays"`
	ECSExec          bool   `json:"ecsExec"`
	Backup           bool   `json:"backup"`
}

// GitLab defaults for options the model leaves optional.
const (
	DefaultALBScheme      = "internal"
	DefaultThroughputMode = "elastic"
)

func (p *planner) planGitLabs() {
	for _, g := range p.e.GitLabs {
		if p.ix.GitLabs[g.Name] != g {
			continue
		}
		s := p.newStack(KindGitLab, g.Account, g.Region, "gitlab-"+g.Name)
		if s == nil {
			continue
		}
		spec := &GitLabSpec{
			GitLab:           *g,
			ID:               Pascal(g.Name),
			ImageRepository:  g.Image.RepositoryName(),
			ALBScheme:        g.ALB.Scheme,
			ThroughputMode:   g.EFS.ThroughputMode,
			LogRetentionDays: g.LogRetentionDays,
			ECSExec:          g.ECSExecEnabled(),
			Backup:           g.EFS.BackupEnabled(),
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
			continue
		}
		if ref := p.ix.VPCs[g.Network.VPC]; ref.Network.Account != g.Account || ref.Network.Region != g.Region {
			p.errorf("GitLab %s: VPC %s is in %s/%s, not in %s/%s", g.Name, vpc.Name, ref.Network.Account, ref.Network.Region, g.Account, g.Region)
			continue
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
			p.errorf("GitLab %s: HTTPS for %s needs certificateArn or a public hostedZone to validate a certificate in", g.Name, g.ALB.Domain)
		}
		s.GitLab = spec
	}
}
