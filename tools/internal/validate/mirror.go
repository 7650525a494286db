package validate

import (
	"fmt"
	"regexp"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

var (
	mirrorNamePattern     = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	projectPathPattern    = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$`)
	codeCommitRepoPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	connectionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)
)

// checkMirrors checks each mirror: its GitLab, placement, branches, and its
// one target, a CodeCommit repository or a CodeConnections connection, and
// that no repository, connection or project-to-target pair is declared twice.
func (c *checker) checkMirrors() {
	repos := map[string]*estate.Mirror{}       // account/region/repository
	connections := map[string]*estate.Mirror{} // account/region/connection
	targets := map[string]*estate.Mirror{}     // gitlab/project/account/region/kind
	for _, m := range c.e.Mirrors {
		if m.Name != "" && !mirrorNamePattern.MatchString(m.Name) {
			c.report(diag.Errorf(m.Pos("name"), "mirror-name", "mirror name %q is not a lowercase name", m.Name).
				WithHint("use lowercase letters, digits and dashes, starting with a letter"))
		}
		g, _ := lookup(c, &m.Doc, "gitlab", "ref-gitlab", "GitLab service", m.GitLab, c.ix.GitLabs)
		c.placement(&m.Doc, "account", m.Account, "region", m.Region)
		if m.Project != "" && !projectPathPattern.MatchString(m.Project) {
			c.report(diag.Errorf(m.Pos("project"), "mirror-project", "%q is not a GitLab project path", m.Project).
				WithHint("write group/project as in the project's URL, e.g. platform/webapp, without https:// or .git"))
		}
		c.checkMirrorBranches(m)

		kind := ""
		switch {
		case m.CodeCommit == nil && m.CodeConnections == nil:
			c.report(diag.Errorf(m.Pos("name"), "mirror-target", "mirror %s has no target", m.Name).
				WithHint("give codeCommit (a push mirror into a CodeCommit repository) or codeConnections (a connection to GitLab)"))
		case m.CodeCommit != nil && m.CodeConnections != nil:
			c.report(diag.Errorf(m.Pos("codeConnections"), "mirror-target", "mirror %s has both codeCommit and codeConnections", m.Name).
				WithHint("keep one: a mirror feeds a pipeline through one source"))
		case m.CodeCommit != nil:
			kind = "codeCommit"
			c.checkCodeCommitTarget(m, g, repos)
		default:
			kind = "codeConnections"
			c.checkCodeConnectionsTarget(m, g, connections)
		}

		if kind != "" && m.GitLab != "" && m.Project != "" && m.Account != "" && m.Region != "" {
			key := strings.Join([]string{m.GitLab, strings.ToLower(m.Project), m.Account, m.Region, kind}, "/")
			if first, ok := targets[key]; ok {
				c.report(diag.Errorf(m.Pos("project"), "mirror-duplicate", "project %s is already mirrored by %s to %s in account %s, region %s", m.Project, first.Name, kind, m.Account, m.Region).
					WithRelated(first.Pos("project"), "mirror %s of the project", first.Name).
					WithHint("point every pipeline of this project at mirror %s and list all its branches there", first.Name))
			} else {
				targets[key] = m
			}
		}
	}
}

func (c *checker) checkMirrorBranches(m *estate.Mirror) {
	if m.Has("branches") && len(m.Branches) == 0 {
		c.report(diag.Errorf(m.Pos("branches"), "mirror-branches", "mirror %s lists no branch", m.Name).
			WithHint("list the protected branches pipelines build from, e.g. [main]"))
	}
	seen := map[string]int{}
	for i, b := range m.Branches {
		path := fmt.Sprintf("branches[%d]", i)
		if why := badBranchName(b); why != "" {
			c.report(diag.Errorf(m.Pos(path), "mirror-branch", "%q is not a valid branch name: %s", b, why).
				WithHint("git branch names have no spaces, ~ ^ : ? * [ \\, no .. or //, and do not end in / . or .lock"))
			continue
		}
		// A full ref would name a branch called refs/heads/main, which
		// nobody pushes, so the pipeline would never start.
		if strings.HasPrefix(b, "refs/") {
			short := strings.TrimPrefix(strings.TrimPrefix(b, "refs/"), "heads/")
			c.report(diag.Errorf(m.Pos(path), "mirror-branch", "%q is a full ref, not a branch name", b).
				WithHint("write the branch's short name: %s", short))
			continue
		}
		if first, ok := seen[b]; ok {
			c.report(diag.Errorf(m.Pos(path), "mirror-branch-duplicate", "branch %s is listed twice", b).
				WithHint("already listed as branches[%d]; list each branch once", first))
			continue
		}
		seen[b] = i
	}
}

// badBranchName says why name is not a valid git branch name (the rules of
// git check-ref-format --branch), or returns "".
func badBranchName(name string) string {
	switch {
	case name == "":
		return "it is empty"
	case name == "@" || name == "HEAD":
		return "git reserves it"
	case strings.HasPrefix(name, "-"):
		return "it starts with -"
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//"):
		return "it has an empty path component"
	case strings.HasSuffix(name, "."):
		return "it ends with ."
	case strings.Contains(name, ".."):
		return "it contains .."
	case strings.Contains(name, "@{"):
		return "it contains @{"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return fmt.Sprintf("it contains %q", r)
		}
	}
	for part := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(part, ".") {
			return "a component starts with ."
		}
		if strings.HasSuffix(part, ".lock") {
			return "a component ends with .lock"
		}
	}
	return ""
}

func (c *checker) checkCodeCommitTarget(m *estate.Mirror, g *estate.GitLab, repos map[string]*estate.Mirror) {
	repo := m.CodeCommit.Repository
	if repo != "" && !codeCommitRepoPattern.MatchString(repo) {
		c.report(diag.Errorf(m.Pos("codeCommit.repository"), "mirror-repository", "%q is not a CodeCommit repository name", repo).
			WithHint("use up to 100 letters, digits, _ . and -"))
	} else if repo != "" && m.Account != "" && m.Region != "" {
		key := m.Account + "/" + m.Region + "/" + strings.ToLower(repo)
		if first, ok := repos[key]; ok {
			c.report(diag.Errorf(m.Pos("codeCommit.repository"), "mirror-repository-duplicate", "CodeCommit repository %s is already the target of mirror %s in account %s, region %s", repo, first.Name, m.Account, m.Region).
				WithRelated(first.Pos("codeCommit.repository"), "the repository of mirror %s", first.Name).
				WithHint("give each mirror its own repository"))
		} else {
			repos[key] = m
		}
	}
	// GitLab pushes the mirror itself; without a way out of its VPC it
	// reaches CodeCommit only through an endpoint, and only in its region.
	vpc, tier, ok := c.gitlabNetwork(g)
	if !ok || !gitlabNeedsEndpoints(vpc.VPC, tier) {
		return
	}
	if m.Region != g.Region {
		c.report(diag.Errorf(m.Pos("region"), "mirror-codecommit-unreachable", "GitLab %s has no internet access, so it cannot push to CodeCommit in %s", g.Name, m.Region).
			WithHint("put the repository in %s, where a git-codecommit endpoint in VPC %s can reach it", g.Region, vpc.VPC.Name))
		return
	}
	c.requireEndpoint(vpc, "mirror-endpoint-missing", "git-codecommit", "interface",
		fmt.Sprintf("GitLab %s has no way out of VPC %s, so it needs the git-codecommit interface endpoint to push mirror %s", g.Name, vpc.VPC.Name, m.Name))
}

// gitlabNetwork resolves a GitLab's VPC and task subnet tier when both are
// valid (the GitLab checks report them otherwise).
func (c *checker) gitlabNetwork(g *estate.GitLab) (estate.VPCRef, *estate.SubnetTier, bool) {
	if g == nil {
		return estate.VPCRef{}, nil, false
	}
	vpc, ok := c.ix.VPCs[g.Network.VPC]
	if !ok || vpc.Network.Account != g.Account || vpc.Network.Region != g.Region {
		return estate.VPCRef{}, nil, false
	}
	tier := vpc.VPC.Tier(g.Network.Subnets)
	return vpc, tier, tier != nil
}

func (c *checker) checkCodeConnectionsTarget(m *estate.Mirror, g *estate.GitLab, connections map[string]*estate.Mirror) {
	name := m.CodeConnections.Connection
	if name != "" && !connectionNamePattern.MatchString(name) {
		c.report(diag.Errorf(m.Pos("codeConnections.connection"), "mirror-connection", "%q is not a connection name", name).
			WithHint("use up to 32 letters, digits, _ . and -"))
	} else if name != "" && m.Account != "" && m.Region != "" {
		key := m.Account + "/" + m.Region + "/" + name
		if first, ok := connections[key]; ok {
			c.report(diag.Errorf(m.Pos("codeConnections.connection"), "mirror-connection-duplicate", "connection %s is already declared by mirror %s in account %s, region %s", name, first.Name, m.Account, m.Region).
				WithRelated(first.Pos("codeConnections.connection"), "the connection of mirror %s", first.Name).
				WithHint("give each mirror its own connection name"))
		} else {
			connections[key] = m
		}
	}
	if m.Region != "" && estate.KnownRegion(m.Region) && !estate.CodeConnectionsRegion(m.Region) {
		c.report(diag.Errorf(m.Pos("region"), "mirror-connections-region", "CodeConnections cannot reach a self-managed GitLab in %s", m.Region).
			WithHint("use codeCommit in %s, or put the mirror in a region that offers GitLab self-managed connections", m.Region))
	}
	if g == nil {
		return
	}
	if !g.ALB.HTTPS() {
		c.report(diag.Errorf(m.Pos("codeConnections"), "mirror-connections-https", "CodeConnections needs HTTPS, but GitLab %s's load balancer serves plain HTTP", g.Name).
			WithHint("give GitLab %s alb.domain and alb.hostedZone (in %s), or use codeCommit", g.Name, g.File))
	}
	// The connection's host reaches an internal load balancer through the
	// GitLab VPC, and a host's VPC must be in the host's account and region.
	if !g.ALB.IsInternetFacing() && m.Account != "" && m.Region != "" && (m.Account != g.Account || m.Region != g.Region) {
		c.report(diag.Errorf(m.Pos("region"), "mirror-connections-placement", "the connection's host must reach GitLab %s through its VPC in account %s, region %s, but the mirror is in account %s, region %s",
			g.Name, g.Account, g.Region, m.Account, m.Region).
			WithHint("put the mirror in account %s, region %s", g.Account, g.Region))
	}
}
