package estate

import (
	"maps"
	"net/netip"
	"slices"
)

// Intents declare who may reach whom over a transit gateway (the intents:
// section of a TransitGateway document). validate proves them against the
// routing and security groups compile generates; `gitops reach` explains one
// path. GitLab's load balancer admits the VPCs the allow rules send to it.
type Intents struct {
	// Named sets of VPCs the rules refer to.
	Groups []IntentGroup `yaml:"groups,omitempty"`
	// Rules that must hold: every VPC of from reaches every destination of
	// to and hears back (the full round trip, security groups included).
	Allow []IntentRule `yaml:"allow,omitempty"`
	// Rules that must not: no packet from a VPC of from arrives in a
	// destination of to (the forward path is enough to break it).
	Deny []IntentRule `yaml:"deny,omitempty"`
}

// IntentGroup is a named set of VPCs in the gateway's region: those listed
// under vpcs, plus those of every account matching all the account
// selectors given (accounts, role, tags), current and future.
type IntentGroup struct {
	// How rules refer to the group; it may not be a VPC's name.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The VPCs of the group, by name.
	VPCs []string `yaml:"vpcs,omitempty"`
	// The accounts whose VPCs belong to the group.
	Accounts []string `yaml:"accounts,omitempty"`
	// Selects the VPCs of accounts with this role.
	Role string `yaml:"role,omitempty" jsonschema:"enum=tooling,enum=workload"`
	// Selects the VPCs of accounts carrying all these tags.
	Tags map[string]string `yaml:"tags,omitempty"`
}

// IntentRule is one allow or deny rule.
type IntentRule struct {
	// The groups or VPCs the traffic starts in.
	From []string `yaml:"from" jsonschema:"minItems=1"`
	// The groups, VPCs, or GitLab services (their load balancer) it goes to.
	To []string `yaml:"to" jsonschema:"minItems=1"`
	// The TCP ports the rule is about; none means every port.
	Ports []int `yaml:"ports,omitempty" jsonschema:"minimum=1,maximum=65535"`
}

// HasAccountSelector reports whether the group selects VPCs by account.
func (g *IntentGroup) HasAccountSelector() bool {
	return len(g.Accounts) > 0 || g.Role != "" || len(g.Tags) > 0
}

// matchesAccount reports whether account a passes every account selector
// of the group.
func (g *IntentGroup) matchesAccount(a *Account) bool {
	if !g.HasAccountSelector() || a == nil {
		return false
	}
	if len(g.Accounts) > 0 && !slices.Contains(g.Accounts, a.Name) {
		return false
	}
	if g.Role != "" && g.Role != a.Role {
		return false
	}
	for k, v := range g.Tags {
		if a.Tags[k] != v {
			return false
		}
	}
	return true
}

// Group returns the group of t's intents called name, or nil.
func (t *TransitGateway) Group(name string) *IntentGroup {
	for i := range t.Intents.Groups {
		if t.Intents.Groups[i].Name == name {
			return &t.Intents.Groups[i]
		}
	}
	return nil
}

// GroupVPCs returns the VPCs of group g of gateway t, in the order of the
// estate's files, each once. Named VPCs the estate lacks are left out
// (validate reports them).
func GroupVPCs(e *Estate, ix *Index, t *TransitGateway, g *IntentGroup) []VPCRef {
	var out []VPCRef
	seen := map[string]bool{}
	add := func(ref VPCRef) {
		if !seen[ref.VPC.Name] {
			seen[ref.VPC.Name] = true
			out = append(out, ref)
		}
	}
	for _, name := range g.VPCs {
		if ref, ok := ix.VPCs[name]; ok {
			add(ref)
		}
	}
	if g.HasAccountSelector() {
		for _, n := range e.Networks {
			if n.Region != t.Region || !g.matchesAccount(ix.Accounts[n.Account]) {
				continue
			}
			for i := range n.VPCs {
				if ref := ix.VPCs[n.VPCs[i].Name]; ref.VPC == &n.VPCs[i] {
					add(ref)
				}
			}
		}
	}
	return out
}

// IntentVPCs resolves a name of a rule's from or to (GitLab services aside):
// the gateway's group of that name, else the VPC of that name.
func IntentVPCs(e *Estate, ix *Index, t *TransitGateway, name string) ([]VPCRef, bool) {
	if g := t.Group(name); g != nil {
		return GroupVPCs(e, ix, t, g), true
	}
	if ref, ok := ix.VPCs[name]; ok {
		return []VPCRef{ref}, true
	}
	return nil, false
}

// IntentGitLab returns the GitLab service a rule's to names, when the name
// is a GitLab service in the gateway's region: it stands for its load
// balancer, and wins over a VPC of the same name.
func IntentGitLab(ix *Index, t *TransitGateway, name string) *GitLab {
	if g, ok := ix.GitLabs[name]; ok && g.Region == t.Region {
		return g
	}
	return nil
}

// GitLabIngress returns the CIDRs GitLab g's load balancer admits: its
// declared allowedCidrs as written, then the VPC blocks of every allow rule
// that leads to g, sorted, each once. This is what compile generates, so
// the intents are written once.
func GitLabIngress(e *Estate, ix *Index, g *GitLab) []string {
	out := slices.Clone(g.ALB.AllowedCIDRs)
	derived := map[netip.Prefix]bool{}
	for _, ref := range GitLabClients(e, ix, g) {
		if p, err := netip.ParsePrefix(ref.VPC.CIDR); err == nil && p.Addr().Is4() {
			derived[p.Masked()] = true
		}
	}
	for _, p := range slices.SortedFunc(maps.Keys(derived), ComparePrefix) {
		if !slices.Contains(out, p.String()) {
			out = append(out, p.String())
		}
	}
	return out
}

// GitLabClients returns the VPCs the intents let reach GitLab g: the from
// side of every allow rule whose to names g, in rule order, each once.
func GitLabClients(e *Estate, ix *Index, g *GitLab) []VPCRef {
	var out []VPCRef
	for _, t := range e.TransitGateways {
		if ix.TransitGateways[t.Name] != t {
			continue
		}
		for _, r := range t.Intents.Allow {
			if !slices.ContainsFunc(r.To, func(n string) bool { return IntentGitLab(ix, t, n) == g }) {
				continue
			}
			for _, from := range r.From {
				refs, _ := IntentVPCs(e, ix, t, from)
				for _, ref := range refs {
					if !slices.ContainsFunc(out, func(o VPCRef) bool { return o.VPC == ref.VPC }) {
						out = append(out, ref)
					}
				}
			}
		}
	}
	return out
}

// ComparePrefix orders prefixes by address, then length.
func ComparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}
