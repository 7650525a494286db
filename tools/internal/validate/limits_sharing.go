package validate

import (
	"fmt"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// checkSharing checks the quotas of the gateways an account owns: how many
// it may own in a region, and the principals their RAM shares name (one
// share per gateway: each shareWith account, or the organization once).
func (c *checker) checkSharing() {
	gateways, principals := map[string]int{}, map[string]int{}
	invited := map[string][]string{} // owner account → gateways inviting, one per invitation
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
		// at is where the principal beyond a limit of n stands.
		at := func(n int) string {
			if t.Organization != "" {
				return "organization"
			}
			return fmt.Sprintf("shareWith[%d]", shared[n])
		}
		if limit := quotaOr(q.RAMPrincipalsPerShare, defaultRAMPrincipalsPerShare); len(shared) > limit {
			c.report(diag.Errorf(t.Pos(at(limit)), "quota-ram-principals", "the RAM share of gateway %s would name %d principals; the quota is %d",
				t.Name, len(shared), limit).
				WithHint("share with the organization (organization: its ARN) instead of listing accounts, or request more principal associations per resource share in AWS RAM and declare ramPrincipalsPerShare under quotas: in %s", a.File))
		}
		before := principals[key]
		principals[key] += len(shared)
		if limit := quotaOr(q.RAMPrincipalsPerRegion, defaultRAMPrincipalsPerRegion); before <= limit && principals[key] > limit {
			c.report(diag.Errorf(t.Pos(at(limit-before)), "quota-ram-principals-region", "the RAM shares of account %s in %s would name %d principals with gateway %s's; the quota is %d",
				t.Account, t.Region, principals[key], t.Name, limit).
				WithHint("share the gateways with the organization (organization: its ARN) instead of listing accounts, or request more principal associations across resource shares in AWS RAM and declare ramPrincipalsPerRegion under quotas: in %s", a.File))
		}
		if t.Organization == "" {
			for range shared {
				invited[t.Account] = append(invited[t.Account], t.Name)
			}
			if n := len(invited[t.Account]); n > maxRAMPendingInvitations && n-len(shared) <= maxRAMPendingInvitations {
				// A warning: accounts that accepted an earlier apply's
				// invitation are not invited again, so an estate grown a
				// few accounts at a time deploys.
				c.report(diag.Warningf(t.Pos(at(maxRAMPendingInvitations-(n-len(shared)))), "quota-ram-invitations",
					"account %s would send %d RAM invitations (gateways %s shared with accounts outside an organization); AWS RAM keeps at most %d of a sharing account's invitations pending, so applying them at once fails",
					t.Account, n, strings.Join(uniq(invited[t.Account]), ", "), maxRAMPendingInvitations).
					WithHint("share with the organization (organization: its ARN), or add at most %d accounts to shareWith per apply", maxRAMPendingInvitations))
			}
		}
	}
}

// uniq returns names without repeats, in order.
func uniq(names []string) []string {
	var out []string
	for _, n := range names {
		if len(out) == 0 || out[len(out)-1] != n {
			out = append(out, n)
		}
	}
	return out
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
