package validate

import (
	"fmt"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// checkSharing checks the quotas of the gateways an account owns in a
// region: how many it may own, and the principals their RAM shares name
// (one share per gateway: each shareWith account, or the organization).
func (c *checker) checkSharing() {
	gateways, principals := map[string]int{}, map[string]int{}
	for _, t := range c.e.TransitGateways {
		a := c.ix.Accounts[t.Account]
		if a == nil || c.ix.TransitGateways[t.Name] != t {
			continue
		}
		q, key := a.Quota(t.Region), t.Account+"/"+t.Region
		gateways[key]++
		if limit := quotaOr(q.TransitGatewaysPerRegion, defaultTransitGatewaysPerRegion); gateways[key] == limit+1 {
			c.report(diag.Errorf(t.Pos("name"), "quota-tgw-per-region", "gateway %s is the %d. transit gateway of account %s in %s; the quota is %d",
				t.Name, gateways[key], t.Account, t.Region, limit).
				WithHint("attach more VPCs to the gateways there are, or request more transit gateways per account and declare transitGatewaysPerRegion under quotas: in %s", a.File))
		}
		shared := sharedPrincipals(t)
		if len(shared) == 0 {
			continue
		}
		before := principals[key]
		principals[key] += len(shared)
		limit := quotaOr(q.RAMSharedPrincipals, defaultRAMSharedPrincipals)
		if before > limit || principals[key] <= limit {
			continue
		}
		// The first principal beyond the quota.
		at := "organization"
		if t.Organization == "" {
			at = fmt.Sprintf("shareWith[%d]", shared[limit-before])
		}
		c.report(diag.Errorf(t.Pos(at), "quota-ram-principals", "the RAM shares of account %s in %s would name %d principals with gateway %s; the quota is %d",
			t.Account, t.Region, principals[key], t.Name, limit).
			WithHint("share with the organization (organization: its ARN) instead of listing accounts, or request more shared principals in AWS RAM and declare ramSharedPrincipals under quotas: in %s", a.File))
	}
}

// sharedPrincipals returns the index in shareWith of each principal the
// gateway's RAM share names (the owner and repeats are not shared with),
// or the single principal of an organization.
func sharedPrincipals(t *estate.TransitGateway) []int {
	if len(t.ShareWith) == 0 {
		return nil
	}
	if t.Organization != "" {
		return []int{0}
	}
	var out []int
	seen := map[string]bool{t.Account: true}
	for k, name := range t.ShareWith {
		if !seen[name] {
			seen[name] = true
			out = append(out, k)
		}
	}
	return out
}

// checkPrivateZoneVPCs counts the VPCs each GitLab private hosted zone is
// associated with (those of GitLab's account and region and every VPC the
// intents let reach GitLab) against Route 53's quota.
func (c *checker) checkPrivateZoneVPCs(plan *stacks.Plan) {
	for _, s := range plan.Stacks {
		if s.GitLab == nil || s.AssociateZone == nil {
			continue
		}
		g, a := c.ix.GitLabs[s.GitLab.Name], c.ix.Accounts[s.Account]
		if g == nil || a == nil {
			continue
		}
		n := len(s.AssociateZone.VPCs)
		if limit := quotaOr(a.Quota(s.Region).VPCsPerPrivateHostedZone, defaultVPCsPerPrivateHostedZone); n > limit {
			c.report(diag.Errorf(g.Pos("alb.domain"), "quota-private-zone-vpcs",
				"GitLab %s's private hosted zone %s would be associated with %d VPCs (its account's in %s and every VPC the intents let reach it); the quota is %d",
				g.Name, g.ALB.Domain, n, s.Region, limit).
				WithHint("let fewer VPCs reach GitLab, or request more VPCs per private hosted zone from Route 53 and declare vpcsPerPrivateHostedZone under quotas: in %s (region %s)", a.File, s.Region))
		}
	}
}
