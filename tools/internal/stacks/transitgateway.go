package stacks

import (
	"net/netip"
	"slices"

	"gitops/tools/internal/estate"
)

// A transit gateway becomes three kinds of stacks, because its resources
// belong to different accounts and depend on each other across them:
//
//  1. the owner stack (owner account): the gateway, its RAM share and its
//     route tables;
//  2. one attachments stack per attaching account: the VPC attachments
//     (created by the VPC's owner) and the VPC routes that send peer CIDRs
//     to the gateway;
//  3. the routing stack (owner account): associations, propagations and
//     static routes, which need the attachment ids.
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

// AttachmentsSpec is one account's attachments to a transit gateway.
type AttachmentsSpec struct {
	TransitGateway string `json:"transitGateway"`
	// GatewayParam is the parameter holding the gateway's id.
	GatewayParam string           `json:"gatewayParam"`
	Attachments  []AttachmentSpec `json:"attachments"`
}

// AttachmentSpec is one VPC attachment and the routes it brings its VPC.
type AttachmentSpec struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	VPC  string `json:"vpc"`
	// VPCParam and SubnetParams hold the VPC's and the subnets' ids.
	VPCParam     string   `json:"vpcParam"`
	SubnetParams []string `json:"subnetParams"`
	// Routes send the CIDRs the attachment's route table reaches to the
	// gateway, from every public and private route table of the VPC.
	Routes []VPCRoute `json:"routes,omitempty"`
}

// VPCRoute is a route in a VPC route table towards the transit gateway.
type VPCRoute struct {
	Subnet          string `json:"subnet"`
	RouteTableParam string `json:"routeTableParam"`
	Destination     string `json:"destination"`
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
	peers := PeerRoutes(t, cidrs)

	// Attachments, grouped into one stack per attaching account.
	attachStacks := map[string]*Stack{}
	attachmentParam := map[string]string{}
	var attachOrder []*Stack
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
		s := attachStacks[vpcAccount]
		if s == nil {
			s = p.newStack(KindTGWAttachments, vpcAccount, t.Region, "tgw-"+t.Name+"-attachments")
			if s == nil {
				continue
			}
			s.Attachments = &AttachmentsSpec{
				TransitGateway: t.Name,
				GatewayParam:   p.addParam(s, owner, TransitGatewayIDOutput(t.Name), "String"),
			}
			// Outside one organization the account sees the gateway only
			// once it accepts the share's invitation.
			if va := p.ix.Accounts[vpcAccount]; va != nil && va.ID != ownerAccount.ID && t.Organization == "" {
				s.AcceptShare = &ShareInvitation{Share: TransitGatewayShareName(t.Name), OwnerAccountID: ownerAccount.ID}
			}
			attachStacks[vpcAccount] = s
			attachOrder = append(attachOrder, s)
		}
		vpcParam, vpc := p.vpcParam(s, a.VPC)
		if vpc == nil {
			continue
		}
		as := AttachmentSpec{Name: a.Name, ID: Pascal(a.Name), VPC: a.VPC, VPCParam: vpcParam}
		for _, sub := range a.Subnets {
			as.SubnetParams = append(as.SubnetParams, p.subnetParam(s, a.VPC, sub))
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
				as.Routes = append(as.Routes, VPCRoute{
					Subnet:          sub.Name,
					RouteTableParam: p.routeTableParam(s, a.VPC, sub.Name),
					Destination:     dst.String(),
				})
			}
		}
		s.Attachments.Attachments = append(s.Attachments.Attachments, as)
		out := AttachmentIDOutput(t.Name, a.Name)
		s.Outputs = append(s.Outputs, out)
		attachmentParam[a.Name] = out
	}

	// Routing, in the owner account, once the attachments exist.
	routing := &RoutingSpec{TransitGateway: t.Name}
	var rs *Stack
	ref := func(name string) *AttachmentRef {
		out, ok := attachmentParam[name]
		if !ok {
			p.errorf("transit gateway %s: route tables refer to attachment %q, which is not declared", t.Name, name)
			return nil
		}
		for _, s := range attachOrder {
			if slices.Contains(s.Outputs, out) {
				p.addParam(rs, s, out, "String")
			}
		}
		return &AttachmentRef{Name: name, ID: Pascal(name), Param: out}
	}
	needed := false
	for _, rt := range t.RouteTables {
		needed = needed || len(rt.Associations)+len(rt.Propagations)+len(rt.Routes) > 0
	}
	if !needed {
		return
	}
	rs = p.newStack(KindTGWRouting, t.Account, t.Region, "tgw-"+t.Name+"-routing")
	if rs == nil {
		return
	}
	for _, rt := range t.RouteTables {
		spec := RouteTableSpec{Name: rt.Name, ID: Pascal(rt.Name), TableParam: p.addParam(rs, owner, TGWRouteTableIDOutput(t.Name, rt.Name), "String")}
		for _, a := range rt.Associations {
			if r := ref(a); r != nil {
				spec.Associations = append(spec.Associations, *r)
			}
		}
		for _, a := range rt.Propagations {
			if r := ref(a); r != nil {
				spec.Propagations = append(spec.Propagations, *r)
			}
		}
		for _, r := range rt.Routes {
			route := TGWRouteSpec{Destination: r.Destination, Blackhole: r.Blackhole}
			if !r.Blackhole {
				if route.Attachment = ref(r.Attachment); route.Attachment == nil {
					continue
				}
			}
			spec.Routes = append(spec.Routes, route)
		}
		routing.RouteTables = append(routing.RouteTables, spec)
	}
	rs.Routing = routing
	// Routing follows every attachment, even ones no table mentions, so a
	// deploy never associates before all attachments are accepted.
	for _, s := range attachOrder {
		p.dependOn(rs, s)
	}
}

// PeerRoutes returns, for each attachment of t, the destinations its VPC
// must send to the gateway: the CIDRs reachable through the route table the
// attachment is associated with — the VPC CIDRs of the attachments
// propagated into that table and its static routes to attachments — minus
// blackholed destinations and anything inside the VPC's own CIDR. vpcCIDRs
// maps VPC names to their CIDRs. Attachments without an association reach
// nothing. Each list is sorted and free of duplicates.
func PeerRoutes(t *estate.TransitGateway, vpcCIDRs map[string]netip.Prefix) map[string][]netip.Prefix {
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
		for _, assoc := range rt.Associations {
			own, hasOwn := vpcCIDRs[vpcOf[assoc]]
			var dsts []netip.Prefix
			for _, d := range reach {
				if slices.Contains(dropped, d) || slices.Contains(dsts, d) {
					continue
				}
				if hasOwn && own.Bits() <= d.Bits() && own.Contains(d.Addr()) {
					continue
				}
				dsts = append(dsts, d)
			}
			slices.SortFunc(dsts, comparePrefix)
			if _, seen := out[assoc]; !seen {
				out[assoc] = dsts
			}
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
