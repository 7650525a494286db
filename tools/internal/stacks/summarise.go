package stacks

import (
	"net/netip"
	"slices"
)

// VPC routes towards a transit gateway are summarised. A VPC route table
// holds 50 routes by default, so one route per reachable peer CIDR stops
// scaling at a few dozen peers. Instead each route table view (a gateway
// route table and the attachments associated with it) gets the fewest
// covering prefixes that stay correct:
//
//   - every reachable destination is covered;
//   - a covering prefix never takes in an address of another VPC of the
//     estate, nor a blackholed destination, unless a reachable destination
//     covers that address too (the gateway delivers it then);
//   - a covering prefix stays inside one private block (10/8, 172.16/12,
//     192.168/16, 100.64/10): public destinations are routed exactly as
//     declared, so internet traffic never turns towards the gateway.
//
// Unallocated private space inside a summary goes to the gateway, which
// drops it as the internet would have. A prefix list per view was the
// other candidate; it needs a RAM share per account and counts its
// MaxEntries against every route table that references it, so it saves
// nothing against the quota the summaries already meet.
//
// Being clean (the rules above) holds for every sub-prefix of a clean
// prefix, so each reachable destination has a unique largest clean prefix
// around it, and the set of those is the smallest clean cover.

// privateBlocks are the ranges summaries may grow within.
var privateBlocks = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// prefixSet answers containment questions over a set of IPv4 prefixes.
type prefixSet struct {
	has    map[netip.Prefix]bool
	sorted []netip.Prefix
	// lengths marks the prefix lengths of the members, so the ancestor
	// walks look up only the lengths there are (estates use a few): the
	// map lookups were most of Summarise's time (tools/bench.sh).
	lengths [129]bool
}

func newPrefixSet(ps []netip.Prefix) *prefixSet {
	s := &prefixSet{has: map[netip.Prefix]bool{}}
	for _, p := range ps {
		p = p.Masked()
		if !s.has[p] {
			s.has[p] = true
			s.sorted = append(s.sorted, p)
			if p.IsValid() {
				s.lengths[p.Bits()] = true
			}
		}
	}
	slices.SortFunc(s.sorted, comparePrefix)
	return s
}

// ancestor reports whether a member of s contains p (or is p).
func (s *prefixSet) ancestor(p netip.Prefix) bool {
	for bits := p.Bits(); bits >= 0; bits-- {
		if s.lengths[bits] && s.has[netip.PrefixFrom(p.Addr(), bits).Masked()] {
			return true
		}
	}
	return false
}

// inside returns the members of s strictly inside p.
func (s *prefixSet) inside(p netip.Prefix) []netip.Prefix {
	first := p.Addr()
	i, _ := slices.BinarySearchFunc(s.sorted, first, func(q netip.Prefix, a netip.Addr) int { return q.Addr().Compare(a) })
	var out []netip.Prefix
	for ; i < len(s.sorted) && p.Contains(s.sorted[i].Addr()); i++ {
		if s.sorted[i].Bits() > p.Bits() {
			out = append(out, s.sorted[i])
		}
	}
	return out
}

// overlapping returns the members of s that contain p or lie inside it.
func (s *prefixSet) overlapping(p netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for bits := p.Bits(); bits >= 0; bits-- {
		if !s.lengths[bits] {
			continue
		}
		if q := netip.PrefixFrom(p.Addr(), bits).Masked(); s.has[q] {
			out = append(out, q)
		}
	}
	return append(out, s.inside(p)...)
}

// covers reports whether the members of s together cover every address of p.
func (s *prefixSet) covers(p netip.Prefix) bool {
	if s.ancestor(p) {
		return true
	}
	if p.Bits() >= 32 || len(s.inside(p)) == 0 {
		return false
	}
	lo, hi := halves(p)
	return s.covers(lo) && s.covers(hi)
}

// halves splits p into its two sub-prefixes one bit longer.
func halves(p netip.Prefix) (netip.Prefix, netip.Prefix) {
	lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
	a := p.Addr().As4()
	bit := p.Bits()
	a[bit/8] |= 0x80 >> (bit % 8)
	return lo, netip.PrefixFrom(netip.AddrFrom4(a), p.Bits()+1)
}

// Summarise returns the smallest set of prefixes covering reach that
// covers no address of forbidden outside reach and, beyond the declared
// destinations themselves, stays inside one private block. Destinations
// that are themselves unclean (a declared route over a forbidden VPC) are
// kept as declared. The result is sorted and holds no prefix inside another.
func Summarise(reach, forbidden []netip.Prefix) []netip.Prefix {
	// A default route covers nothing here: subnets with their own default
	// route leave it out, so it cannot vouch for a summary they keep.
	r := newPrefixSet(slices.DeleteFunc(slices.Clone(reach), func(p netip.Prefix) bool { return p.Bits() == 0 }))
	f := newPrefixSet(forbidden)
	clean := func(p netip.Prefix) bool {
		for _, q := range f.overlapping(p) {
			x := q
			if p.Bits() > q.Bits() {
				x = p
			}
			if !r.covers(x) {
				return false
			}
		}
		return true
	}
	var out []netip.Prefix
	if slices.ContainsFunc(reach, func(p netip.Prefix) bool { return p.Bits() == 0 }) {
		out = append(out, netip.PrefixFrom(netip.IPv4Unspecified(), 0))
	}
	for _, d := range r.sorted {
		top := d
		if clean(d) {
			for top.Bits() > 0 {
				parent := netip.PrefixFrom(top.Addr(), top.Bits()-1).Masked()
				if !inPrivateBlock(parent) || !clean(parent) {
					break
				}
				top = parent
			}
		}
		out = append(out, top)
	}
	return outermost(out)
}

func inPrivateBlock(p netip.Prefix) bool {
	for _, b := range privateBlocks {
		if b.Bits() <= p.Bits() && b.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// outermost sorts ps and drops duplicates and prefixes inside another. A
// default route (/0) absorbs nothing: subnets with their own default route
// (internet gateway, NAT) leave it out and still need the others.
func outermost(ps []netip.Prefix) []netip.Prefix {
	slices.SortFunc(ps, comparePrefix)
	var out []netip.Prefix
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].Bits() > 0 && out[n-1].Bits() <= p.Bits() && out[n-1].Contains(p.Addr()) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// estateCIDRs lists the CIDR of every VPC the estate declares, in any
// account and region: destinations a summary must not take in by accident.
func (p *planner) estateCIDRs() []netip.Prefix {
	if p.allCIDRs == nil {
		p.allCIDRs = []netip.Prefix{}
		for _, n := range p.e.Networks {
			for i := range n.VPCs {
				if c, err := netip.ParsePrefix(n.VPCs[i].CIDR); err == nil {
					p.allCIDRs = append(p.allCIDRs, c.Masked())
				}
			}
		}
	}
	return p.allCIDRs
}
