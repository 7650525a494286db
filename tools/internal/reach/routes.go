package reach

import (
	"net/netip"
	"slices"
)

// RouteKind is where a subnet's route table sends a destination.
type RouteKind int

const (
	// None: no route; the packet is dropped.
	None RouteKind = iota
	// Local: inside the VPC.
	Local
	// Gateway: to a transit gateway attachment.
	Gateway
	// Internet: 0.0.0.0/0 to the internet gateway or a NAT, which carry no
	// traffic to other VPCs' private addresses.
	Internet
)

// Route is what a subnet's route table does with a range of destinations.
type Route struct {
	Lo, Hi uint32
	Kind   RouteKind
	// Prefix is the matching route's destination.
	Prefix netip.Prefix
	// Att is the VPC's attachment the Gateway route leads to, Entry the
	// gateway route table's entry the derived route comes from.
	Att   *Attachment
	Entry *Entry
}

// EffectiveRoutes returns what subnet s's route table, as compile generates
// it, does with the destinations [lo, hi]: consecutive ranges, each with
// its longest-prefix route. This is the one place that knows how compile
// derives a VPC's routes to the transit gateway (stacks.PeerRoutes: the
// destinations of the associated gateway route table but blackholes,
// summarised by stacks.Summarise, less the VPC's own block, in public and
// private subnets, 0.0.0.0/0 only where the subnet has no default route of
// its own).
func (m *Model) EffectiveRoutes(s *Subnet, lo, hi uint32) []Route {
	return m.routes(s, lo, hi, true)
}

// routes is EffectiveRoutes, with the gateway routes as compile writes them
// (summarised) or before summary, which sends every VPC address the same
// way and costs nothing more.
func (m *Model) routes(s *Subnet, lo, hi uint32, summarised bool) []Route {
	cuts := []uint32{lo}
	cut := func(x uint64) {
		if x > uint64(lo) && x <= uint64(hi) {
			cuts = append(cuts, uint32(x))
		}
	}
	v := s.VPC
	if v.CIDR.IsValid() {
		l, h := bounds(v.CIDR)
		cut(uint64(l))
		cut(uint64(h) + 1)
	}
	if s.Type != "isolated" {
		for _, a := range v.Atts {
			if a.Table != nil {
				for _, sp := range a.Table.gatewayRoutes(summarised).slice(lo, hi) {
					cut(uint64(sp.lo))
				}
			}
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []Route
	for i, c := range cuts {
		end := hi
		if i+1 < len(cuts) {
			end = cuts[i+1] - 1
		}
		r := m.routeAt(s, c, summarised)
		r.Lo, r.Hi = c, end
		if n := len(out); n > 0 && sameRoute(out[n-1], r) {
			out[n-1].Hi = end
			continue
		}
		out = append(out, r)
	}
	return out
}

func sameRoute(a, b Route) bool {
	return a.Kind == b.Kind && a.Prefix == b.Prefix && a.Att == b.Att && a.Entry == b.Entry
}

// routeAt is the route subnet s's table takes for destination x.
func (m *Model) routeAt(s *Subnet, x uint32, summarised bool) Route {
	v := s.VPC
	if v.CIDR.IsValid() && v.CIDR.Contains(addr(x)) {
		return Route{Kind: Local, Prefix: v.CIDR}
	}
	if s.Type == "isolated" {
		return Route{Kind: None}
	}
	best := Route{Kind: None}
	for _, a := range v.Atts {
		if a.Table == nil {
			continue
		}
		i := a.Table.gatewayRoutes(summarised).lookup(x)
		if i < 0 {
			continue
		}
		p := a.Table.gatewayPrefix(summarised, i)
		if p.Bits() == 0 && s.Default != "" {
			continue // the subnet's own default route stays
		}
		if best.Kind == None || p.Bits() > best.Prefix.Bits() {
			best = Route{Kind: Gateway, Prefix: p, Att: a, Entry: a.Table.Entry(p)}
		}
	}
	if best.Kind == None && s.Default != "" {
		return Route{Kind: Internet, Prefix: netip.PrefixFrom(netip.IPv4Unspecified(), 0)}
	}
	return best
}

// Forward returns what gateway route table tb does with destinations
// [lo, hi]: consecutive ranges, each with its longest-prefix entry (nil for
// no route).
func (tb *Table) Forward(lo, hi uint32) []TableRoute {
	var out []TableRoute
	for _, sp := range tb.fwd.slice(lo, hi) {
		r := TableRoute{Lo: sp.lo, Hi: sp.hi}
		if sp.at >= 0 {
			r.Entry = &tb.Entries[sp.at]
		}
		out = append(out, r)
	}
	return out
}

// TableRoute is a gateway route table's decision for a range.
type TableRoute struct {
	Lo, Hi uint32
	Entry  *Entry
}

// Reached returns the attachments a packet sent through gateway route table
// tb can arrive in (an address of the attachment's VPC, routed there), from
// subnets with their own default route (withDefault) or without. It is the
// work of one pass over the table, whatever the number of VPCs associated
// with it, so isolation checks cost per table, not per pair of VPCs. It
// speaks for VPCs attached to this hub only: a VPC attached to several
// gateways picks between their routes per destination (walk it instead).
func (tb *Table) Reached(withDefault bool) map[*Attachment]bool {
	k := 0
	if withDefault {
		k = 1
	}
	if tb.reached[k] != nil {
		return tb.reached[k]
	}
	out := map[*Attachment]bool{}
	for _, sp := range tb.fwd {
		if sp.at < 0 {
			continue
		}
		e := &tb.Entries[sp.at]
		if e.Blackhole || e.Att == nil || e.Att.VPC == nil || !e.Att.VPC.CIDR.IsValid() || withDefault && e.Prefix.Bits() == 0 {
			continue
		}
		lo, hi := bounds(e.Att.VPC.CIDR)
		if sp.hi < lo || hi < sp.lo {
			continue
		}
		// The VPC must send some of these addresses to the gateway: a
		// destination both routed and blackholed is not (compile drops it).
		for _, d := range tb.sent.slice(max(lo, sp.lo), min(hi, sp.hi)) {
			if d.at >= 0 && (!withDefault || tb.Sent[d.at].Bits() > 0) {
				out[e.Att] = true
				break
			}
		}
	}
	tb.reached[k] = out
	return out
}

// gatewayRoutes is the span map of the routes VPCs send to the gateway.
func (tb *Table) gatewayRoutes(summarised bool) spanMap {
	if summarised {
		tb.Summaries()
		return tb.summary
	}
	return tb.sent
}

func (tb *Table) gatewayPrefix(summarised bool, i int) netip.Prefix {
	if summarised {
		return tb.Summaries()[i]
	}
	return tb.Sent[i]
}
