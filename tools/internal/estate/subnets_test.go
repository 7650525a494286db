package estate

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// TestLayoutMatchesBruteForce checks the one-pass allocator against the
// plain definition: each prefix tier's subnet, zone by zone, is the lowest
// aligned block of the VPC that overlaps nothing given or allocated before.
func TestLayoutMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 2000 {
		v := randomVPC(r)
		got, _ := v.Layout("eu-west-1")
		want := bruteForceLayout(v, "eu-west-1")
		if !slices.Equal(got, want) {
			t.Fatalf("round %d, VPC %+v:\n got %v\nwant %v", round, v, got, want)
		}
	}
}

func randomVPC(r *rand.Rand) *VPC {
	bits := 16 + r.IntN(9)
	v := &VPC{CIDR: fmt.Sprintf("10.%d.0.0/%d", r.IntN(2), bits), AZCount: 1 + r.IntN(3)}
	for i := range 1 + r.IntN(6) {
		tier := SubnetTier{Name: fmt.Sprintf("t%d", i), Type: "private"}
		if r.IntN(3) == 0 {
			for range v.AZCount {
				// Given blocks may nest, overlap, lie outside the VPC or be IPv6.
				switch r.IntN(8) {
				case 0:
					tier.CIDRs = append(tier.CIDRs, "fd00::/64")
				case 1:
					tier.CIDRs = append(tier.CIDRs, "nonsense")
				default:
					tier.CIDRs = append(tier.CIDRs, fmt.Sprintf("10.%d.%d.%d/%d", r.IntN(2), r.IntN(8), r.IntN(16)*16, 20+r.IntN(9)))
				}
			}
		} else {
			tier.Prefix = bits + r.IntN(6)
		}
		v.Subnets = append(v.Subnets, tier)
	}
	return v
}

// bruteForceLayout is Layout as first written: try every aligned block.
func bruteForceLayout(v *VPC, region string) []Subnet {
	vpc := netip.MustParsePrefix(v.CIDR).Masked()
	zones := v.Zones(region)
	var out []Subnet
	var taken []netip.Prefix
	for ti, t := range v.Subnets {
		if len(t.CIDRs) == 0 {
			continue
		}
		for zi, zone := range zones {
			s := Subnet{Name: t.Name + "-" + ZoneLetter(zone), Tier: t.Name, Type: t.Type, Zone: zone, TierIndex: ti, ZoneIndex: zi}
			if p, err := netip.ParsePrefix(t.CIDRs[zi]); err == nil {
				s.CIDR = p.Masked()
				taken = append(taken, s.CIDR)
			}
			out = append(out, s)
		}
	}
	for ti, t := range v.Subnets {
		if len(t.CIDRs) > 0 {
			continue
		}
		for zi, zone := range zones {
			s := Subnet{Name: t.Name + "-" + ZoneLetter(zone), Tier: t.Name, Type: t.Type, Zone: zone, TierIndex: ti, ZoneIndex: zi}
			if t.Prefix >= vpc.Bits() && t.Prefix <= 28 {
				step := uint64(1) << (32 - t.Prefix)
				start := addrToUint(vpc.Addr())
				for a := start; a+step <= start+(uint64(1)<<(32-vpc.Bits())); a += step {
					p := netip.PrefixFrom(uintToAddr(a), t.Prefix)
					if !slices.ContainsFunc(taken, p.Overlaps) {
						s.CIDR = p
						taken = append(taken, p)
						break
					}
				}
			}
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Subnet) int { return a.TierIndex - b.TierIndex })
	return out
}

// TestZonesOutOfRange: an azCount no region has yields no zones instead of
// a panic (negative) or a huge allocation.
func TestZonesOutOfRange(t *testing.T) {
	for _, n := range []int{-1, 0, MaxAZCount + 1, 1 << 40} {
		if z := (&VPC{AZCount: n}).Zones("eu-west-1"); len(z) != 0 {
			t.Errorf("azCount %d: zones %v", n, z)
		}
	}
	if z := (&VPC{AZCount: 2}).Zones("eu-west-1"); !slices.Equal(z, []string{"eu-west-1a", "eu-west-1b"}) {
		t.Errorf("azCount 2: zones %v", z)
	}
}

// BenchmarkLayoutCrowded lays out 40 tiers of /28 over 6 zones in a /16:
// the case that made the first allocator cubic.
func BenchmarkLayoutCrowded(b *testing.B) {
	v := &VPC{CIDR: "10.0.0.0/16", AZCount: 6}
	for i := range 40 {
		v.Subnets = append(v.Subnets, SubnetTier{Name: fmt.Sprintf("t%d", i), Type: "private", Prefix: 28})
	}
	for b.Loop() {
		v.Layout("eu-west-1")
	}
}
