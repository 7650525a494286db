// Package validate runs every check over the whole estate and collects the
// findings: the second stage of gitops, after load. It needs no AWS
// credentials, no network and no CDK.
package validate

import (
	"maps"
	"slices"
	"sync"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// Estate runs all checks over e and returns their findings.
func Estate(e *estate.Estate) *diag.List {
	diags, _ := EstatePlan(e)
	return diags
}

// EstatePlan is Estate that also returns the plan the limit checks made
// (as stacks.Build returns it), so compile need not plan twice; the plan
// is nil when the estate has errors.
func EstatePlan(e *estate.Estate) (*diag.List, *stacks.Plan) {
	c := &checker{e: e, ix: estate.NewIndex(e), diags: &diag.List{}}
	checks := []func(){
		c.checkNames,
		c.checkAccounts,
		c.checkNetworks,
		c.checkTransitGateways,
		c.checkGitLabs,
		c.checkMirrors,
		c.checkImageRecipes,
		c.checkComponents,
		c.checkPipelines,
		c.checkAllowReplace,
		c.checkReach,
		c.checkNameLengths,
		c.checkQuotas,
	}
	// Checks only read the estate and the list is safe for concurrent use,
	// so they run side by side.
	var wg sync.WaitGroup
	for _, check := range checks {
		wg.Go(check)
	}
	wg.Wait()
	// The planner assumes a valid estate, so the limits of what it plans
	// are checked last, and only on one.
	if !c.diags.HasErrors() {
		c.checkPlanLimits()
	}
	if c.diags.HasErrors() {
		return c.diags, nil
	}
	return c.diags, c.plan
}

// checker carries what every check needs.
type checker struct {
	e     *estate.Estate
	ix    *estate.Index
	diags *diag.List
	// plan is what checkPlanLimits planned.
	plan *stacks.Plan
}

func (c *checker) report(d diag.Diagnostic) { c.diags.Add(d) }

// lookup resolves a reference by name in m. An empty name is left to the
// loader's required-key check. A miss is reported under rule with a
// did-you-mean hint.
func lookup[V any](c *checker, doc *estate.Doc, path, rule, what, name string, m map[string]V) (V, bool) {
	v, ok := m[name]
	if ok || name == "" {
		return v, ok
	}
	d := diag.Errorf(doc.Pos(path), rule, "%s %q is not declared", what, name)
	names := slices.Sorted(maps.Keys(m))
	if h := diag.DidYouMean(name, names); h != "" {
		d = d.WithHint("%s", h)
	} else if len(names) > 0 && len(names) <= 12 {
		d = d.WithHint("declared: %s", joinQuoted(names))
	} else {
		d = d.WithHint("declare it first, or check the spelling")
	}
	c.report(d)
	return v, false
}

func (c *checker) account(doc *estate.Doc, path, name string) (*estate.Account, bool) {
	return lookup(c, doc, path, "ref-account", "account", name, c.ix.Accounts)
}

func (c *checker) vpc(doc *estate.Doc, path, name string) (estate.VPCRef, bool) {
	return lookup(c, doc, path, "ref-vpc", "VPC", name, c.ix.VPCs)
}

// placement checks that a document's account exists and the region is one of
// the account's regions.
func (c *checker) placement(doc *estate.Doc, accountPath, account, regionPath, region string) (*estate.Account, bool) {
	a, ok := c.account(doc, accountPath, account)
	if !ok {
		return nil, false
	}
	if !c.regionName(doc, regionPath, region) {
		return a, false
	}
	if region != "" && !slices.Contains(a.Regions, region) {
		c.report(diag.Errorf(doc.Pos(regionPath), "ref-region", "region %s is not one of account %s's regions", region, a.Name).
			WithHint("add %s to regions in %s, or use one of %s", region, a.File, joinQuoted(a.Regions)))
		return a, false
	}
	return a, true
}

// regionName checks that region is a known AWS region name.
func (c *checker) regionName(doc *estate.Doc, path, region string) bool {
	if region == "" || estate.KnownRegion(region) {
		return true
	}
	d := diag.Errorf(doc.Pos(path), "region-unknown", "%q is not an AWS region", region)
	if h := diag.DidYouMean(region, estate.Regions()); h != "" {
		d = d.WithHint("%s", h)
	}
	c.report(d)
	return false
}

// subnetTier checks that tier names a subnet tier of vpc.
func (c *checker) subnetTier(doc *estate.Doc, path string, vpc estate.VPCRef, tier string) (*estate.SubnetTier, bool) {
	if tier == "" {
		return nil, false
	}
	if t := vpc.VPC.Tier(tier); t != nil {
		return t, true
	}
	var names []string
	for _, t := range vpc.VPC.Subnets {
		names = append(names, t.Name)
	}
	d := diag.Errorf(doc.Pos(path), "ref-subnet", "VPC %s has no subnet tier %q", vpc.VPC.Name, tier)
	if h := diag.DidYouMean(tier, names); h != "" {
		d = d.WithHint("%s", h)
	} else if len(names) > 0 {
		d = d.WithHint("its tiers: %s", joinQuoted(names))
	} else {
		d = d.WithHint("VPC %s declares no subnet tiers: add one under its subnets:", vpc.VPC.Name)
	}
	c.report(d)
	return nil, false
}

func joinQuoted(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += `"` + n + `"`
	}
	return out
}
