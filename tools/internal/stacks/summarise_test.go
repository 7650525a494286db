package stacks

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// TestSummariseAgainstBruteForce checks Summarise against a reference that
// decides cleanliness address by address, over random destinations and
// forbidden prefixes inside a small space (10.0.0.0/22, 1,024 addresses).
func TestSummariseAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	space := netip.MustParsePrefix("10.0.0.0/22")
	randomPrefix := func() netip.Prefix {
		bits := 24 + rng.IntN(7)
		a := space.Addr().As4()
		a[2] = byte(rng.IntN(4))
		a[3] = byte(rng.IntN(256))
		return netip.PrefixFrom(netip.AddrFrom4(a), bits).Masked()
	}
	for round := range 300 {
		var reach, forbidden []netip.Prefix
		for range 1 + rng.IntN(8) {
			reach = append(reach, randomPrefix())
		}
		for range rng.IntN(6) {
			forbidden = append(forbidden, randomPrefix())
		}
		got := Summarise(reach, forbidden)
		want := bruteSummarise(reach, forbidden)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: reach %v forbidden %v:\n got %v\nwant %v", round, reach, forbidden, got, want)
		}
		// Properties, independent of the reference: everything reachable is
		// covered; nothing forbidden and unreachable is.
		for a := range addresses(space) {
			in := func(ps []netip.Prefix) bool {
				return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(a) })
			}
			if in(reach) && !in(got) {
				t.Fatalf("round %d: %v is reachable but not routed: %v", round, a, got)
			}
			if in(forbidden) && !in(reach) && in(got) {
				t.Fatalf("round %d: %v is forbidden but routed: %v", round, a, got)
			}
		}
	}
}

func addresses(p netip.Prefix) func(func(netip.Addr) bool) {
	return func(yield func(netip.Addr) bool) {
		for a := p.Addr(); p.Contains(a); a = a.Next() {
			if !yield(a) {
				return
			}
		}
	}
}

// bruteSummarise: a prefix is clean when none of its addresses is forbidden
// without being reachable; each destination grows to its largest clean
// ancestor inside 10/8 (or stays as declared when not clean itself).
func bruteSummarise(reach, forbidden []netip.Prefix) []netip.Prefix {
	in := func(ps []netip.Prefix, a netip.Addr) bool {
		return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	// Only forbidden addresses can make a prefix unclean, so only they are
	// visited (a /8 has 16 million addresses).
	clean := func(p netip.Prefix) bool {
		for _, f := range forbidden {
			for a := range addresses(f) {
				if p.Contains(a) && !in(reach, a) {
					return false
				}
			}
		}
		return true
	}
	var out []netip.Prefix
	for _, d := range reach {
		d = d.Masked()
		best := d
		for bits := d.Bits() - 1; clean(d) && bits >= 8; bits-- {
			if p := netip.PrefixFrom(d.Addr(), bits).Masked(); clean(p) {
				best = p
			}
		}
		out = append(out, best)
	}
	return outermost(out)
}
