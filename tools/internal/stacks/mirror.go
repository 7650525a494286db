package stacks

import (
	"slices"

	"gitops/tools/internal/estate"
)

// The mirrors of an account and region share one stack: the CodeCommit
// repositories GitLab pushes into and their push users, and the
// CodeConnections host of each GitLab (one host serves every connection to
// it) with the connections. What CloudFormation cannot do — the users' Git
// credentials and GitLab's push mirror settings — gitops mirrors sync does.

// MirrorsSpec is the mirrors stack of one account and region.
type MirrorsSpec struct {
	CodeCommit  []CodeCommitMirror `json:"codeCommit,omitempty"`
	Hosts       []ConnectionHost   `json:"hosts,omitempty"`
	Connections []ConnectionMirror `json:"connections,omitempty"`
}

// CodeCommitMirror is a repository and the IAM user that may push to it.
type CodeCommitMirror struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// Project is the GitLab project, for descriptions.
	Project    string `json:"project"`
	Repository string `json:"repository"`
	// UserName is MirrorUserName; SecretName the secret sync writes.
	UserName   string `json:"userName"`
	SecretName string `json:"secretName"`
}

// ConnectionHost is the CodeConnections host of a self-managed GitLab.
type ConnectionHost struct {
	GitLab string `json:"gitlab"`
	ID     string `json:"id"`
	// Name of the host (at most 64 characters).
	Name string `json:"name"`
	// Endpoint is GitLab's HTTPS URL.
	Endpoint string `json:"endpoint"`
	// VPC places the host's interfaces in GitLab's VPC when its load
	// balancer is internal; nil for an internet-facing one.
	VPC *HostVPC `json:"vpc,omitempty"`
}

// HostVPC is where a host's interfaces live and how they reach the ALB.
type HostVPC struct {
	VPCParam     string `json:"vpcParam"`
	SubnetsParam string `json:"subnetsParam"`
	CIDR         string `json:"cidr"`
	// LoadBalancerSecurityGroupParam holds the ALB's security group, which
	// gets a rule letting the host in on 443.
	LoadBalancerSecurityGroupParam string `json:"loadBalancerSecurityGroupParam"`
}

// ConnectionMirror is a CodeConnections connection through a host.
type ConnectionMirror struct {
	Name       string `json:"name"`
	ID         string `json:"id"`
	Connection string `json:"connection"`
	// HostID is the ID of the host in the same stack.
	HostID string `json:"hostId"`
}

const mirrorsStackName = "mirrors"

// maxIAMName is the longest IAM user or role name.
const maxIAMName = 64

func (p *planner) planMirrors() {
	for _, m := range p.e.Mirrors {
		if p.ix.Mirrors[m.Name] != m {
			continue
		}
		s := p.mirrorsStack(m.Account, m.Region)
		if s == nil {
			s = p.newStack(KindMirrors, m.Account, m.Region, mirrorsStackName)
			if s == nil {
				continue
			}
			s.Mirrors = &MirrorsSpec{}
		}
		switch {
		case m.CodeCommit != nil:
			p.planCodeCommitMirror(s, m)
		case m.CodeConnections != nil:
			p.planConnectionMirror(s, m)
		}
	}
}

// mirrorsStack returns the mirrors stack of an account and region, or nil.
func (p *planner) mirrorsStack(account, region string) *Stack {
	return p.stacks[StackID(account, region, mirrorsStackName)]
}

func (p *planner) planCodeCommitMirror(s *Stack, m *estate.Mirror) {
	user := MirrorUserName(m.Name)
	if len(user) > maxIAMName {
		p.errorf("mirror %s: IAM user name %s is longer than %d characters; shorten the mirror's name", m.Name, user, maxIAMName)
		return
	}
	s.Mirrors.CodeCommit = append(s.Mirrors.CodeCommit, CodeCommitMirror{
		Name: m.Name, ID: Pascal(m.Name), Project: m.Project, Repository: m.CodeCommit.Repository,
		UserName: user, SecretName: MirrorSecretName(m.Name),
	})
	s.Outputs = append(s.Outputs, RepositoryCloneURLOutput(m.Name))
}

func (p *planner) planConnectionMirror(s *Stack, m *estate.Mirror) {
	g := p.ix.GitLabs[m.GitLab]
	if g == nil {
		p.errorf("mirror %s: GitLab %q is not declared", m.Name, m.GitLab)
		return
	}
	if !g.ALB.HTTPS() {
		p.errorf("mirror %s: CodeConnections needs GitLab %s to serve HTTPS", m.Name, g.Name)
		return
	}
	hostID := Pascal(g.Name) + "Host"
	if !slices.ContainsFunc(s.Mirrors.Hosts, func(h ConnectionHost) bool { return h.ID == hostID }) {
		h := ConnectionHost{GitLab: g.Name, ID: hostID, Name: "gitops-" + g.Name, Endpoint: GitLabURL(g)}
		if len(h.Name) > 64 {
			h.Name = h.Name[:64]
		}
		if !g.ALB.IsInternetFacing() {
			if g.Account != m.Account || g.Region != m.Region {
				p.errorf("mirror %s: the host must reach GitLab %s's internal load balancer from its VPC in %s/%s", m.Name, g.Name, g.Account, g.Region)
				return
			}
			vpcParam, vpc := p.vpcParam(s, g.Network.VPC)
			if vpc == nil {
				return
			}
			gs := p.stacks[StackID(g.Account, g.Region, "gitlab-"+g.Name)]
			if gs == nil {
				p.errorf("mirror %s: GitLab %s has no service stack", m.Name, g.Name)
				return
			}
			h.VPC = &HostVPC{
				VPCParam:                       vpcParam,
				SubnetsParam:                   p.tierParam(s, g.Network.VPC, g.Network.Subnets),
				CIDR:                           vpc.CIDR,
				LoadBalancerSecurityGroupParam: p.addParam(s, gs, GitLabLoadBalancerSecurityGroupOutput(g.Name), "AWS::EC2::SecurityGroup::Id"),
			}
		}
		s.Mirrors.Hosts = append(s.Mirrors.Hosts, h)
	}
	s.Mirrors.Connections = append(s.Mirrors.Connections, ConnectionMirror{
		Name: m.Name, ID: Pascal(m.Name), Connection: m.CodeConnections.Connection, HostID: hostID,
	})
	s.Outputs = append(s.Outputs, ConnectionARNOutput(m.Name))
}
