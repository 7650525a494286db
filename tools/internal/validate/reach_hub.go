package validate

// The checks every hub gets, intents or not.

import (
	"maps"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/reach"
)

// checkReturn: for each route table, every VPC it carries traffic to must
// have a way back to the VPCs associated with it. Work per pair of route
// tables, not per pair of VPCs.
func (r *reachChecker) checkReturn(h *reach.Hub) {
	t := h.T
	deny := r.rulePairs(h, h.T.Intents.Deny)
	denied := func(a, b *reach.VPC) bool { return deny(a.Name, b.Name) >= 0 }
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
		for _, d := range tb.Sent {
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
			deny := r.rulePairs(h, h.T.Intents.Deny)
			allow := r.rulePairs(h, h.T.Intents.Allow)
			for _, a := range h.Atts {
				if a == b || a.VPC == nil || a.Table == nil || deny(a.VPC.Name, "GitLab "+g.Name) >= 0 || admitted(dst, a.VPC) {
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
				open, guard := dst, *dst.Guard
				guard.Ingress = append(slices.Clone(guard.Ingress), a.VPC.CIDR)
				open.Guard = &guard
				if !r.m.RoundTripOK(src, open, 0) {
					continue
				}
				// The line to change: the allow intents, or without any,
				// the load balancer's own list.
				pos := g.Pos("alb.allowedCidrs")
				if h.T.Has("intents.allow") {
					pos = h.T.Pos("intents.allow")
				}
				d := diag.Errorf(pos, "reach-gitlab-undeclared",
					"VPC %s is routed to GitLab %s and back, but no intent lets it in, so its load balancer turns it away", a.VPC.Name, g.Name).
					WithHint("add %s (or a group holding it) to the from of an allow intent to %s in %s; or a deny intent if it must stay out", a.VPC.Name, g.Name, h.T.File)
				if allow(a.VPC.Name, g.Network.VPC) >= 0 {
					// The intent names GitLab's VPC: the network, not
					// the service, whose load balancer reads only
					// intents naming it.
					d = d.WithHint("an allow intent names GitLab's VPC %s; name the GitLab itself in its to (to: [%s]) so the load balancer admits %s", g.Network.VPC, g.Name, a.VPC.Name)
				}
				r.add(d, a.VPC.Name)
			}
		}
	}
}

// admitted reports whether the load balancer's security group admits all of v.
func admitted(dst reach.Endpoint, v *reach.VPC) bool {
	for _, c := range dst.Guard.Ingress {
		if c.Bits() <= v.CIDR.Bits() && c.Contains(v.CIDR.Addr()) {
			return true
		}
	}
	return false
}
