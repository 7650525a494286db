package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/reach"
)

// checkReach proves each transit gateway's intents against the routing and
// security groups compile generates (see package reach), and runs the
// checks every hub gets without intents: replies that have no way back,
// attachments nothing routes to, routes into a blackhole, and VPCs routed
// to GitLab both ways that its load balancer turns away.
func (c *checker) checkReach() {
	m := reach.Build(c.e, c.ix)
	r := &reachChecker{checker: c, m: m}
	// A VPC whose block does not parse has no addresses or subnets, so any
	// path through it would fail for that alone: cidr-invalid reports it,
	// and the paths are proved once it is fixed.
	routable := true
	for _, v := range m.VPCs {
		routable = routable && v.CIDR.IsValid()
	}
	for _, h := range m.Hubs {
		r.checkGroups(h)
		if !routable {
			continue
		}
		r.checkDeny(h)
		r.checkAllow(h)
		r.checkReturn(h)
		r.checkUnrouted(h)
		r.checkBlackholed(h)
	}
	if routable {
		r.checkGitLabUndeclared()
	}
	r.flush()
}

type reachChecker struct {
	*checker
	m *reach.Model
	// found collects findings by position and rule, so one line to change
	// gets one finding however many pairs of VPCs it breaks.
	found map[findingKey]*pairFinding
	order []findingKey
}

type findingKey struct {
	pos  estate.Pos
	rule string
}

type pairFinding struct {
	d     diag.Diagnostic
	pairs []string
}

// add records a finding about one pair of VPCs (from → to); findings at the
// same line and rule merge, listing the further pairs.
func (r *reachChecker) add(d diag.Diagnostic, pair string) {
	if r.found == nil {
		r.found = map[findingKey]*pairFinding{}
	}
	k := findingKey{d.Pos, d.Rule}
	f := r.found[k]
	if f == nil {
		f = &pairFinding{d: d}
		r.found[k] = f
		r.order = append(r.order, k)
	}
	if pair != "" && !slices.Contains(f.pairs, pair) {
		f.pairs = append(f.pairs, pair)
	}
}

func (r *reachChecker) flush() {
	for _, k := range r.order {
		f := r.found[k]
		d := f.d
		if n := len(f.pairs); n > 1 {
			more := f.pairs[1:min(n, 4)]
			d.Message += fmt.Sprintf("; the same line also decides %s", strings.Join(more, ", "))
			if n > 4 {
				d.Message += fmt.Sprintf(" and %d more", n-4)
			}
		}
		r.report(d)
	}
}

// checkGroups checks the intents' groups.
func (r *reachChecker) checkGroups(h *reach.Hub) {
	t := h.T
	seen := map[string]bool{}
	for i, g := range t.Intents.Groups {
		gp := estate.ItemPath("intents.groups", i)
		switch {
		case g.Name != "" && !namePattern.MatchString(g.Name):
			r.report(diag.Errorf(t.Pos(gp+".name"), "reach-group", "group name %q is not a lowercase name", g.Name).
				WithHint("use lowercase letters, digits and dashes, starting with a letter"))
		case g.Role != "" && g.Role != "tooling" && g.Role != "workload":
			r.report(diag.Errorf(t.Pos(gp+".role"), "reach-group", "role %q is not an account role", g.Role).
				WithHint("use tooling or workload"))
		case seen[g.Name]:
			r.report(diag.Errorf(t.Pos(gp+".name"), "reach-group", "group %s is declared twice", g.Name).WithHint("merge the two groups"))
		case r.ix.VPCs[g.Name].VPC != nil:
			r.report(diag.Errorf(t.Pos(gp+".name"), "reach-group", "group %s has the name of a VPC", g.Name).
				WithHint("rules would not know which one is meant; rename the group"))
		case len(g.VPCs) == 0 && !g.HasAccountSelector():
			r.report(diag.Errorf(t.Pos(gp+".name"), "reach-group", "group %s selects nothing", g.Name).
				WithHint("give vpcs, accounts, role or tags"))
		}
		seen[g.Name] = true
		for k, name := range g.VPCs {
			r.vpc(&t.Doc, estate.ItemPath(gp+".vpcs", k), name)
		}
		for k, name := range g.Accounts {
			r.account(&t.Doc, estate.ItemPath(gp+".accounts", k), name)
		}
		if (len(g.VPCs) > 0 || g.HasAccountSelector()) && len(estate.GroupVPCs(r.e, r.ix, t, &t.Intents.Groups[i])) == 0 {
			r.report(diag.Warningf(t.Pos(gp+".name"), "reach-group-empty", "group %s holds no VPC in %s", g.Name, t.Region).
				WithHint("check its selectors: a rule about an empty group proves nothing"))
		}
	}
}

// side is one name of a rule's from or to, resolved.
type side struct {
	name string
	eps  []reach.Endpoint
}

// resolve turns a rule's names into endpoints; unknown names are reported.
func (r *reachChecker) resolve(h *reach.Hub, path string, names []string, gitlab bool) ([]side, bool) {
	t := h.T
	var out []side
	ok := true
	if len(names) == 0 {
		r.report(diag.Errorf(t.Pos(path), "reach-ref", "%s names nothing", path[strings.LastIndex(path, ".")+1:]).
			WithHint("name groups or VPCs, e.g. [desktop, workloads]"))
		return nil, false
	}
	for k, name := range names {
		if g := estate.IntentGitLab(r.ix, t, name); gitlab && g != nil {
			if ep, found := r.m.GitLabEndpoint(g); found {
				out = append(out, side{name, []reach.Endpoint{ep}})
			}
			continue
		}
		if vpc, ok := strings.CutSuffix(name, "/endpoints"); gitlab && ok {
			if v := r.m.VPCs[vpc]; v != nil {
				ep, found := r.m.EndpointsEndpoint(v)
				if !found {
					r.report(diag.Errorf(t.Pos(estate.ItemPath(path, k)), "reach-ref", "VPC %s has no interface endpoints", vpc).
						WithHint("declare them under endpoints.interface of %s, or name the VPC", vpc))
					ok = false
					continue
				}
				out = append(out, side{name, []reach.Endpoint{ep}})
				continue
			}
		}
		refs, found := estate.IntentVPCs(r.e, r.ix, t, name)
		if !found {
			ok = false
			known := []string{}
			for _, g := range t.Intents.Groups {
				known = append(known, g.Name)
			}
			known = append(known, slices.Sorted(maps.Keys(r.ix.VPCs))...)
			what := "a group or a VPC"
			if gitlab {
				what = "a group, a VPC or a GitLab service"
				known = append(known, slices.Sorted(maps.Keys(r.ix.GitLabs))...)
			}
			d := diag.Errorf(t.Pos(estate.ItemPath(path, k)), "reach-ref", "%q is not %s", name, what)
			if hint := diag.DidYouMean(name, known); hint != "" {
				d = d.WithHint("%s", hint)
			} else {
				d = d.WithHint("declare a group of that name under intents.groups")
			}
			r.report(d)
			continue
		}
		s := side{name: name}
		for _, ref := range refs {
			if v := r.m.VPCs[ref.VPC.Name]; v != nil {
				s.eps = append(s.eps, reach.VPCEndpoint(v))
			}
		}
		out = append(out, s)
	}
	return out, ok
}

// checkPorts checks that a rule's ports are TCP ports.
func (r *reachChecker) checkPorts(t *estate.TransitGateway, rp string, rule estate.IntentRule) bool {
	ok := true
	if rule.Ports != nil && len(rule.Ports) == 0 {
		// An empty list would read as "every port", the widest rule, from
		// what looks like a list of none.
		r.report(diag.Errorf(t.Pos(rp+".ports"), "reach-port", "ports names no port").
			WithHint("list the TCP ports, e.g. [443], or leave ports out for every port"))
		ok = false
	}
	for k, p := range rule.Ports {
		if p < 1 || p > 65535 {
			r.report(diag.Errorf(t.Pos(estate.ItemPath(rp+".ports", k)), "reach-port", "%d is not a TCP port", p).
				WithHint("use 1–65535, e.g. 443; leave ports out for every port"))
			ok = false
		}
	}
	return ok
}

func rulePorts(rule estate.IntentRule) []int {
	if len(rule.Ports) == 0 {
		return []int{0}
	}
	return rule.Ports
}

func portText(port int) string {
	if port == 0 {
		return "any port"
	}
	return fmt.Sprintf("tcp/%d", port)
}
