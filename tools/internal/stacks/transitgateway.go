package stacks

import (
	"fmt"
	"net/netip"
	"slices"

	"gitops/tools/internal/estate"
)

// A transit gateway becomes three kinds of stacks, because its resources
// belong to different accounts and depend on each other across them:
//
//  1. the owner stack (owner account): the gateway, its RAM share and its
//     route tables;
//  2. each attachment in its VPC's network stack (the VPC's owner creates
//     it), with the VPC routes that send the summarised peer CIDRs to the
//     gateway (see Summarise);
//  3. routing stacks (owner account): associations and propagations per
//     attaching account, static routes per route table and /16 of their
//     destinations (see planRouting), which need the attachment ids.
//
// Values cross accounts as parameters filled from the producers' outputs.

// TransitGatewaySpec is the owner stack of a transit gateway.
type TransitGatewaySpec struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	ASN  int    `json:"asn"`
	// ShareWith holds the account ids the gateway is shared to, sorted.
	ShareWith []string `json:"shareWith,omitempty"`
	// Organization, when set, is the one principal of the share (an
	// organization or OU ARN) instead of the account ids.
	Organization string `json:"organization,omitempty"`
	// RouteTables are the route tables' names, as declared.
	RouteTables []string `json:"routeTables,omitempty"`
}

// AttachmentSpec is one VPC attachment, in its VPC's network stack, and
// the routes it brings the VPC's route tables.
type AttachmentSpec struct {
	Name string `json:"name"`
	// ID prefixes the logical IDs of its resources: Pascal of the gateway
	// and attachment names.
	ID             string `json:"id"`
	TransitGateway string `json:"transitGateway"`
	// GatewayParam is the parameter holding the gateway's id.
	GatewayParam string `json:"gatewayParam"`
	// Subnets are the attachment's subnets, one per zone.
	Subnets []string `json:"subnets"`
	// Routes send the CIDRs the attachment's route table reaches
	// (summarised) to the gateway, from every public and private route
	// table of the VPC.
	Routes []VPCRoute `json:"routes,omitempty"`
}

// VPCRoute is a route in a VPC route table towards the transit gateway.
type VPCRoute struct {
	Subnet      string `json:"subnet"`
	Destination string `json:"destination"`
}

// RoutingSpec is the owner's associations, propagations and static routes.
type RoutingSpec struct {
	TransitGateway string           `json:"transitGateway"`
	RouteTables    []RouteTableSpec `json:"routeTables"`
}

// RouteTableSpec is what one gateway route table routes.
type RouteTableSpec struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// TableParam holds the route table's id.
	TableParam string `json:"tableParam"`
	// Associations and Propagations name attachments and the parameters
	// holding their ids.
	Associations []AttachmentRef `json:"associations,omitempty"`
	Propagations []AttachmentRef `json:"propagations,omitempty"`
	Routes       []TGWRouteSpec  `json:"routes,omitempty"`
}

// AttachmentRef is an attachment and the parameter holding its id.
type AttachmentRef struct {
	Name  string `json:"name"`
	ID    string `json:"id"`
	Param string `json:"param"`
}

// TGWRouteSpec is a static route to an attachment, or a blackhole.
type TGWRouteSpec struct {
	Destination string         `json:"destination"`
	Attachment  *AttachmentRef `json:"attachment,omitempty"`
	Blackhole   bool           `json:"blackhole,omitempty"`
}

func (p *planner) planTransitGateways() {
	for _, t := range p.e.TransitGateways {
		if p.ix.TransitGateways[t.Name] == t {
			p.planTransitGateway(t)
		}
	}
}

func (p *planner) planTransitGateway(t *estate.TransitGateway) {
	owner := p.newStack(KindTransitGateway, t.Account, t.Region, "tgw-"+t.Name)
	if owner == nil {
		return
	}
	owner.Origin = t.Pos("name")
	spec := &TransitGatewaySpec{Name: t.Name, ID: Pascal(t.Name), ASN: t.ASN, Organization: t.Organization}
	ownerAccount := p.ix.Accounts[t.Account]
	for _, name := range t.ShareWith {
		a := p.ix.Accounts[name]
		if a == nil {
			p.errorf("transit gateway %s: shareWith account %q is not declared", t.Name, name)
			continue
		}
		if a.ID != ownerAccount.ID && !slices.Contains(spec.ShareWith, a.ID) {
			spec.ShareWith = append(spec.ShareWith, a.ID)
		}
	}
	slices.Sort(spec.ShareWith)
	for _, rt := range t.RouteTables {
		spec.RouteTables = append(spec.RouteTables, rt.Name)
	}
	owner.TransitGateway = spec
	owner.Outputs = append(owner.Outputs, TransitGatewayIDOutput(t.Name))

	cidrs := map[string]netip.Prefix{}
	for _, a := range t.Attachments {
		if ref, ok := p.ix.VPCs[a.VPC]; ok {
			if c, err := netip.ParsePrefix(ref.VPC.CIDR); err == nil {
				cidrs[a.VPC] = c.Masked()
			}
		}
	}
	peers := PeerRoutes(t, cidrs, p.estateCIDRs())

	// Attachments, each in the network stack of its VPC (the VPC's owner
	// creates it).
	attachStacks := map[string]*Stack{}
	attachmentParam := map[string]string{}
	for _, a := range t.Attachments {
		ref, ok := p.ix.VPCs[a.VPC]
		if !ok {
			p.errorf("transit gateway %s: attachment %s: VPC %q is not declared", t.Name, a.Name, a.VPC)
			continue
		}
		vpcAccount := ref.Network.Account
		if ref.Network.Region != t.Region {
			p.errorf("transit gateway %s: attachment %s: VPC %s is in %s, the gateway in %s", t.Name, a.Name, a.VPC, ref.Network.Region, t.Region)
			continue
		}
		if va := p.ix.Accounts[vpcAccount]; va != nil && va.ID != ownerAccount.ID && !slices.Contains(spec.ShareWith, va.ID) {
			p.errorf("transit gateway %s: attachment %s: account %s of VPC %s is not in shareWith", t.Name, a.Name, vpcAccount, a.VPC)
			continue
		}
		s, vpc := p.vpcStack(a.VPC)
		// Outside one organization the account sees the gateway only once
		// it accepts the share's invitation, before the VPC's stack (which
		// holds the attachment). One invitation per stack: a VPC attached
		// to gateways of two owners outside an organization accepts the
		// first one's.
		if va := p.ix.Accounts[vpcAccount]; s != nil && va != nil && va.ID != ownerAccount.ID && t.Organization == "" && s.AcceptShare == nil {
			s.AcceptShare = &ShareInvitation{Share: TransitGatewayShareName(t.Name), OwnerAccountID: ownerAccount.ID}
		}
		if vpc == nil {
			p.errorf("transit gateway %s: attachment %s: VPC %s has no network stack", t.Name, a.Name, a.VPC)
			continue
		}
		as := AttachmentSpec{Name: a.Name, ID: Pascal(t.Name) + Pascal(a.Name), TransitGateway: t.Name,
			GatewayParam: p.addParam(s, owner, TransitGatewayIDOutput(t.Name), "String")}
		for _, sub := range a.Subnets {
			if _, ok := vpc.Subnet(sub); !ok {
				p.errorf("transit gateway %s: attachment %s: VPC %s has no subnet %q", t.Name, a.Name, a.VPC, sub)
			}
			as.Subnets = append(as.Subnets, sub)
		}
		for _, sub := range vpc.Subnets {
			if sub.Type == "isolated" {
				// Isolated subnets have no route out of their VPC.
				continue
			}
			for _, dst := range peers[a.Name] {
				if dst.Bits() == 0 && sub.DefaultRoute != "" {
					// The subnet's default route already goes to its
					// internet gateway or NAT; a second one would fail.
					continue
				}
				as.Routes = append(as.Routes, VPCRoute{Subnet: sub.Name, Destination: dst.String()})
			}
		}
		s.Network.Attachments = append(s.Network.Attachments, as)
		out := AttachmentIDOutput(t.Name, a.Name)
		s.Outputs = append(s.Outputs, out)
		attachStacks[a.Name] = s
		attachmentParam[a.Name] = out
	}

	p.planRouting(t, owner, attachStacks, attachmentParam)
}

// planRouting places a gateway's associations, propagations and static
// routes in the owner account, in stacks whose membership never depends on
// how many of anything there are, so that adding an attachment or a route
// never moves a resource from one stack to another (a move is a delete and
// a create, an outage):
//
//   - tgw-<gw>-routing-<account>: the associations and propagations of the
//     attachments of one attaching account (bounded by its VPCs);
//   - tgw-<gw>-<table>-routes-<a>-<b>: the static routes and blackholes of
//     one route table whose destination lies in the /16 a.b.0.0 (routes
//     shorter than /16 go by their first address).
func (p *planner) planRouting(t *estate.TransitGateway, owner *Stack, attachStacks map[string]*Stack, attachmentParam map[string]string) {
	accountOf := map[string]string{}
	for name, s := range attachStacks {
		accountOf[name] = s.Account
	}
	byName := map[string]*Stack{}
	stack := func(name string, origin string) *Stack {
		if s, ok := byName[name]; ok {
			return s
		}
		s := p.newStack(KindTGWRouting, t.Account, t.Region, name)
		if s != nil {
			s.Routing = &RoutingSpec{TransitGateway: t.Name}
			s.Origin = t.Pos(origin)
		}
		byName[name] = s
		return s
	}
	table := func(s *Stack, rt *estate.TGWRouteTable) *RouteTableSpec {
		specs := s.Routing.RouteTables
		if n := len(specs); n > 0 && specs[n-1].Name == rt.Name {
			return &specs[n-1]
		}
		s.Routing.RouteTables = append(specs, RouteTableSpec{Name: rt.Name, ID: Pascal(rt.Name),
			TableParam: p.addParam(s, owner, TGWRouteTableIDOutput(t.Name, rt.Name), "String")})
		return &s.Routing.RouteTables[len(s.Routing.RouteTables)-1]
	}
	ref := func(s *Stack, name string) *AttachmentRef {
		out, ok := attachmentParam[name]
		if !ok {
			p.errorf("transit gateway %s: route tables refer to attachment %q, which is not declared", t.Name, name)
			return nil
		}
		p.addParam(s, attachStacks[name], out, "String")
		return &AttachmentRef{Name: name, ID: Pascal(name), Param: out}
	}
	for i := range t.RouteTables {
		rt := &t.RouteTables[i]
		for k, a := range rt.Associations {
			s := stack(RoutingStackName(t.Name, accountOf[a]), fmt.Sprintf("routeTables[%d].associations[%d]", i, k))
			if s == nil {
				continue
			}
			if r := ref(s, a); r != nil {
				spec := table(s, rt)
				spec.Associations = append(spec.Associations, *r)
			}
		}
	}
	for i := range t.RouteTables {
		rt := &t.RouteTables[i]
		for k, a := range rt.Propagations {
			s := stack(RoutingStackName(t.Name, accountOf[a]), fmt.Sprintf("routeTables[%d].propagations[%d]", i, k))
			if s == nil {
				continue
			}
			if r := ref(s, a); r != nil {
				spec := table(s, rt)
				spec.Propagations = append(spec.Propagations, *r)
			}
		}
	}
	for i := range t.RouteTables {
		rt := &t.RouteTables[i]
		for k, r := range rt.Routes {
			s := stack(RoutesStackName(t.Name, rt.Name, r.Destination), fmt.Sprintf("routeTables[%d].routes[%d].destination", i, k))
			if s == nil {
				continue
			}
			route := TGWRouteSpec{Destination: r.Destination, Blackhole: r.Blackhole}
			if !r.Blackhole {
				if route.Attachment = ref(s, r.Attachment); route.Attachment == nil {
					continue
				}
			}
			spec := table(s, rt)
			spec.Routes = append(spec.Routes, route)
		}
	}
}

// RoutingStackName names the stack of the associations and propagations of
// one attaching account's attachments to gateway tgw.
func RoutingStackName(tgw, account string) string { return "tgw-" + tgw + "-routing-" + account }

// RoutesStackName names the stack of the static routes of a gateway route
// table whose destinations lie in the same /16 as destination.
func RoutesStackName(tgw, table, destination string) string {
	block := "invalid"
	if d, err := netip.ParsePrefix(destination); err == nil && d.Addr().Is4() {
		a := d.Masked().Addr().As4()
		block = fmt.Sprintf("%d-%d", a[0], a[1])
	}
	return "tgw-" + tgw + "-" + table + "-routes-" + block
}

// PeerRoutes returns, for each attachment of t, the destinations its VPC
// must send to the gateway: a summary (see Summarise) of the CIDRs
// reachable through the route table the attachment is associated with —
// the VPC CIDRs of the attachments propagated into that table and its
// static routes to attachments, minus destinations blackholed exactly —
// that covers no other VPC of the estate (estateCIDRs) nor a blackhole
// unless the table reaches it, with nothing inside the VPC's own CIDR.
// vpcCIDRs maps attached VPC names to their CIDRs. Attachments without an
// association reach nothing. Each list is sorted and free of duplicates.
func PeerRoutes(t *estate.TransitGateway, vpcCIDRs map[string]netip.Prefix, estateCIDRs []netip.Prefix) map[string][]netip.Prefix {
	vpcOf := map[string]string{}
	for _, a := range t.Attachments {
		vpcOf[a.Name] = a.VPC
	}
	out := map[string][]netip.Prefix{}
	for _, rt := range t.RouteTables {
		var reach, dropped []netip.Prefix
		for _, prop := range rt.Propagations {
			if c, ok := vpcCIDRs[vpcOf[prop]]; ok {
				reach = append(reach, c)
			}
		}
		for _, r := range rt.Routes {
			d, err := netip.ParsePrefix(r.Destination)
			if err != nil {
				continue
			}
			d = d.Masked()
			if r.Blackhole {
				dropped = append(dropped, d)
			} else {
				reach = append(reach, d)
			}
		}
		// A static blackhole beats a propagated route to the same prefix.
		reach = slices.DeleteFunc(reach, func(d netip.Prefix) bool { return slices.Contains(dropped, d) })
		forbidden := append(slices.Clone(dropped), estateCIDRs...)
		summary := Summarise(reach, forbidden)
		for _, assoc := range rt.Associations {
			if _, seen := out[assoc]; seen {
				continue
			}
			own, hasOwn := vpcCIDRs[vpcOf[assoc]]
			dsts := []netip.Prefix{}
			for _, d := range summary {
				if hasOwn && own.Bits() <= d.Bits() && own.Contains(d.Addr()) {
					// The VPC's local route already covers it.
					continue
				}
				dsts = append(dsts, d)
			}
			out[assoc] = dsts
		}
	}
	return out
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}
