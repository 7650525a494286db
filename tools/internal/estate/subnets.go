package estate

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Subnet is one subnet of a VPC after layout: a tier in one zone.
type Subnet struct {
	// Name is <tier>-<zone letter>, e.g. private-a.
	Name string
	Tier string
	// Type is public, private or isolated.
	Type string
	// Zone is the availability zone, e.g. eu-west-1a.
	Zone string
	// CIDR is the subnet's block; invalid when the layout failed.
	CIDR netip.Prefix
	// TierIndex and ZoneIndex locate the tier and zone in the VPC's lists.
	TierIndex, ZoneIndex int
}

// MaxAZCount is the largest azCount: no region has more zones.
const MaxAZCount = 6

// Zones returns the VPC's availability zones: the declared list, or the
// region's first AZCount zones (region + a, b, c, …). An azCount out of
// 1..MaxAZCount yields no zones (validation reports it), so hostile input
// cannot make it allocate without bound or panic.
func (v *VPC) Zones(region string) []string {
	if len(v.AZs) > 0 {
		return v.AZs
	}
	if v.AZCount < 1 || v.AZCount > MaxAZCount {
		return nil
	}
	zones := make([]string, v.AZCount)
	for i := range zones {
		zones[i] = region + string(rune('a'+i))
	}
	return zones
}

// ZoneLetter is the suffix subnet names use for a zone: eu-west-1a → a.
func ZoneLetter(zone string) string {
	if zone == "" {
		return ""
	}
	return zone[len(zone)-1:]
}

// Tier returns the tier named name, or nil.
func (v *VPC) Tier(name string) *SubnetTier {
	for i := range v.Subnets {
		if v.Subnets[i].Name == name {
			return &v.Subnets[i]
		}
	}
	return nil
}

// LayoutError says why a tier's subnets could not be laid out.
type LayoutError struct {
	TierIndex int
	Message   string
}

// Layout computes every subnet of the VPC. Tiers with explicit CIDRs keep
// them; tiers with a prefix get the lowest free aligned blocks of the VPC's
// range, tier by tier and zone by zone, so the same YAML always yields the
// same CIDRs. Tiers it cannot place are reported and left without CIDR.
func (v *VPC) Layout(region string) ([]Subnet, []LayoutError) {
	vpc, err := netip.ParsePrefix(v.CIDR)
	if err != nil || !vpc.Addr().Is4() {
		return nil, []LayoutError{{TierIndex: -1, Message: "VPC CIDR is not a valid IPv4 prefix"}}
	}
	vpc = vpc.Masked()
	zones := v.Zones(region)
	n := len(v.Subnets) * len(zones)
	out := make([]Subnet, 0, n)
	var errs []LayoutError
	// taken is kept sorted by start address, so finding a free block is one
	// pass over it.
	taken := make([]netip.Prefix, 0, n)
	for ti, t := range v.Subnets {
		if len(t.CIDRs) == 0 {
			continue
		}
		for zi, zone := range zones {
			s := Subnet{Name: t.Name + "-" + ZoneLetter(zone), Tier: t.Name, Type: t.Type, Zone: zone, TierIndex: ti, ZoneIndex: zi}
			if zi < len(t.CIDRs) {
				if p, err := netip.ParsePrefix(t.CIDRs[zi]); err == nil {
					s.CIDR = p.Masked()
					if s.CIDR.Addr().Is4() {
						taken = insertSorted(taken, s.CIDR)
					}
				}
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
				p, ok := nextFree(vpc, t.Prefix, taken)
				if ok {
					s.CIDR = p
					taken = insertSorted(taken, p)
				} else if len(errs) == 0 || errs[len(errs)-1].TierIndex != ti {
					errs = append(errs, LayoutError{TierIndex: ti, Message: fmt.Sprintf(
						"no room left in %s for a /%d subnet per zone of tier %s", vpc, t.Prefix, t.Name)})
				}
			}
			out = append(out, s)
		}
	}
	// Keep the declared tier order, so listings read like the YAML; within a
	// tier the subnets are already in zone order.
	slices.SortStableFunc(out, func(a, b Subnet) int { return a.TierIndex - b.TierIndex })
	return out, errs
}

// nextFree returns the lowest block of size bits inside vpc that overlaps
// nothing taken (IPv4 blocks sorted by start address). A candidate that
// overlaps a taken block moves past that block's end, so this is one pass
// over taken, however many blocks the VPC holds.
func nextFree(vpc netip.Prefix, bits int, taken []netip.Prefix) (netip.Prefix, bool) {
	step := uint64(1) << (32 - bits)
	a := addrToUint(vpc.Addr())
	end := a + (uint64(1) << (32 - vpc.Bits()))
	for _, t := range taken {
		ts := addrToUint(t.Addr())
		te := ts + uint64(1)<<(32-t.Bits())
		if te <= a {
			continue
		}
		if a+step <= ts {
			break // the candidate ends before t, and every later block starts after t
		}
		a = (te + step - 1) / step * step
	}
	if a+step > end {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(uintToAddr(a), bits), true
}

// insertSorted inserts p into taken, keeping it sorted by start address.
func insertSorted(taken []netip.Prefix, p netip.Prefix) []netip.Prefix {
	i, _ := slices.BinarySearchFunc(taken, p, func(t, p netip.Prefix) int { return t.Addr().Compare(p.Addr()) })
	return slices.Insert(taken, i, p)
}

func addrToUint(a netip.Addr) uint64 {
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

func uintToAddr(u uint64) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}

// SubnetNames lists the names in a layout, for hints.
func SubnetNames(layout []Subnet) []string {
	names := make([]string, len(layout))
	for i, s := range layout {
		names[i] = s.Name
	}
	return names
}

// String renders a layout compactly for messages and debugging.
func (s Subnet) String() string {
	return strings.Join([]string{s.Name, s.Zone, s.CIDR.String()}, " ")
}

// EndpointTier picks the tier holding the interface endpoints: the private
// (else isolated, else any) tier with the largest subnets, the first
// declared on a tie. Endpoints take an address per service and zone, so the
// roomiest tier keeps small tiers (such as /28 attachment subnets) free.
func (v *VPC) EndpointTier() string {
	best, bestRank, bestSize := "", 99, 99
	for _, t := range v.Subnets {
		rank := map[string]int{"private": 0, "isolated": 1, "public": 2}[t.Type]
		size := t.Prefix
		if size == 0 && len(t.CIDRs) > 0 {
			size = prefixLen(t.CIDRs[0])
		}
		if rank < bestRank || rank == bestRank && size < bestSize {
			best, bestRank, bestSize = t.Name, rank, size
		}
	}
	return best
}

func prefixLen(cidr string) int {
	for i := len(cidr) - 1; i >= 0; i-- {
		if cidr[i] == '/' {
			n := 0
			for _, c := range cidr[i+1:] {
				n = n*10 + int(c-'0')
			}
			return n
		}
	}
	return 32
}
