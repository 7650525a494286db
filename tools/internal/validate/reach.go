package validate

import (
	"fmt"
	"maps"
	"net/netip"
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
	for _, h := range m.Hubs {
		r.checkGroups(h)
		r.checkDeny(h)
		r.checkAllow(h)
		r.checkReturn(h)
		r.checkUnrouted(h)
		r.checkBlackholed(h)
	}
	r.checkGitLabUndeclared()
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

// checkAllow proves each allow rule: every VPC of from makes the round trip
// to every destination of to on each port.
func (r *reachChecker) checkAllow(h *reach.Hub) {
	t := h.T
	for i, rule := range t.Intents.Allow {
		rp := estate.ItemPath("intents.allow", i)
		from, ok1 := r.resolve(h, rp+".from", rule.From, false)
		to, ok2 := r.resolve(h, rp+".to", rule.To, true)
		if !r.checkPorts(t, rp, rule) || !ok1 || !ok2 {
			continue
		}
		for _, f := range from {
			for _, src := range f.eps {
				if r.misassociated(h, src.VPC) {
					continue
				}
				for _, tg := range to {
					for _, dst := range tg.eps {
						if src.VPC == dst.VPC {
							continue
						}
						for _, port := range rulePorts(rule) {
							r.allowPair(rule, src, dst, port)
						}
					}
				}
			}
		}
	}
}

func (r *reachChecker) allowPair(rule estate.IntentRule, src, dst reach.Endpoint, port int) {
	// No line number in the message: Code Quality fingerprints it, and the
	// rule's text names it well enough.
	intent := fmt.Sprintf("the allow intent (%s may reach %s on %s)", strings.Join(rule.From, ", "), strings.Join(rule.To, ", "), portText(port))
	pair := src.Name + " → " + dst.Name
	if len(src.Subnets) == 0 {
		r.add(diag.Errorf(src.VPC.Ref.Network.Pos(src.VPC.Ref.Path+".name"), "reach-unreachable",
			"%s fails for %s: VPC %s has no public or private subnet, so nothing in it leaves the VPC", intent, pair, src.Name).
			WithHint("add a private subnet tier for what must reach %s", dst.Name), pair)
		return
	}
	if r.m.RoundTripOK(src, dst, port) {
		return
	}
	p := r.m.RoundTrip(src, dst, port)
	r.add(diag.Errorf(p.Fail.Pos, "reach-unreachable", "%s fails for %s: %s", intent, pair, p.Fail.Why).
		WithHint("%s; path: %s", p.Fail.Hint, pathText(p.Hops)), pair)
}

// pathText renders hops on one line: file:line what → …
func pathText(hops []reach.Hop) string {
	var b strings.Builder
	ret := false
	for i, h := range hops {
		if i > 0 {
			b.WriteString(" → ")
		}
		if h.Return && !ret {
			b.WriteString("reply: ")
			ret = true
		}
		fmt.Fprintf(&b, "%s:%d %s", h.Pos.File, h.Pos.Line, h.Text)
	}
	return b.String()
}

// checkDeny proves each deny rule: no packet from a VPC of from arrives in
// a destination of to. Each breach is reported at the line to change: the
// association of the source when its group's other VPCs use another route
// table (it is the odd one out), else the route that carries the packet.
func (r *reachChecker) checkDeny(h *reach.Hub) {
	t := h.T
	for i, rule := range t.Intents.Deny {
		rp := estate.ItemPath("intents.deny", i)
		from, ok1 := r.resolve(h, rp+".from", rule.From, false)
		to, ok2 := r.resolve(h, rp+".to", rule.To, true)
		if !r.checkPorts(t, rp, rule) || !ok1 || !ok2 {
			continue
		}
		for _, f := range from {
			tables := countTables(h, f.eps)
			for _, src := range f.eps {
				usual := tables.usual(src.VPC.Attachment(h))
				for _, tg := range to {
					for _, dst := range r.breaches(h, src, tg.eps, rule) {
						intent := fmt.Sprintf("the deny intent (%s must not reach %s on %s)", strings.Join(rule.From, ", "), strings.Join(rule.To, ", "), portsText(rule.Ports))
						r.denyPair(h, intent, f.name, usual, src, dst, rule)
					}
				}
			}
		}
	}
}

func portsText(ports []int) string {
	if len(ports) == 0 {
		return "any port"
	}
	var s []string
	for _, p := range ports {
		s = append(s, portText(p))
	}
	return strings.Join(s, ", ")
}

// breaches returns the destinations src arrives in. VPC destinations come
// from the per-table shortcut when src is attached to this hub alone; the
// rest are walked.
func (r *reachChecker) breaches(h *reach.Hub, src reach.Endpoint, dsts []reach.Endpoint, rule estate.IntentRule) []reach.Endpoint {
	var out []reach.Endpoint
	var reached map[*reach.Attachment]bool
	if a := src.VPC.Attachment(h); len(src.VPC.Atts) == 1 && a != nil {
		reached = map[*reach.Attachment]bool{}
		if a.Table != nil {
			for _, s := range src.Subnets {
				if _, ok := a.Zones[s.Zone]; ok {
					maps.Copy(reached, a.Table.Reached(s.Default != ""))
				}
			}
		}
	}
	for _, dst := range dsts {
		if dst.VPC == src.VPC {
			continue
		}
		if dst.GitLab == nil && reached != nil {
			hit := false
			for _, b := range dst.VPC.Atts {
				hit = hit || reached[b]
			}
			if hit {
				out = append(out, dst)
			}
			continue
		}
		for _, port := range rulePorts(rule) {
			if r.m.Arrives(src, dst, port) {
				out = append(out, dst)
				break
			}
		}
	}
	return out
}

func (r *reachChecker) denyPair(h *reach.Hub, intent, group string, usual *reach.Table, src, dst reach.Endpoint, rule estate.IntentRule) {
	t := h.T
	var path reach.Path
	for _, port := range rulePorts(rule) {
		if p, ok := r.m.Arrive(src, dst, port); ok {
			path = p
			break
		}
	}
	pair := src.Name + " → " + dst.Name
	msg := fmt.Sprintf("%s is broken: %s arrives in %s", intent, src.Name, dst.Name)
	a := src.VPC.Attachment(h)
	var d diag.Diagnostic
	switch {
	case dst.GitLab != nil:
		d = r.admittedBy(dst.GitLab, src.VPC, msg)
	case a != nil && a.Table != nil && usual != nil && a.Table != usual:
		d = diag.Errorf(t.Pos(a.AssocPath), "reach-isolation", "%s through route table %s", msg, a.Table.Name).
			WithHint("associate %s with route table %s, like the rest of %s", a.Name, usual.Name, group)
	default:
		pos, hint := t.Pos(""), "remove the route that carries it"
		for i := len(path.Hops) - 1; i >= 0 && a != nil && a.Table != nil; i-- {
			if hop := path.Hops[i]; hop.Pos.File == t.File && strings.Contains(hop.Text, "→ attachment") {
				pos = hop.Pos
				hint = fmt.Sprintf("remove this route from route table %s (%s)", a.Table.Name, strings.TrimPrefix(hop.Text, "route table "+a.Table.Name+": "))
				break
			}
		}
		d = diag.Errorf(pos, "reach-isolation", "%s", msg).WithHint("%s", hint)
	}
	d.Hint += "; path: " + pathText(path.Hops)
	r.add(d, pair)
}

// admittedBy makes the finding of a deny intent GitLab's load balancer
// breaks by admitting VPC v: at the allowedCidrs item that admits it, or at
// the allow intent that lets it in (the two intents then contradict).
func (r *reachChecker) admittedBy(g *estate.GitLab, v *reach.VPC, msg string) diag.Diagnostic {
	for i, c := range g.ALB.AllowedCIDRs {
		if p, err := netip.ParsePrefix(c); err == nil && p.Bits() <= v.CIDR.Bits() && p.Contains(v.CIDR.Addr()) {
			return diag.Errorf(g.Pos(estate.ItemPath("alb.allowedCidrs", i)), "reach-isolation", "%s: the load balancer admits %s", msg, c).
				WithHint("narrow or remove this block, so it no longer covers %s (%s)", v.Name, v.CIDR)
		}
	}
	for _, h := range r.m.Hubs {
		t := h.T
		for i, rule := range t.Intents.Allow {
			if !slices.ContainsFunc(rule.To, func(n string) bool { return estate.IntentGitLab(r.ix, t, n) == g }) {
				continue
			}
			for k, from := range rule.From {
				refs, _ := estate.IntentVPCs(r.e, r.ix, t, from)
				if slices.ContainsFunc(refs, func(ref estate.VPCRef) bool { return ref.VPC.Name == v.Name }) {
					return diag.Errorf(t.Pos(estate.ItemPath(fmt.Sprintf("intents.allow[%d].from", i), k)), "reach-isolation",
						"%s: this allow intent lets it in", msg).
						WithHint("the two intents contradict each other; take %s out of one of them", v.Name)
				}
			}
		}
	}
	return diag.Errorf(g.Pos("alb"), "reach-isolation", "%s", msg).WithHint("keep %s out of GitLab's load balancer", v.Name)
}

// tableCount counts the route tables a group's attachments to a hub are
// associated with.
type tableCount struct {
	count map[*reach.Table]int
	n     int
}

func countTables(h *reach.Hub, eps []reach.Endpoint) tableCount {
	c := tableCount{count: map[*reach.Table]int{}}
	for _, ep := range eps {
		if a := ep.VPC.Attachment(h); a != nil && a.Table != nil {
			c.count[a.Table]++
			c.n++
		}
	}
	return c
}

// usual is the table a strict majority of the group's other attachments
// (all but a) are associated with, or nil.
func (c tableCount) usual(a *reach.Attachment) *reach.Table {
	n := c.n
	if a != nil && a.Table != nil {
		n--
	}
	for tb, k := range c.count {
		if a != nil && a.Table == tb {
			k--
		}
		if 2*k > n {
			return tb
		}
	}
	return nil
}

// checkReturn: for each route table, every VPC it carries traffic to must
// have a way back to the VPCs associated with it. Work per pair of route
// tables, not per pair of VPCs.
func (r *reachChecker) checkReturn(h *reach.Hub) {
	t := h.T
	denied := r.denyPairs(h)
	for _, tb := range h.Tables {
		if len(tb.Assoc) == 0 {
			continue
		}
		dests := map[*reach.Attachment]bool{}
		maps.Copy(dests, tb.Reached(false))
		maps.Copy(dests, tb.Reached(true))
		// The tables replies leave through, and one destination of each.
		backTables := map[*reach.Table]*reach.Attachment{}
		for _, b := range h.Atts {
			if dests[b] && b.Table != nil && backTables[b.Table] == nil {
				backTables[b.Table] = b
			}
		}
		for _, back := range h.Tables {
			b := backTables[back]
			if b == nil {
				continue
			}
			got := map[*reach.Attachment]bool{}
			maps.Copy(got, back.Reached(false))
			maps.Copy(got, back.Reached(true))
			for _, a := range tb.Assoc {
				if a == b || got[a] || a.VPC == nil || !dests[b] || denied(a.VPC, b.VPC) || r.misassociated(h, b.VPC) {
					// A deny intent says a must not get there, or b's
					// association is already the line to fix.
					continue
				}
				if denied(b.VPC, a.VPC) {
					// The reply route would let b reach a: the request's
					// route is what must go.
					e := entryTo(tb, b)
					r.add(diag.Errorf(t.Pos(e.Path), "reach-no-return",
						"route table %s carries %s's traffic to %s, but a deny intent keeps %s from %s, so no reply can come back", tb.Name, a.Name, b.Name, b.Name, a.Name).
						WithHint("remove this route from route table %s", tb.Name), a.Name+" → "+b.Name)
					continue
				}
				rp := estate.ItemPath("routeTables", back.Index)
				r.add(diag.Errorf(t.Pos(rp+".propagations"), "reach-no-return",
					"route table %s carries %s's traffic to %s, but replies from %s use route table %s, which has no route back to %s",
					tb.Name, a.Name, b.Name, b.Name, back.Name, a.Name).
					WithHint("add %s to the propagations of route table %s", a.Name, back.Name), a.Name+" → "+b.Name)
			}
		}
	}
}

// misassociated reports whether a reach-isolation finding already names
// VPC v's association with h as the line to fix.
func (r *reachChecker) misassociated(h *reach.Hub, v *reach.VPC) bool {
	a := v.Attachment(h)
	if a == nil || a.Table == nil {
		return false
	}
	_, ok := r.found[findingKey{h.T.Pos(a.AssocPath), "reach-isolation"}]
	return ok
}

// entryTo returns the first entry of tb that sends traffic to attachment b.
func entryTo(tb *reach.Table, b *reach.Attachment) reach.Entry {
	for _, e := range tb.Entries {
		if e.Att == b {
			return e
		}
	}
	return reach.Entry{}
}

// denyPairs returns whether a deny intent of h forbids VPC a to reach VPC
// b. It keeps each rule's sides as sets, not the pairs.
func (r *reachChecker) denyPairs(h *reach.Hub) func(a, b *reach.VPC) bool {
	t := h.T
	type rule struct{ from, to map[string]bool }
	var rules []rule
	names := func(list []string) map[string]bool {
		out := map[string]bool{}
		for _, n := range list {
			refs, _ := estate.IntentVPCs(r.e, r.ix, t, n)
			for _, ref := range refs {
				out[ref.VPC.Name] = true
			}
		}
		return out
	}
	for _, d := range t.Intents.Deny {
		rules = append(rules, rule{names(d.From), names(d.To)})
	}
	return func(a, b *reach.VPC) bool {
		for _, rl := range rules {
			if rl.from[a.Name] && rl.to[b.Name] {
				return true
			}
		}
		return false
	}
}

// checkUnrouted: an attachment no route table propagates and no static route
// points at can receive nothing, not even replies.
func (r *reachChecker) checkUnrouted(h *reach.Hub) {
	t := h.T
	targeted := map[*reach.Attachment]bool{}
	for _, tb := range h.Tables {
		for _, e := range tb.Entries {
			if e.Att != nil {
				targeted[e.Att] = true
			}
		}
	}
	for _, a := range h.Atts {
		if a.VPC != nil && !targeted[a] && h.ByName[a.Name] == a && a.Table != nil {
			r.report(diag.Warningf(t.Pos(estate.ItemPath("attachments", a.Index)+".name"), "reach-attachment-unrouted",
				"no route table propagates attachment %s or routes to it, so nothing reaches VPC %s, not even replies", a.Name, a.VPC.Name).
				WithHint("add %s to the propagations of the route tables whose VPCs it talks to", a.Name))
		}
	}
}

// checkBlackholed: a destination the VPCs associated with a route table
// send to the gateway, which blackholes all of it: the route only turns
// their traffic into drops (a blackhole carving out part of a destination
// is a choice, and stays quiet).
func (r *reachChecker) checkBlackholed(h *reach.Hub) {
	t := h.T
	for _, tb := range h.Tables {
		if len(tb.Assoc) == 0 {
			continue
		}
		for _, d := range tb.Derived {
			lo, hi := reach.Bounds(d)
			var holes []string
			swallowed := true
			for _, tr := range tb.Forward(lo, hi) {
				if tr.Entry == nil || !tr.Entry.Blackhole {
					swallowed = false
					break
				}
				holes = append(holes, tr.Entry.Prefix.String())
			}
			if !swallowed {
				continue
			}
			e := tb.Entry(d)
			r.report(diag.Warningf(t.Pos(e.Path), "reach-blackholed",
				"VPCs associated with route table %s send %s to the gateway, which blackholes all of it (%s)", tb.Name, d, strings.Join(slices.Compact(holes), ", ")).
				WithHint("remove this route, or the blackholes, so their traffic is not routed only to be dropped"))
		}
	}
}

// checkGitLabUndeclared: a VPC routed to GitLab's load balancer and back,
// which the load balancer turns away, and which no intent mentions: the
// README's old trap (the load balancer admits only what it is told).
func (r *reachChecker) checkGitLabUndeclared() {
	for _, g := range r.e.GitLabs {
		if r.ix.GitLabs[g.Name] != g {
			continue
		}
		dst, ok := r.m.GitLabEndpoint(g)
		if !ok || len(dst.VPC.Atts) == 0 {
			continue
		}
		for _, h := range r.m.Hubs {
			b := dst.VPC.Attachment(h)
			if b == nil || b.Table == nil {
				continue
			}
			denied := deniedVPCs(r.e, r.ix, h.T, g)
			for _, a := range h.Atts {
				if a == b || a.VPC == nil || a.Table == nil || denied[a.VPC.Name] || admitted(dst, a.VPC) {
					continue
				}
				if !a.Table.Reached(false)[b] && !a.Table.Reached(true)[b] {
					continue
				}
				src := reach.VPCEndpoint(a.VPC)
				if len(src.Subnets) == 0 {
					continue
				}
				// Only a VPC whose packets the security group alone turns
				// away: the routing means it to reach GitLab.
				open := dst
				open.Ingress = append(slices.Clone(dst.Ingress), a.VPC.CIDR)
				if !r.m.RoundTripOK(src, open, 0) {
					continue
				}
				// The line to change: the allow intents, or without any,
				// the load balancer's own list.
				pos := g.Pos("alb.allowedCidrs")
				if h.T.Has("intents.allow") {
					pos = h.T.Pos("intents.allow")
				}
				r.add(diag.Errorf(pos, "reach-gitlab-undeclared",
					"VPC %s is routed to GitLab %s and back, but no intent lets it in, so its load balancer turns it away", a.VPC.Name, g.Name).
					WithHint("add %s (or a group holding it) to the from of an allow intent to %s in %s; or a deny intent if it must stay out", a.VPC.Name, g.Name, h.T.File), a.VPC.Name)
			}
		}
	}
}

// deniedVPCs are the VPCs a deny intent of t keeps from GitLab g.
func deniedVPCs(e *estate.Estate, ix *estate.Index, t *estate.TransitGateway, g *estate.GitLab) map[string]bool {
	out := map[string]bool{}
	for _, rule := range t.Intents.Deny {
		if !slices.ContainsFunc(rule.To, func(n string) bool { return estate.IntentGitLab(ix, t, n) == g }) {
			continue
		}
		for _, from := range rule.From {
			refs, _ := estate.IntentVPCs(e, ix, t, from)
			for _, ref := range refs {
				out[ref.VPC.Name] = true
			}
		}
	}
	return out
}

// admitted reports whether the load balancer's security group admits all of v.
func admitted(dst reach.Endpoint, v *reach.VPC) bool {
	for _, c := range dst.Ingress {
		if c.Bits() <= v.CIDR.Bits() && c.Contains(v.CIDR.Addr()) {
			return true
		}
	}
	return false
}
