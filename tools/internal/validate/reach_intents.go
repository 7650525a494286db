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
		if r.selfOnly(t, rp, "allow", rule, from, to) {
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
	allowed := r.rulePairs(h, t.Intents.Allow)
	for i, rule := range t.Intents.Deny {
		rp := estate.ItemPath("intents.deny", i)
		from, ok1 := r.resolve(h, rp+".from", rule.From, false)
		to, ok2 := r.resolve(h, rp+".to", rule.To, true)
		if !r.checkPorts(t, rp, rule) || !ok1 || !ok2 {
			continue
		}
		if r.selfOnly(t, rp, "deny", rule, from, to) {
			continue
		}
		intent := fmt.Sprintf("the deny intent (%s must not reach %s on %s)", strings.Join(rule.From, ", "), strings.Join(rule.To, ", "), portsText(rule.Ports))
		for _, f := range from {
			tables := countTables(h, f.eps)
			for _, src := range f.eps {
				usual := tables.usual(src.VPC.Attachment(h))
				for _, tg := range to {
					for _, dst := range r.breaches(h, src, tg.eps, rule) {
						if k := allowed(src.VPC.Name, destKey(dst)); k >= 0 {
							// Two intents disagree: no route is the line to fix.
							r.add(diag.Errorf(t.Pos(rp+".to"), "reach-conflict", "%s contradicts the allow intent (%s may reach %s)",
								intent, strings.Join(t.Intents.Allow[k].From, ", "), strings.Join(t.Intents.Allow[k].To, ", ")).
								WithHint("both name %s → %s; take it out of one of them", src.Name, dst.Name), src.Name+" → "+dst.Name)
							continue
						}
						r.denyPair(h, intent, f.name, usual, src, dst, rule)
					}
				}
			}
		}
	}
}

// selfOnly reports a rule whose every pair of from and to lies in one VPC:
// the checks skip such pairs (nothing crosses the gateway), so the rule
// would prove nothing while validate says ok.
func (r *reachChecker) selfOnly(t *estate.TransitGateway, rp, kind string, rule estate.IntentRule, from, to []side) bool {
	var vpc *reach.VPC
	for _, f := range from {
		for _, src := range f.eps {
			for _, tg := range to {
				for _, dst := range tg.eps {
					if src.VPC != dst.VPC {
						return false
					}
					vpc = src.VPC
				}
			}
		}
	}
	if vpc == nil {
		return false // no pair at all: reach-group-empty or reach-ref says why
	}
	r.report(diag.Warningf(t.Pos(rp+".to"), "reach-self",
		"the %s intent (from %s to %s) compares VPC %s with itself: nothing crosses the gateway, so it proves nothing",
		kind, strings.Join(rule.From, ", "), strings.Join(rule.To, ", "), vpc.Name).
		WithHint("name another VPC or group in from or to, or remove the rule"))
	return true
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
		if dst.Guard == nil && reached != nil {
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
	case dst.Guard != nil:
		d = diag.Errorf(dst.Guard.Pos, "reach-isolation", "%s", msg).WithHint("keep %s out of the security group of %s", src.Name, dst.Guard.What)
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

// destKey names a destination the way rulePairs does.
func destKey(ep reach.Endpoint) string {
	if ep.GitLab != nil {
		return "GitLab " + ep.GitLab.Name
	}
	return ep.Name
}

// rulePairs returns, for a source VPC and a destination (destKey), the
// index of the first of rules naming both, or -1. It keeps each rule's
// sides as sets, not the pairs.
func (r *reachChecker) rulePairs(h *reach.Hub, rules []estate.IntentRule) func(from, to string) int {
	t := h.T
	type sides struct{ from, to map[string]bool }
	var all []sides
	for _, rule := range rules {
		sd := sides{map[string]bool{}, map[string]bool{}}
		for _, n := range rule.From {
			refs, _ := estate.IntentVPCs(r.e, r.ix, t, n)
			for _, ref := range refs {
				sd.from[ref.VPC.Name] = true
			}
		}
		for _, n := range rule.To {
			if g := estate.IntentGitLab(r.ix, t, n); g != nil {
				sd.to["GitLab "+g.Name] = true
				continue
			}
			if strings.HasSuffix(n, "/endpoints") {
				sd.to[n] = true
				continue
			}
			refs, _ := estate.IntentVPCs(r.e, r.ix, t, n)
			for _, ref := range refs {
				sd.to[ref.VPC.Name] = true
			}
		}
		all = append(all, sd)
	}
	return func(from, to string) int {
		for i, sd := range all {
			if sd.from[from] && sd.to[to] {
				return i
			}
		}
		return -1
	}
}
