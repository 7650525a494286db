package reach

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// TestEngineMatchesBruteForce compares the engine with a plain packet walk
// on random hubs: random associations, propagations, static routes and
// blackholes with overlapping destinations (0.0.0.0/0 among them), subnets
// with and without a default route, attachments missing a zone. The plain
// walk takes each VPC route table as compile writes it (stacks.PeerRoutes),
// finds every longest prefix by scanning all routes, and tries every
// address where any decision can change.
func TestEngineMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for round := range 300 {
		e := randomHub(r)
		m := Build(e, estate.NewIndex(e))
		bf := newBrute(e)
		names := slices.Sorted(func(yield func(string) bool) {
			for n := range m.VPCs {
				if !yield(n) {
					return
				}
			}
		})
		for _, an := range names {
			for _, bn := range names {
				if an == bn {
					continue
				}
				a, b := m.VPCs[an], m.VPCs[bn]
				from, to := VPCEndpoint(a), VPCEndpoint(b)
				_, arrives := m.Arrive(from, to, 0)
				if quick := m.Arrives(from, to, 0); quick != arrives {
					t.Fatalf("round %d: %s arrives in %s: Arrive %v, Arrives %v", round, an, bn, arrives, quick)
				}
				if want := bf.arrives(a, b); arrives != want {
					t.Fatalf("round %d: %s arrives in %s: engine %v, brute force %v\n%s", round, an, bn, arrives, want, describe(e))
				}
				if len(a.Atts) == 1 && a.Atts[0].Table != nil {
					if got, want := m.reachedBy(a, b), bf.arrives(a, b); got != want {
						t.Fatalf("round %d: table reach %s → %s: engine %v, brute force %v\n%s", round, an, bn, got, want, describe(e))
					}
				}
				if len(from.Subnets) == 0 || len(to.Subnets) == 0 {
					continue
				}
				p := m.RoundTrip(from, to, 0)
				if quick := m.RoundTripOK(from, to, 0); quick != p.OK() {
					t.Fatalf("round %d: round trip %s → %s: RoundTrip %v, RoundTripOK %v", round, an, bn, p.OK(), quick)
				}
				if want := bf.roundTrip(a, b); p.OK() != want {
					t.Fatalf("round %d: round trip %s → %s: engine %v (%+v), brute force %v\n%s", round, an, bn, p.OK(), p.Fail, want, describe(e))
				}
			}
		}
	}
}

// reachedBy is the table shortcut the isolation checks use.
func (m *Model) reachedBy(a, b *VPC) bool {
	at := a.Atts[0]
	for _, s := range a.Leaving() {
		if _, ok := at.Zones[s.Zone]; !ok {
			continue
		}
		for _, bt := range b.Atts {
			if at.Table.Reached(s.Default != "")[bt] {
				return true
			}
		}
	}
	return false
}

func randomHub(r *rand.Rand) *estate.Estate {
	e := &estate.Estate{}
	acct := &estate.Account{Doc: estate.NewDoc("accounts/a.yaml"), Kind: "Account", Name: "a", ID: "111111111111", Role: "tooling", Regions: []string{"eu-west-1"}}
	e.Accounts = append(e.Accounts, acct)
	n := &estate.Network{Doc: estate.NewDoc("environments/a/network.yaml"), Kind: "Network", Account: "a", Region: "eu-west-1"}
	nv := 2 + r.IntN(4)
	for i := range nv {
		v := estate.VPC{Name: fmt.Sprintf("v%d", i), CIDR: fmt.Sprintf("10.%d.0.0/16", i), AZCount: 2}
		if r.IntN(4) > 0 {
			v.Subnets = append(v.Subnets, estate.SubnetTier{Name: "public", Type: "public", Prefix: 24})
			v.Egress.Type = "natGateway"
		} else {
			v.Egress.Type = "none"
		}
		v.Subnets = append(v.Subnets,
			estate.SubnetTier{Name: "private", Type: "private", Prefix: 22},
			estate.SubnetTier{Name: "tgw", Type: "isolated", Prefix: 28})
		n.VPCs = append(n.VPCs, v)
	}
	e.Networks = append(e.Networks, n)
	t := &estate.TransitGateway{Doc: estate.NewDoc("environments/a/tgw.yaml"), Kind: "TransitGateway", Name: "hub", Account: "a", Region: "eu-west-1", ASN: 64512}
	for i := range nv {
		if r.IntN(6) == 0 {
			continue
		}
		subs := []string{"tgw-a", "tgw-b"}
		if r.IntN(8) == 0 {
			subs = subs[:1]
		}
		t.Attachments = append(t.Attachments, estate.TGWAttachment{Name: fmt.Sprintf("v%d", i), VPC: fmt.Sprintf("v%d", i), Subnets: subs})
	}
	nt := 1 + r.IntN(3)
	for k := range nt {
		t.RouteTables = append(t.RouteTables, estate.TGWRouteTable{Name: fmt.Sprintf("rt%d", k)})
	}
	for _, a := range t.Attachments {
		if k := r.IntN(nt + 1); k < nt {
			t.RouteTables[k].Associations = append(t.RouteTables[k].Associations, a.Name)
		}
		for k := range nt {
			if r.IntN(2) == 0 {
				t.RouteTables[k].Propagations = append(t.RouteTables[k].Propagations, a.Name)
			}
		}
	}
	for k := range nt {
		for range r.IntN(5) {
			bits := []int{0, 8, 12, 16, 17, 20, 22, 24, 28}[r.IntN(9)]
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(r.IntN(nv + 1)), byte(r.IntN(16) * 16), byte(r.IntN(4) * 64)}), bits).Masked()
			route := estate.TGWRoute{Destination: p.String()}
			if r.IntN(3) == 0 || len(t.Attachments) == 0 {
				route.Blackhole = true
			} else {
				route.Attachment = t.Attachments[r.IntN(len(t.Attachments))].Name
			}
			t.RouteTables[k].Routes = append(t.RouteTables[k].Routes, route)
		}
	}
	e.TransitGateways = append(e.TransitGateways, t)
	return e
}

func describe(e *estate.Estate) string {
	t := e.TransitGateways[0]
	s := fmt.Sprintf("attachments %+v\n", t.Attachments)
	for _, rt := range t.RouteTables {
		s += fmt.Sprintf("table %s assoc %v prop %v routes %+v\n", rt.Name, rt.Associations, rt.Propagations, rt.Routes)
	}
	for _, v := range e.Networks[0].VPCs {
		s += fmt.Sprintf("vpc %s %s egress %s tiers %d\n", v.Name, v.CIDR, v.Egress.Type, len(v.Subnets))
	}
	return s
}

// brute is the plain walk.
type brute struct {
	t      *estate.TransitGateway
	vpcs   map[string]*estate.VPC
	cidr   map[string]netip.Prefix
	peers  map[string][]netip.Prefix
	points []netip.Addr
}

func newBrute(e *estate.Estate) *brute {
	b := &brute{t: e.TransitGateways[0], vpcs: map[string]*estate.VPC{}, cidr: map[string]netip.Prefix{}}
	var ps []netip.Prefix
	for i := range e.Networks[0].VPCs {
		v := &e.Networks[0].VPCs[i]
		b.vpcs[v.Name] = v
		b.cidr[v.Name] = netip.MustParsePrefix(v.CIDR)
		layout, _ := v.Layout("eu-west-1")
		for _, s := range layout {
			ps = append(ps, s.CIDR)
		}
		ps = append(ps, b.cidr[v.Name])
	}
	for _, rt := range b.t.RouteTables {
		for _, r := range rt.Routes {
			ps = append(ps, netip.MustParsePrefix(r.Destination))
		}
	}
	b.peers = stacks.PeerRoutes(b.t, b.cidr, slices.Collect(maps.Values(b.cidr)))
	// Every address where a longest-prefix decision can change.
	for _, p := range ps {
		lo, hi := bounds(p)
		for _, x := range []uint64{uint64(lo) - 1, uint64(lo), uint64(hi), uint64(hi) + 1} {
			if x < 1<<32 {
				b.points = append(b.points, addr(uint32(x)))
			}
		}
	}
	return b
}

func (b *brute) attachmentOf(vpc string) *estate.TGWAttachment {
	for i, a := range b.t.Attachments {
		if a.VPC == vpc {
			return &b.t.Attachments[i]
		}
	}
	return nil
}

// forward says which VPC a packet from subnet s of VPC v to x arrives in
// ("" for none).
func (b *brute) forward(v string, s estate.Subnet, x netip.Addr) string {
	if b.cidr[v].Contains(x) {
		return v
	}
	if s.Type == "isolated" {
		return ""
	}
	hasDefault := s.Type == "public" || s.Type == "private" && b.vpcs[v].Egress.Type == "natGateway"
	a := b.attachmentOf(v)
	if a == nil {
		return ""
	}
	best := -1
	for _, p := range b.peers[a.Name] {
		if p.Bits() == 0 && hasDefault {
			continue
		}
		if p.Contains(x) && p.Bits() > best {
			best = p.Bits()
		}
	}
	if best < 0 {
		return ""
	}
	zone := false
	for _, name := range a.Subnets {
		zone = zone || name[len(name)-1] == s.Name[len(s.Name)-1]
	}
	if !zone {
		return ""
	}
	var table *estate.TGWRouteTable
	for i, rt := range b.t.RouteTables {
		if table == nil && slices.Contains(rt.Associations, a.Name) {
			table = &b.t.RouteTables[i]
		}
	}
	// Longest prefix; a static route beats a propagation of the same prefix.
	bestBits, target, static := -1, "", false
	consider := func(p netip.Prefix, to string, isStatic bool) {
		if !p.Contains(x) {
			return
		}
		if p.Bits() > bestBits || p.Bits() == bestBits && isStatic && !static {
			bestBits, target, static = p.Bits(), to, isStatic
		}
	}
	for _, name := range table.Propagations {
		if at := b.attachmentByName(name); at != nil {
			consider(b.cidr[at.VPC], at.VPC, false)
		}
	}
	for _, r := range table.Routes {
		to := "" // blackhole
		if !r.Blackhole {
			to = b.attachmentByName(r.Attachment).VPC
		}
		p := netip.MustParsePrefix(r.Destination)
		if p.Bits() == bestBits && static && p.Contains(x) {
			continue // the first static route to a destination wins
		}
		consider(p, to, true)
	}
	if target == "" || !b.cidr[target].Contains(x) {
		return ""
	}
	return target
}

func (b *brute) attachmentByName(name string) *estate.TGWAttachment {
	for i, a := range b.t.Attachments {
		if a.Name == name {
			return &b.t.Attachments[i]
		}
	}
	return nil
}

func (b *brute) leaving(v string) []estate.Subnet {
	layout, _ := b.vpcs[v].Layout("eu-west-1")
	var out []estate.Subnet
	for _, s := range layout {
		if s.Type != "isolated" {
			out = append(out, s)
		}
	}
	return out
}

func (b *brute) arrives(av, bv *VPC) bool {
	for _, s := range b.leaving(av.Name) {
		for _, x := range b.points {
			if b.cidr[bv.Name].Contains(x) && b.forward(av.Name, s, x) == bv.Name {
				return true
			}
		}
	}
	return false
}

func (b *brute) roundTrip(av, bv *VPC) bool {
	for _, s := range b.leaving(av.Name) {
		for _, d := range b.leaving(bv.Name) {
			for _, x := range b.points {
				if d.CIDR.Contains(x) && b.forward(av.Name, s, x) != bv.Name {
					return false
				}
				if s.CIDR.Contains(x) && b.forward(bv.Name, d, x) != av.Name {
					return false
				}
			}
		}
	}
	return true
}
