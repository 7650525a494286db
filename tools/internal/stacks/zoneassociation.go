package stacks

import (
	"slices"

	"gitops/tools/internal/estate"
)

// ZoneAssociation asks apply to give a private hosted zone the stack creates
// exactly the VPCs listed, after deploying the stack. CloudFormation
// associates the VPCs of the stack's own account and region (the template
// names them); apply associates the others, and disassociates every VPC the
// list no longer holds.
type ZoneAssociation struct {
	// ZoneOutput is the output of this stack holding the zone's id.
	ZoneOutput string `json:"zoneOutput"`
	// VPCs are every VPC the zone answers in, sorted by stack.
	VPCs []ZoneVPC `json:"vpcs"`
}

// ZoneVPC is a VPC by the network stack output holding its id.
type ZoneVPC struct {
	Account   string `json:"account"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	// Stack is the network stack's ID; Output its output holding the VPC id.
	Stack  string `json:"stack"`
	Output string `json:"output"`
}

// ByApply reports whether apply, not CloudFormation, associates the VPC
// with a zone of a stack in accountID and region.
func (v ZoneVPC) ByApply(accountID, region string) bool {
	return v.AccountID != accountID || v.Region != region
}

// CrossAccount reports whether the association needs the zone owner's
// authorization: the VPC is in another account than the zone.
func (v ZoneVPC) CrossAccount(zoneAccountID string) bool { return v.AccountID != zoneAccountID }

// planZoneAssociation records on GitLab g's stack s which VPCs its private
// zone answers in: those of s's account and region (the template associates
// them) and every VPC elsewhere the intents let reach GitLab, which apply
// associates. s depends on their network stacks, so their ids exist first.
func (p *planner) planZoneAssociation(g *estate.GitLab, s *Stack, own []string) {
	za := &ZoneAssociation{ZoneOutput: GitLabPrivateZoneOutput(g.Name), VPCs: []ZoneVPC{}}
	add := func(vpc string) {
		ns, v := p.vpcStack(vpc)
		if v == nil {
			return
		}
		zv := ZoneVPC{Account: ns.Account, AccountID: ns.AccountID, Region: ns.Region, Stack: ns.ID, Output: VPCIDOutput(vpc)}
		if !slices.Contains(za.VPCs, zv) {
			za.VPCs = append(za.VPCs, zv)
			p.dependOn(s, ns)
			if !slices.Contains(ns.Outputs, zv.Output) {
				ns.Outputs = append(ns.Outputs, zv.Output)
			}
		}
	}
	for _, param := range own {
		if src, ok := s.Param(param); ok {
			if ns := p.stacks[src.Source.Stack]; ns != nil && ns.Network != nil && len(ns.Network.VPCs) == 1 {
				add(ns.Network.VPCs[0].Name)
			}
		}
	}
	for _, ref := range estate.GitLabClients(p.e, p.ix, g) {
		add(ref.VPC.Name)
	}
	sortBy(za.VPCs, func(v ZoneVPC) string { return v.Stack })
	s.AssociateZone = za
	s.Outputs = appendNew(s.Outputs, za.ZoneOutput)
}

// ZoneGrant is what an account's deploy role may do for zone associations.
type ZoneGrant struct {
	// OwnerRegions are the regions of the VPCs this account's zones are
	// associated with by apply, sorted: apply authorizes those
	// associations, reads the zones and disassociates the VPCs they no
	// longer list.
	OwnerRegions []string `json:"ownerRegions,omitempty"`
	// VPCRegions are the regions of this account's VPCs apply associates
	// with a zone of another account or region, sorted.
	VPCRegions []string `json:"vpcRegions,omitempty"`
}

// grantZoneAssociation lets the deploy roles do what s's zone association
// needs: in the zone's account authorize, read and prune; in each VPC's
// account associate, in the VPC's region only.
func (p *planner) grantZoneAssociation(s *Stack) {
	za := s.AssociateZone
	if za == nil {
		return
	}
	owner := p.deployRoleOf(s.AccountID)
	if owner == nil {
		return
	}
	grant := func(d *DeployRoleSpec) *ZoneGrant {
		if d.PrivateZones == nil {
			d.PrivateZones = &ZoneGrant{}
		}
		return d.PrivateZones
	}
	grant(owner)
	for _, v := range za.VPCs {
		if !v.ByApply(s.AccountID, s.Region) {
			continue
		}
		g := grant(owner)
		g.OwnerRegions = appendNew(g.OwnerRegions, v.Region)
		slices.Sort(g.OwnerRegions)
		if d := p.deployRoleOf(v.AccountID); d != nil {
			g := grant(d)
			g.VPCRegions = appendNew(g.VPCRegions, v.Region)
			slices.Sort(g.VPCRegions)
		}
	}
}
