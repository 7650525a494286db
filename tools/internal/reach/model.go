// Package reach is the reachability engine: from the estate alone, and the
// routing and security groups compile derives from it, it decides whether
// packets get from one VPC to another over the transit gateways, hop by
// hop, each hop with the YAML line that decided it. It makes no AWS call.
//
// What it models: each subnet's route table as compile generates it (the
// local route, 0.0.0.0/0 to the internet gateway or NAT, and the routes to
// the gateway derived from the associated gateway route table, see
// EffectiveRoute); the attachment's subnet in the packet's zone; the
// gateway route table the attachment is associated with, by longest prefix
// (static routes win over propagated ones, blackholes drop); delivery inside
// the destination VPC; and for a GitLab service its load balancer's
// security group. Network ACLs are AWS's default (allow all), since compile
// makes none. A VPC does not forward traffic for addresses outside its own
// block (no appliance), and the internet gateway and NATs carry no traffic
// to private addresses of other VPCs.
package reach

import (
	"net/netip"
	"slices"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// Model is the estate's network, ready to walk.
type Model struct {
	E    *estate.Estate
	Ix   *estate.Index
	VPCs map[string]*VPC
	Hubs []*Hub
}

// VPC is a VPC with its laid-out subnets and its attachments.
type VPC struct {
	Ref  estate.VPCRef
	Name string
	// CIDR is invalid when the VPC's block does not parse.
	CIDR    netip.Prefix
	Subnets []*Subnet
	Atts    []*Attachment
}

// Subnet is one subnet and what its route table sends to 0.0.0.0/0.
type Subnet struct {
	estate.Subnet
	VPC *VPC
	// Default is "internet gateway", "NAT" or empty for no default route.
	Default string
}

// Hub is a transit gateway.
type Hub struct {
	T      *estate.TransitGateway
	Atts   []*Attachment
	ByName map[string]*Attachment
	Tables []*Table
}

// Attachment is a VPC attachment to a hub.
type Attachment struct {
	Hub   *Hub
	Index int
	Name  string
	// VPC is nil when the attachment's VPC is unknown or in another region.
	VPC *VPC
	// Zones maps each zone the attachment has a subnet in to that subnet.
	Zones map[string]string
	// Table is the route table the attachment is associated with (the
	// first one listing it), AssocPath that listing's YAML path.
	Table     *Table
	AssocPath string
	// Propagated lists the tables the attachment propagates into.
	Propagated []*Table
}

// Table is a transit gateway route table.
type Table struct {
	Hub   *Hub
	Index int
	Name  string
	// Entries are the routes the table holds, one per destination (a
	// static route wins over a propagated one), sorted.
	Entries []Entry
	fwd     spanMap
	// Sent are the destinations VPCs associated with the table send to the
	// gateway, before compile summarises them (stacks.PeerRoutes): the
	// table's destinations but those blackholed exactly. A summary never
	// changes where an address of a VPC ends up (stacks.Summarise takes in
	// no other VPC's block and no blackhole the table does not reach), so
	// verdicts use these, and only paths shown to a person pay for the
	// summaries (see Summaries).
	Sent      []netip.Prefix
	sent      spanMap
	summaries *[]netip.Prefix
	summary   spanMap
	forbidden []netip.Prefix
	// Assoc are the attachments associated with the table.
	Assoc []*Attachment
	// reached caches Reached(false) and Reached(true).
	reached [2]map[*Attachment]bool
}

// Entry is one route of a gateway route table.
type Entry struct {
	Prefix netip.Prefix
	// Att receives the traffic; nil for a blackhole or an unknown attachment.
	Att       *Attachment
	Blackhole bool
	Static    bool
	// Path locates the propagation or static route in the gateway document.
	Path string
}

// Build makes the model of e.
func Build(e *estate.Estate, ix *estate.Index) *Model {
	m := &Model{E: e, Ix: ix, VPCs: map[string]*VPC{}}
	for _, n := range e.Networks {
		for i := range n.VPCs {
			ref := ix.VPCs[n.VPCs[i].Name]
			if ref.VPC != &n.VPCs[i] {
				continue // a duplicate name; validate reports it
			}
			m.VPCs[ref.VPC.Name] = newVPC(ref)
		}
	}
	// Summaries of routes must not take in another VPC's block: every
	// VPC of the estate, as compile sees them.
	var estateCIDRs []netip.Prefix
	for _, n := range e.Networks {
		for i := range n.VPCs {
			if c, err := netip.ParsePrefix(n.VPCs[i].CIDR); err == nil {
				estateCIDRs = append(estateCIDRs, c.Masked())
			}
		}
	}
	for _, t := range e.TransitGateways {
		if ix.TransitGateways[t.Name] == t {
			m.Hubs = append(m.Hubs, m.newHub(t, estateCIDRs))
		}
	}
	return m
}

func newVPC(ref estate.VPCRef) *VPC {
	v := &VPC{Ref: ref, Name: ref.VPC.Name}
	if p, err := netip.ParsePrefix(ref.VPC.CIDR); err == nil && p.Addr().Is4() {
		v.CIDR = p.Masked()
	}
	layout, errs := ref.VPC.Layout(ref.Network.Region)
	if len(errs) > 0 || !v.CIDR.IsValid() {
		return v
	}
	// The same rule as compile's placeNATs: public subnets go out through
	// the internet gateway, private ones through a NAT when the VPC has
	// one, isolated ones nowhere.
	nat := ref.VPC.Egress.Type == "natGateway" || ref.VPC.Egress.Type == "natInstance"
	for _, s := range layout {
		if !s.CIDR.IsValid() || !s.CIDR.Addr().Is4() {
			continue // validate reports it; the engine walks IPv4 only
		}
		sub := &Subnet{Subnet: s, VPC: v}
		switch {
		case s.Type == "public":
			sub.Default = "internet gateway"
		case s.Type == "private" && nat:
			sub.Default = "NAT"
		}
		v.Subnets = append(v.Subnets, sub)
	}
	return v
}

func (m *Model) newHub(t *estate.TransitGateway, estateCIDRs []netip.Prefix) *Hub {
	h := &Hub{T: t, ByName: map[string]*Attachment{}}
	for k, a := range t.Attachments {
		at := &Attachment{Hub: h, Index: k, Name: a.Name, Zones: map[string]string{}}
		if v := m.VPCs[a.VPC]; v != nil && v.Ref.Network.Region == t.Region {
			at.VPC = v
			v.Atts = append(v.Atts, at)
			for _, name := range a.Subnets {
				for _, s := range v.Subnets {
					if s.Name == name {
						at.Zones[s.Zone] = name
					}
				}
			}
		}
		h.Atts = append(h.Atts, at)
		if _, dup := h.ByName[a.Name]; !dup {
			h.ByName[a.Name] = at
		}
	}
	for r := range t.RouteTables {
		h.Tables = append(h.Tables, h.newTable(r, estateCIDRs))
	}
	return h
}

func (h *Hub) newTable(r int, estateCIDRs []netip.Prefix) *Table {
	rt := &h.T.RouteTables[r]
	tb := &Table{Hub: h, Index: r, Name: rt.Name}
	rp := estate.ItemPath("routeTables", r)
	for q, name := range rt.Associations {
		if a := h.ByName[name]; a != nil && a.Table == nil {
			a.Table, a.AssocPath = tb, estate.ItemPath(rp+".associations", q)
			tb.Assoc = append(tb.Assoc, a)
		}
	}
	byPrefix := map[netip.Prefix]int{}
	put := func(e Entry) {
		if i, ok := byPrefix[e.Prefix]; ok {
			// The first static route to a destination wins over any
			// propagation; among propagations, the first.
			if e.Static && !tb.Entries[i].Static {
				tb.Entries[i] = e
			}
			return
		}
		byPrefix[e.Prefix] = len(tb.Entries)
		tb.Entries = append(tb.Entries, e)
	}
	dropped := map[netip.Prefix]bool{}
	var reach, holes []netip.Prefix
	for q, name := range rt.Propagations {
		a := h.ByName[name]
		if a == nil || a.VPC == nil || !a.VPC.CIDR.IsValid() {
			continue
		}
		if !slices.Contains(a.Propagated, tb) {
			a.Propagated = append(a.Propagated, tb)
		}
		put(Entry{Prefix: a.VPC.CIDR, Att: a, Path: estate.ItemPath(rp+".propagations", q)})
		reach = append(reach, a.VPC.CIDR)
	}
	for q, route := range rt.Routes {
		d, err := netip.ParsePrefix(route.Destination)
		if err != nil || !d.Addr().Is4() {
			continue
		}
		d = d.Masked()
		e := Entry{Prefix: d, Static: true, Blackhole: route.Blackhole, Path: estate.ItemPath(rp+".routes", q)}
		if route.Blackhole {
			dropped[d] = true
			holes = append(holes, d)
		} else {
			e.Att = h.ByName[route.Attachment]
			reach = append(reach, d)
		}
		put(e)
	}
	slices.SortFunc(tb.Entries, func(a, b Entry) int { return estate.ComparePrefix(a.Prefix, b.Prefix) })
	ps := make([]netip.Prefix, len(tb.Entries))
	for i, e := range tb.Entries {
		ps[i] = e.Prefix
	}
	tb.fwd = newSpanMap(ps)
	// Compile's peer routes: what the table reaches, less what it drops
	// exactly; summarised on demand.
	for _, d := range reach {
		if !dropped[d] {
			tb.Sent = append(tb.Sent, d)
		}
	}
	slices.SortFunc(tb.Sent, estate.ComparePrefix)
	tb.Sent = slices.Compact(tb.Sent)
	tb.sent = newSpanMap(tb.Sent)
	tb.forbidden = append(holes, estateCIDRs...)
	return tb
}

// Summaries returns the routes compile writes into the VPC route tables of
// the attachments associated with tb: Sent, summarised by compile's own
// function. They are computed on first use (the Model is not for
// concurrent use).
func (tb *Table) Summaries() []netip.Prefix {
	if tb.summaries == nil {
		sum := stacks.Summarise(tb.Sent, tb.forbidden)
		tb.summaries = &sum
		tb.summary = newSpanMap(sum)
	}
	return *tb.summaries
}

// Entry returns the table's entry for prefix p (one exists for every
// prefix of Sent, not for a summary), or nil.
func (tb *Table) Entry(p netip.Prefix) *Entry {
	i, ok := slices.BinarySearchFunc(tb.Entries, p, func(e Entry, p netip.Prefix) int { return estate.ComparePrefix(e.Prefix, p) })
	if !ok {
		return nil
	}
	return &tb.Entries[i]
}

// Attachment returns v's attachment to hub h, or nil.
func (v *VPC) Attachment(h *Hub) *Attachment {
	for _, a := range v.Atts {
		if a.Hub == h {
			return a
		}
	}
	return nil
}

// Leaving returns the subnets whose route tables can send traffic out of
// the VPC: its private ones (where workloads live, so paths start there),
// then its public ones; isolated subnets stay inside by definition.
func (v *VPC) Leaving() []*Subnet {
	var out []*Subnet
	for _, typ := range []string{"private", "public"} {
		for _, s := range v.Subnets {
			if s.Type == typ {
				out = append(out, s)
			}
		}
	}
	return out
}
