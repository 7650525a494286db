package reach

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"gitops/tools/internal/estate"
)

// Hop is one step of a packet's path and the YAML line that decided it.
type Hop struct {
	Pos estate.Pos
	// Text says what happened, e.g. "route table spokes: 10.10.0.0/16
	// propagated by gitlab → attachment gitlab".
	Text string
	// Return is set on the reply's hops.
	Return bool
}

// Failure is where a packet dies and the line to change.
type Failure struct {
	Pos estate.Pos
	// Why the packet dies there.
	Why  string
	Hint string
}

// Path is a walk from a source subnet to a destination: the hops taken,
// and the failure when the packet does not make it.
type Path struct {
	From *Subnet
	// To is the destination subnet (for a GitLab, a load balancer subnet).
	To    *Subnet
	Hops  []Hop
	Fail  *Failure
	Range string
}

// OK reports whether the packet made it.
func (p *Path) OK() bool { return p.Fail == nil }

// Endpoint is what a walk starts from or goes to: subnets of one VPC,
// GitLab's load balancer, or a VPC's interface endpoints.
type Endpoint struct {
	Name    string
	VPC     *VPC
	Subnets []*Subnet
	// GitLab is set when the endpoint is its load balancer.
	GitLab *estate.GitLab
	// Guard is the security group in front of the destination, as compile
	// generates it; nil for a VPC, where compile knows of none.
	Guard *Guard
}

// Guard is a destination's security group: the blocks it admits and the
// ports open to them.
type Guard struct {
	// What it guards, e.g. "GitLab main's load balancer".
	What string
	// Pos is where what it admits is declared; Fix says how to admit more.
	Pos     estate.Pos
	Fix     string
	Ingress []netip.Prefix
	Ports   []int
	// Behind are the hops after the group (the load balancer's targets).
	Behind []Hop
}

// VPCEndpoint is VPC v as a source or destination: its subnets that can
// send out of the VPC (public and private).
func VPCEndpoint(v *VPC) Endpoint {
	return Endpoint{Name: v.Name, VPC: v, Subnets: v.Leaving()}
}

// GitLabEndpoint is GitLab g's load balancer: its subnets and security
// group, as compile generates them.
func (m *Model) GitLabEndpoint(g *estate.GitLab) (Endpoint, bool) {
	v := m.VPCs[g.Network.VPC]
	if v == nil {
		return Endpoint{}, false
	}
	guard := &Guard{What: fmt.Sprintf("GitLab %s's load balancer", g.Name), Pos: g.Pos("alb.allowedCidrs"), Ports: []int{80},
		Fix:    "add an allow intent from %s to " + g.Name + ", or list its block in alb.allowedCidrs",
		Behind: []Hop{{Pos: g.Pos("network.subnets"), Text: "load balancer → GitLab tasks on tcp/80 (the task security group admits the load balancer's)"}}}
	if g.ALB.HTTPS() {
		guard.Ports = append(guard.Ports, 443)
	}
	for _, c := range estate.GitLabIngress(m.E, m.Ix, g) {
		if p, err := netip.ParsePrefix(c); err == nil && p.Addr().Is4() {
			guard.Ingress = append(guard.Ingress, p.Masked())
		}
	}
	ep := Endpoint{Name: g.Name, VPC: v, GitLab: g, Guard: guard}
	for _, s := range v.Subnets {
		if s.Tier == g.ALB.Subnets {
			ep.Subnets = append(ep.Subnets, s)
		}
	}
	return ep, len(ep.Subnets) > 0
}

// EndpointsEndpoint is VPC v's interface endpoints: the subnets compile
// puts them in and their security group, which admits the VPC's own block
// on the services' ports.
func (m *Model) EndpointsEndpoint(v *VPC) (Endpoint, bool) {
	services := v.Ref.VPC.Endpoints.Interface
	if len(services) == 0 || !v.CIDR.IsValid() {
		return Endpoint{}, false
	}
	guard := &Guard{What: fmt.Sprintf("the interface endpoints of VPC %s", v.Name), Pos: v.Ref.Network.Pos(v.Ref.Path + ".endpoints.interface"),
		Fix: "interface endpoints admit their own VPC only: give %s endpoints of its own", Ingress: []netip.Prefix{v.CIDR}}
	for _, svc := range services {
		for _, p := range estate.InterfaceEndpointPorts(svc) {
			if !slices.Contains(guard.Ports, p) {
				guard.Ports = append(guard.Ports, p)
			}
		}
	}
	slices.Sort(guard.Ports)
	ep := Endpoint{Name: v.Name + "/endpoints", VPC: v, Guard: guard}
	tier := v.Ref.VPC.EndpointTier()
	for _, s := range v.Subnets {
		if s.Tier == tier {
			ep.Subnets = append(ep.Subnets, s)
		}
	}
	return ep, len(ep.Subnets) > 0
}

// RoundTrip walks from every subnet of from to every subnet of to on TCP
// port (0: any) and back: what an allow intent needs. It returns the first
// failing path, or the first path when all make it.
func (m *Model) RoundTrip(from, to Endpoint, port int) Path {
	var first *Path
	for _, s := range from.Subnets {
		for _, d := range to.Subnets {
			p := m.roundTrip(s, d, to, port)
			if !p.OK() {
				return p
			}
			if first == nil {
				first = &p
			}
		}
	}
	if first == nil {
		return Path{Fail: &Failure{Why: "no subnet to walk between"}}
	}
	return *first
}

func (m *Model) roundTrip(s, d *Subnet, to Endpoint, port int) Path {
	dlo, dhi := bounds(d.CIDR)
	p := Path{From: s, To: d, Range: d.CIDR.String()}
	legs := m.legs(s, dlo, dhi, d.VPC, false)
	for _, l := range legs {
		if l.Fail != nil {
			p.Hops, p.Fail = l.Hops, l.Fail
			return p
		}
	}
	p.Hops = legs[0].Hops
	if to.Guard != nil {
		h, f := m.securityGroup(s, to, port)
		p.Hops = append(p.Hops, h...)
		if f != nil {
			p.Fail = f
			return p
		}
	}
	slo, shi := bounds(s.CIDR)
	back := m.legs(d, slo, shi, s.VPC, true)
	for _, l := range back {
		if l.Fail != nil {
			p.Hops, p.Fail = append(p.Hops, l.Hops...), l.Fail
			return p
		}
	}
	p.Hops = append(p.Hops, back[0].Hops...)
	return p
}

// Arrive walks forward only, from every subnet of from to to: what a deny
// intent forbids. It returns the first path that arrives, if any.
func (m *Model) Arrive(from, to Endpoint, port int) (Path, bool) {
	for _, s := range from.Subnets {
		if to.Guard != nil {
			for _, d := range to.Subnets {
				lo, hi := bounds(d.CIDR)
				for _, l := range m.legs(s, lo, hi, d.VPC, false) {
					if l.Fail == nil {
						h, f := m.securityGroup(s, to, port)
						if f == nil {
							return Path{From: s, To: d, Hops: append(l.Hops, h...), Range: l.Range}, true
						}
					}
				}
			}
			continue
		}
		if !to.VPC.CIDR.IsValid() {
			continue
		}
		lo, hi := bounds(to.VPC.CIDR)
		for _, l := range m.legs(s, lo, hi, to.VPC, false) {
			if l.Fail == nil {
				return Path{From: s, Hops: l.Hops, Range: l.Range}, true
			}
		}
	}
	return Path{}, false
}

// leg is the way of one range of destinations.
type leg struct {
	Range string
	Hops  []Hop
	Fail  *Failure
}

// legs walks from subnet s towards the destinations [lo, hi], which should
// land in VPC want, one leg per range the route tables treat alike.
func (m *Model) legs(s *Subnet, lo, hi uint32, want *VPC, ret bool) []leg {
	var out []leg
	for _, r := range m.EffectiveRoutes(s, lo, hi) {
		rng := rangeString(r.Lo, r.Hi)
		start := Hop{Pos: subnetPos(s), Return: ret}
		switch r.Kind {
		case Local:
			start.Text = fmt.Sprintf("%s %s (%s) route table: %s local", s.VPC.Name, s.Name, s.CIDR, r.Prefix)
			l := leg{Range: rng, Hops: []Hop{start}}
			if want != s.VPC {
				l.Fail = &Failure{Pos: vpcPos(s.VPC, "cidr"), Why: fmt.Sprintf("%s is inside VPC %s's own block", rng, s.VPC.Name),
					Hint: "VPCs that talk to each other need blocks that do not overlap"}
			}
			out = append(out, l)
		case None, Internet:
			start.Text = fmt.Sprintf("%s %s (%s) route table: no route to %s", s.VPC.Name, s.Name, s.CIDR, rng)
			if r.Kind == Internet {
				start.Text = fmt.Sprintf("%s %s (%s) route table: %s only matches 0.0.0.0/0 → %s, which carries no traffic to other VPCs", s.VPC.Name, s.Name, s.CIDR, rng, s.Default)
			}
			out = append(out, leg{Range: rng, Hops: []Hop{start}, Fail: m.noRoute(s, want, rng)})
		case Gateway:
			start.Text = fmt.Sprintf("%s %s (%s) route table: %s → transit gateway %s", s.VPC.Name, s.Name, s.CIDR, r.Prefix, r.Att.Hub.T.Name)
			for _, l := range m.hubLegs(s, r, want, ret) {
				l.Hops = append([]Hop{start}, l.Hops...)
				out = append(out, l)
			}
		}
	}
	return out
}

// hubLegs follows route r of subnet s through its attachment and the
// associated gateway route table.
func (m *Model) hubLegs(s *Subnet, r Route, want *VPC, ret bool) []leg {
	a := r.Att
	t := a.Hub.T
	sub, ok := a.Zones[s.Zone]
	if !ok {
		return []leg{{Range: rangeString(r.Lo, r.Hi), Fail: &Failure{
			Pos:  t.Pos(estate.ItemPath("attachments", a.Index) + ".subnets"),
			Why:  fmt.Sprintf("attachment %s has no subnet in %s, where %s is", a.Name, s.Zone, s.Name),
			Hint: fmt.Sprintf("add a subnet of %s in %s to the attachment", s.VPC.Name, s.Zone),
		}}}
	}
	att := Hop{Pos: t.Pos(a.AssocPath), Return: ret,
		Text: fmt.Sprintf("attachment %s (subnet %s) associated with route table %s", a.Name, sub, a.Table.Name)}
	var out []leg
	for _, tr := range a.Table.Forward(r.Lo, r.Hi) {
		rng := rangeString(tr.Lo, tr.Hi)
		l := leg{Range: rng, Hops: []Hop{att}}
		e := tr.Entry
		switch {
		case e == nil:
			l.Fail = m.noRoute(s, want, rng)
		case e.Blackhole:
			l.Hops = append(l.Hops, Hop{Pos: t.Pos(e.Path), Return: ret, Text: fmt.Sprintf("route table %s: %s blackhole", a.Table.Name, e.Prefix)})
			l.Fail = &Failure{Pos: t.Pos(e.Path), Why: fmt.Sprintf("route table %s blackholes %s", a.Table.Name, e.Prefix),
				Hint: fmt.Sprintf("narrow or remove the blackhole so %s stays routed", rng)}
		case e.Att == nil || e.Att.VPC == nil:
			l.Fail = &Failure{Pos: t.Pos(e.Path), Why: fmt.Sprintf("route table %s sends %s to an attachment with no VPC here", a.Table.Name, e.Prefix),
				Hint: "point the route at a declared attachment"}
		default:
			b := e.Att
			how := "propagated by " + b.Name
			if e.Static {
				how = "static route"
			}
			l.Hops = append(l.Hops, Hop{Pos: t.Pos(e.Path), Return: ret,
				Text: fmt.Sprintf("route table %s: %s %s → attachment %s", a.Table.Name, e.Prefix, how, b.Name)})
			// The range lies inside the destination asked for, so it is
			// inside want's block: only another VPC is wrong.
			switch {
			case b.VPC != want && !b.VPC.CIDR.Contains(addr(tr.Lo)):
				l.Fail = &Failure{Pos: t.Pos(e.Path), Why: fmt.Sprintf("route table %s sends %s to VPC %s, which does not hold it and forwards nothing", a.Table.Name, rng, b.VPC.Name),
					Hint: fmt.Sprintf("send %s to the attachment of VPC %s", rng, want.Name)}
			case b.VPC != want:
				l.Fail = &Failure{Pos: t.Pos(e.Path), Why: fmt.Sprintf("route table %s sends %s to VPC %s instead of %s", a.Table.Name, rng, b.VPC.Name, want.Name),
					Hint: "remove or narrow this route"}
			default:
				l.Hops = append(l.Hops, Hop{Pos: vpcPos(b.VPC, "cidr"), Return: ret,
					Text: fmt.Sprintf("VPC %s (%s): delivered locally", b.VPC.Name, b.VPC.CIDR)})
			}
		}
		out = append(out, l)
	}
	return out
}

// noRoute explains a packet from s to VPC want that finds no route, and
// names the line to change: the attachment to add, the association to
// make, or the propagation to add.
func (m *Model) noRoute(s *Subnet, want *VPC, rng string) *Failure {
	v := s.VPC
	if s.Type == "isolated" {
		return &Failure{Pos: v.Ref.Network.Pos(fmt.Sprintf("%s.subnets[%d].type", v.Ref.Path, s.TierIndex)),
			Why:  fmt.Sprintf("subnet %s of VPC %s is isolated, so its route table has no route out of the VPC", s.Name, v.Name),
			Hint: "use a private tier for what must talk to other VPCs"}
	}
	for _, wa := range want.Atts {
		h := wa.Hub
		a := v.Attachment(h)
		switch {
		case a == nil:
			continue
		case a.Table == nil:
			hint := fmt.Sprintf("list %s under associations of a route table", a.Name)
			if len(wa.Propagated) > 0 {
				hint = fmt.Sprintf("list %s under associations of route table %s, into which %s propagates", a.Name, wa.Propagated[0].Name, wa.Name)
			}
			return &Failure{Pos: h.T.Pos(estate.ItemPath("attachments", a.Index) + ".name"),
				Why: fmt.Sprintf("attachment %s is associated with no route table, so the gateway drops its traffic", a.Name), Hint: hint}
		default:
			rp := estate.ItemPath("routeTables", a.Table.Index)
			return &Failure{Pos: h.T.Pos(rp + ".propagations"),
				Why:  fmt.Sprintf("route table %s, which attachment %s is associated with, has no route to %s (VPC %s)", a.Table.Name, a.Name, rng, want.Name),
				Hint: fmt.Sprintf("add %s to the propagations of route table %s", wa.Name, a.Table.Name)}
		}
	}
	if len(want.Atts) == 0 {
		return &Failure{Pos: vpcPos(want, "name"), Why: fmt.Sprintf("VPC %s is attached to no transit gateway", want.Name),
			Hint: "add an attachment for it in the transit gateway's document"}
	}
	return &Failure{Pos: vpcPos(v, "name"), Why: fmt.Sprintf("VPC %s is not attached to transit gateway %s, where VPC %s is", v.Name, want.Atts[0].Hub.T.Name, want.Name),
		Hint: fmt.Sprintf("add an attachment for %s to %s", v.Name, want.Atts[0].Hub.T.File)}
}

// securityGroup checks that the destination's security group admits
// subnet s on port.
func (m *Model) securityGroup(s *Subnet, to Endpoint, port int) ([]Hop, *Failure) {
	g := to.Guard
	if port != 0 && !slices.Contains(g.Ports, port) {
		return nil, &Failure{Pos: g.Pos, Why: fmt.Sprintf("the security group of %s opens %s only, not %d", g.What, portList(g.Ports), port),
			Hint: "ask for a port it opens"}
	}
	lo, hi := bounds(s.CIDR)
	var covering []netip.Prefix
	for _, c := range g.Ingress {
		cl, ch := bounds(c)
		if cl <= lo && hi <= ch {
			covering = append(covering, c)
		}
	}
	if len(covering) == 0 {
		return nil, &Failure{Pos: g.Pos, Why: fmt.Sprintf("the security group of %s does not admit %s (%s)", g.What, s.CIDR, s.VPC.Name),
			Hint: fmt.Sprintf(g.Fix, s.VPC.Name)}
	}
	ports := portList(g.Ports)
	if port != 0 {
		ports = "tcp/" + strconv.Itoa(port)
	}
	return append([]Hop{{Pos: g.Pos, Text: fmt.Sprintf("security group of %s: %s admitted by %s on %s", g.What, s.CIDR, covering[0], ports)}}, g.Behind...), nil
}

func portList(ports []int) string {
	var s []string
	for _, p := range ports {
		s = append(s, "tcp/"+strconv.Itoa(p))
	}
	return strings.Join(s, " and ")
}

func vpcPos(v *VPC, key string) estate.Pos {
	return v.Ref.Network.Pos(v.Ref.Path + "." + key)
}

func subnetPos(s *Subnet) estate.Pos {
	return s.VPC.Ref.Network.Pos(fmt.Sprintf("%s.subnets[%d].name", s.VPC.Ref.Path, s.TierIndex))
}
