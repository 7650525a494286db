package diff

import (
	"fmt"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// addEstateFindings runs the checks that compare the estate's YAML with
// the base's: GitLab upgrades, renumbered subnets, changed VPC CIDRs and
// account ids.
func addEstateFindings(r *Result, t *tracer) {
	if t.base.Estate == nil || t.head.Estate == nil {
		return
	}
	checkGitLabUpgrades(r, t.base.Estate, t.head.Estate)
	checkNetworks(r, t.base.Estate, t.head.Estate)
	checkAccountIDs(r, t.base.Estate, t.head.Estate)
}

func checkGitLabUpgrades(r *Result, base, head *estate.Estate) {
	stops, err := loadStops()
	if err != nil {
		r.Findings = append(r.Findings, diag.Errorf(estate.Pos{File: "gitlab-upgrade-stops.json", Line: 1, Col: 1}, "diff-gitlab-upgrade", "%v", err))
		return
	}
	old := map[string]*estate.GitLab{}
	for _, g := range base.GitLabs {
		old[g.Name] = g
	}
	for _, g := range head.GitLabs {
		b := old[g.Name]
		if b == nil || b.Image.Tag == g.Image.Tag && b.Image.RepositoryName() == g.Image.RepositoryName() {
			continue
		}
		r.Findings = append(r.Findings, gitlabUpgradeFindings(stops, g, b.Image.Tag, b.Image.RepositoryName())...)
	}
}

// gitlabUpgradeFindings judges moving GitLab g from the image fromTag of
// fromRepo to what g declares now.
func gitlabUpgradeFindings(stops *upgradeStops, g *estate.GitLab, fromTag, fromRepo string) []diag.Diagnostic {
	pos := g.Pos("image.tag")
	from, ok1 := parseGitLabTag(fromTag)
	to, ok2 := parseGitLabTag(g.Image.Tag)
	if !ok1 || !ok2 {
		// validate judges the tag's form; the path cannot be checked.
		return nil
	}
	var out []diag.Diagnostic
	fromEdition, toEdition := edition(from, fromRepo), edition(to, g.Image.RepositoryName())
	if fromEdition != toEdition {
		d := diag.Warningf(pos, "diff-gitlab-edition", "GitLab %s switches edition from %s to %s (%s → %s)", g.Name, strings.ToUpper(fromEdition), strings.ToUpper(toEdition), fromTag, g.Image.Tag).
			WithHint("CE → EE at the same version is GitLab's documented path; name the switch in the merge request and change nothing else")
		if toEdition == "ce" || from.compare(to) != 0 {
			d = diag.Errorf(pos, "diff-gitlab-edition", "GitLab %s switches edition from %s to %s and changes version (%s → %s)", g.Name, strings.ToUpper(fromEdition), strings.ToUpper(toEdition), fromTag, g.Image.Tag).
				WithHint("switch the edition alone, at the running version, in a merge request of its own (going back from EE to CE needs GitLab's downgrade steps)")
			if toEdition == "ce" && from.compare(to) == 0 {
				d.Message = fmt.Sprintf("GitLab %s goes back from EE to CE (%s → %s)", g.Name, fromTag, g.Image.Tag)
				d.Hint = "follow GitLab's EE → CE downgrade steps first; the image alone does not do it"
			}
		}
		if strings.Contains(toEdition, "+") {
			d = diag.Errorf(pos, "diff-gitlab-edition", "GitLab %s image %s:%s names two editions: the repository's and the tag's", g.Name, g.Image.RepositoryName(), g.Image.Tag).
				WithHint("use gitlab/gitlab-ee with an -ee tag, or gitlab/gitlab-ce with a -ce tag")
		}
		out = append(out, d)
	}
	switch c := from.compare(to); {
	case c > 0:
		out = append(out, diag.Errorf(pos, "diff-gitlab-downgrade", "GitLab %s would downgrade from %s to %s; GitLab does not support running an older version on newer data", g.Name, fromTag, g.Image.Tag).
			WithHint("keep %s or a later version; restoring an older version needs a backup taken on it", fromTag))
	case c < 0:
		var required, conditional []string
		for _, s := range stops.skippedStops(from, to) {
			if s.OnlyFor == "" {
				required = append(required, s.Version)
			} else {
				conditional = append(conditional, s.Version+" (for "+s.OnlyFor+")")
			}
		}
		if len(required) > 0 {
			out = append(out, diag.Errorf(pos, "diff-gitlab-upgrade-stop", "GitLab %s upgrade %s → %s skips GitLab's required upgrade stops %s", g.Name, fromTag, g.Image.Tag, strings.Join(required, ", ")).
				WithHint("upgrade to %s first (the latest patch of that minor), let its background migrations finish, then continue in another merge request; stops from %s, retrieved %s", required[0], stops.Source, stops.Retrieved))
		} else if len(conditional) > 0 {
			out = append(out, diag.Warningf(pos, "diff-gitlab-upgrade-stop", "GitLab %s upgrade %s → %s passes conditional upgrade stops %s", g.Name, fromTag, g.Image.Tag, strings.Join(conditional, ", ")).
				WithHint("stop there first if the instance is one they apply to; stops from %s, retrieved %s", stops.Source, stops.Retrieved))
		}
	}
	return out
}

// edition is the tag's edition, ce or ee; "ce+ee" when the repository
// names the other one (an image that does not exist).
func edition(v gitlabVersion, repo string) string {
	for _, other := range []string{"ce", "ee"} {
		if other != v.Edition && strings.HasSuffix(repo, "gitlab-"+other) {
			return "ce+ee"
		}
	}
	return v.Edition
}

// checkNetworks names subnet renumbering and VPC CIDR changes: both make
// CloudFormation replace the subnets (or the VPC) and everything in them.
func checkNetworks(r *Result, base, head *estate.Estate) {
	type vpcAt struct {
		n *estate.Network
		i int
	}
	old := map[string]vpcAt{}
	for _, n := range base.Networks {
		for i := range n.VPCs {
			old[n.Account+"/"+n.Region+"/"+n.VPCs[i].Name] = vpcAt{n, i}
		}
	}
	attached := map[string][]string{}
	for _, tg := range head.TransitGateways {
		for _, a := range tg.Attachments {
			attached[a.VPC] = append(attached[a.VPC], "transit gateway "+tg.Name+" (attachment "+a.Name+")")
		}
	}
	for _, n := range head.Networks {
		for i := range n.VPCs {
			v := &n.VPCs[i]
			b, ok := old[n.Account+"/"+n.Region+"/"+v.Name]
			if !ok {
				continue
			}
			bv := &b.n.VPCs[b.i]
			path := estate.ItemPath("vpcs", i)
			if bv.CIDR != v.CIDR {
				msg := fmt.Sprintf("changes the CIDR of VPC %s from %s to %s: CloudFormation replaces the VPC and everything in it", v.Name, bv.CIDR, v.CIDR)
				if a := attached[v.Name]; len(a) > 0 {
					msg = fmt.Sprintf("changes the CIDR of VPC %s, attached to %s, from %s to %s: CloudFormation replaces the VPC, its attachment and everything in it, and the routes to it change", v.Name, strings.Join(a, ", "), bv.CIDR, v.CIDR)
				}
				r.Findings = append(r.Findings, diag.Warningf(n.Pos(path+".cidr"), "diff-vpc-cidr", "%s", msg).
					WithHint("add a new VPC beside it and move the workloads instead, or accept the outage and the new addresses"))
				continue
			}
			renumbered(r, n, path, bv, v)
		}
	}
}

// renumbered reports the subnets of a VPC whose CIDRs move.
func renumbered(r *Result, n *estate.Network, path string, bv, v *estate.VPC) {
	before, _ := bv.Layout(n.Region)
	after, _ := v.Layout(n.Region)
	old := map[string]estate.Subnet{}
	for _, s := range before {
		old[s.Name] = s
	}
	var moves []string
	tier := -1
	for _, s := range after {
		o, ok := old[s.Name]
		if !ok || !o.CIDR.IsValid() || !s.CIDR.IsValid() || o.CIDR == s.CIDR {
			continue
		}
		moves = append(moves, fmt.Sprintf("%s %s → %s", s.Name, o.CIDR, s.CIDR))
		if tier < 0 {
			tier = s.TierIndex
		}
	}
	if len(moves) == 0 {
		return
	}
	pos := n.Pos(estate.ItemPath(path+".subnets", tier))
	// Point at the tier's changed key when it is its own.
	tierPath := estate.ItemPath(path+".subnets", tier)
	if tier < len(bv.Subnets) && tier < len(v.Subnets) {
		switch {
		case bv.Subnets[tier].Prefix != v.Subnets[tier].Prefix:
			pos = n.Pos(tierPath + ".prefix")
		case fmt.Sprint(bv.Subnets[tier].CIDRs) != fmt.Sprint(v.Subnets[tier].CIDRs):
			pos = n.Pos(tierPath + ".cidrs")
		}
	}
	r.Findings = append(r.Findings, diag.Warningf(pos, "diff-subnet-renumber", "renumbers %d subnets of VPC %s: %s; CloudFormation replaces each, and everything in them", len(moves), v.Name, strings.Join(moves, ", ")).
		WithHint("give the new tier its own name (new subnets beside the old) or list the old blocks under cidrs: to keep them"))
}

// checkAccountIDs names an account whose id changes: each of its stacks is
// created in the new account and deleted from the old.
func checkAccountIDs(r *Result, base, head *estate.Estate) {
	old := map[string]string{}
	for _, a := range base.Accounts {
		old[a.Name] = a.ID
	}
	for _, a := range head.Accounts {
		if id, ok := old[a.Name]; ok && id != a.ID {
			r.Findings = append(r.Findings, diag.Warningf(a.Pos("id"), "diff-account-id", "changes the id of account %s from %s to %s: every stack of the account is created in %s and deleted from %s", a.Name, id, a.ID, a.ID, id).
				WithHint("a new AWS account is a new account: declare it under its own name and move the workloads"))
		}
	}
}
