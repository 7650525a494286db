package validate

import (
	"cmp"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

var (
	// Subnet names are <tier>-<zone letter>, so a tier name has no dash.
	tierNamePattern     = regexp.MustCompile(`^[a-z][a-z0-9]{0,30}$`)
	tierTypes           = []string{"public", "private", "isolated"}
	egressTypes         = []string{"natGateway", "natInstance", "none"}
	flowLogTrafficTypes = []string{"ALL", "ACCEPT", "REJECT"}
)

// maxSubnetsPerVPC is AWS's default quota of subnets per VPC (adjustable).
const maxSubnetsPerVPC = 200

// checkNetworks checks every VPC of every Network document, then warns about
// VPCs of one account and region whose blocks overlap.
func (c *checker) checkNetworks() {
	var blocks []cidrBlock
	var refs []estate.VPCRef
	for _, n := range c.e.Networks {
		c.placement(&n.Doc, "account", n.Account, "region", n.Region)
		if len(n.VPCs) == 0 {
			c.report(diag.Errorf(n.Pos("vpcs"), "vpc-none", "the network of account %s in %s declares no VPC", n.Account, n.Region).
				WithHint("add a VPC under vpcs:, or delete the document"))
		}
		for i := range n.VPCs {
			ref := estate.VPCRef{Network: n, VPC: &n.VPCs[i], Path: estate.ItemPath("vpcs", i)}
			if p, ok := c.checkVPC(ref); ok {
				blocks = append(blocks, cidrBlock{prefix: p, group: n.Account + " " + n.Region, index: len(refs)})
				refs = append(refs, ref)
			}
		}
	}
	// Overlapping VPCs are legal in AWS, but they can never be attached to
	// one transit gateway, and in one account and region they are almost
	// always a copied file whose CIDR was not changed. Hence a warning.
	overlaps(blocks, func(outer, inner int) {
		o, in := refs[outer], refs[inner]
		c.report(diag.Warningf(in.Network.Pos(estate.FieldPath(in.Path, "cidr")), "cidr-overlap",
			"VPC %s (%s) overlaps VPC %s (%s) in account %s, %s", in.VPC.Name, in.VPC.CIDR, o.VPC.Name, o.VPC.CIDR, in.Network.Account, in.Network.Region).
			WithRelated(o.Network.Pos(estate.FieldPath(o.Path, "cidr")), "the CIDR of VPC %s", o.VPC.Name).
			WithHint("give each VPC its own block so they can be connected through the transit gateway later"))
	})
}

// checkVPC checks one VPC and returns its block when that is a valid prefix.
func (c *checker) checkVPC(ref estate.VPCRef) (netip.Prefix, bool) {
	n, v, p := ref.Network, ref.VPC, ref.Path
	if v.Name != "" && !namePattern.MatchString(v.Name) {
		c.report(diag.Errorf(n.Pos(estate.FieldPath(p, "name")), "vpc-name", "VPC name %q is not a lowercase name", v.Name).
			WithHint("use lowercase letters, digits and dashes, starting with a letter"))
	}
	cidrPath := estate.FieldPath(p, "cidr")
	cidr, cidrOK := c.ipv4Prefix(&n.Doc, cidrPath, v.CIDR)
	if cidrOK && (cidr.Bits() < 16 || cidr.Bits() > 28) {
		c.report(diag.Errorf(n.Pos(cidrPath), "cidr-vpc-size", "VPC block %s is a /%d; AWS accepts /16 to /28", v.CIDR, cidr.Bits()).
			WithHint("use a prefix length between 16 and 28, e.g. %s", netip.PrefixFrom(cidr.Addr(), max(16, min(cidr.Bits(), 28))).Masked()))
	}
	zonesOK := c.checkZones(ref)
	types := c.checkTiers(ref, cidr, cidrOK, zonesOK)
	c.checkEgress(ref, types)
	c.checkEndpoints(ref, types)
	c.checkFlowLogs(ref)
	return cidr, cidrOK
}

// ipv4Prefix parses s, the IPv4 CIDR block at path. It reports cidr-invalid
// when s is no IPv4 prefix, and cidr-host-bits when bits past the prefix
// length are set (AWS rejects 10.0.1.0/16); the block is then returned
// masked, so later checks can still use it.
func (c *checker) ipv4Prefix(doc *estate.Doc, path, s string) (netip.Prefix, bool) {
	if s == "" {
		// A missing key is the loader's finding; an empty value is ours.
		if doc.Has(path) {
			c.report(diag.Errorf(doc.Pos(path), "cidr-invalid", "the CIDR block is empty").
				WithHint("write an IPv4 address and a prefix length, e.g. 10.0.0.0/16"))
		}
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		d := diag.Errorf(doc.Pos(path), "cidr-invalid", "%q is not an IPv4 CIDR block", s)
		if a, aerr := netip.ParseAddr(s); aerr == nil && a.Is4() {
			d = d.WithHint("add the prefix length, e.g. %s/24", s)
		} else if err == nil {
			d = d.WithHint("only IPv4 blocks are supported, e.g. 10.0.0.0/16")
		} else {
			d = d.WithHint("write an IPv4 address and a prefix length, e.g. 10.0.0.0/16")
		}
		c.report(d)
		return netip.Prefix{}, false
	}
	if m := p.Masked(); m != p {
		c.report(diag.Errorf(doc.Pos(path), "cidr-host-bits", "%s has bits set past its /%d prefix", s, p.Bits()).
			WithHint("write %s, or a longer prefix if you meant a smaller block", m))
		return m, true
	}
	return p, true
}

// checkZones checks that the VPC gives its zones one way, in its own
// region, and reports whether the zones are usable for the subnet layout.
func (c *checker) checkZones(ref estate.VPCRef) bool {
	n, v, p := ref.Network, ref.VPC, ref.Path
	countPath, listPath := estate.FieldPath(p, "azCount"), estate.FieldPath(p, "azs")
	hasCount, hasList := n.Has(countPath), n.Has(listPath)
	switch {
	case hasCount && hasList:
		c.report(diag.Errorf(n.Pos(countPath), "vpc-azs", "VPC %s gives both azCount and azs", v.Name).
			WithHint("keep azs to name the zones, or azCount to take the region's first zones, not both"))
		return false
	case !hasCount && !hasList:
		c.report(diag.Errorf(n.Pos(estate.FieldPath(p, "name")), "vpc-azs", "VPC %s gives neither azCount nor azs", v.Name).
			WithHint("add azCount: 2 (zones a and b of %s), or list them with azs:", n.Region))
		return false
	case hasCount:
		if v.AZCount < 1 || v.AZCount > estate.MaxAZCount {
			c.report(diag.Errorf(n.Pos(countPath), "vpc-az-count", "azCount %d is not between 1 and %d", v.AZCount, estate.MaxAZCount).
				WithHint("use 2 or 3 zones"))
			return false
		}
		if v.AZCount == 1 {
			c.singleZone(n, countPath, v)
		}
		return true
	}
	ok := len(v.AZs) > 0
	if !ok {
		c.report(diag.Errorf(n.Pos(listPath), "vpc-az-count", "VPC %s lists no availability zone", v.Name).
			WithHint("list zones of %s, e.g. azs: [%sa, %sb]", n.Region, n.Region, n.Region))
	}
	seen := make(map[string]bool, len(v.AZs))
	for i, z := range v.AZs {
		path := estate.ItemPath(listPath, i)
		if seen[z] {
			c.report(diag.Errorf(n.Pos(path), "vpc-az-duplicate", "availability zone %s is listed twice", z).
				WithHint("list each zone once; each zone gets one subnet per tier"))
			ok = false
			continue
		}
		seen[z] = true
		if estate.KnownRegion(n.Region) && !zoneOfRegion(z, n.Region) {
			d := diag.Errorf(n.Pos(path), "vpc-az-region", "%q is not an availability zone of %s, the network's region", z, n.Region)
			if strings.HasPrefix(z, n.Region) || len(z) < 2 {
				d = d.WithHint("write the region and a zone letter, e.g. %sa", n.Region)
			} else {
				d = d.WithHint("use %s%s, or move the VPC to a network of region %s", n.Region, z[len(z)-1:], z[:len(z)-1])
			}
			c.report(d)
			ok = false
		}
	}
	if len(v.AZs) == 1 {
		c.singleZone(n, listPath, v)
	}
	return ok
}

func (c *checker) singleZone(n *estate.Network, path string, v *estate.VPC) {
	c.report(diag.Warningf(n.Pos(path), "vpc-az-single", "VPC %s spans one availability zone", v.Name).
		WithHint("spread it over at least 2 zones, so losing one zone does not take down everything in it"))
}

// zoneOfRegion reports whether zone is region followed by one zone letter.
func zoneOfRegion(zone, region string) bool {
	return len(zone) == len(region)+1 && strings.HasPrefix(zone, region) && zone[len(region)] >= 'a' && zone[len(region)] <= 'z'
}

// tierTypeSet records which subnet types a VPC has; unknown is set when a
// tier's type is invalid, so checks that depend on the types stay quiet.
type tierTypeSet struct{ public, private, isolated, unknown bool }

// checkTiers checks the subnet tiers and their layout, and returns which
// tier types the VPC has.
func (c *checker) checkTiers(ref estate.VPCRef, vpc netip.Prefix, vpcOK, zonesOK bool) tierTypeSet {
	n, v, p := ref.Network, ref.VPC, ref.Path
	doc := &n.Doc
	var types tierTypeSet
	tiersPath := estate.FieldPath(p, "subnets")
	if len(v.Subnets) == 0 {
		c.report(diag.Errorf(n.Pos(tiersPath), "subnet-none", "VPC %s has no subnet tier", v.Name).
			WithHint("add a tier, e.g. {name: private, type: private, prefix: 24}"))
	}
	zones := 0
	if zonesOK {
		zones = len(v.Zones(n.Region))
	}
	if total := len(v.Subnets) * zones; total > maxSubnetsPerVPC {
		c.report(diag.Warningf(n.Pos(tiersPath), "subnet-count", "VPC %s has %d subnets (%s × %s), over AWS's default quota of %d per VPC",
			v.Name, total, count(len(v.Subnets), "tier"), count(zones, "zone"), maxSubnetsPerVPC).
			WithHint("merge tiers, or have the quota raised before deploying"))
	}
	names := make(map[string]bool, len(v.Subnets))
	for j, t := range v.Subnets {
		tp := estate.ItemPath(tiersPath, j)
		namePath := estate.FieldPath(tp, "name")
		switch {
		case t.Name == "":
		case names[t.Name]:
			c.report(diag.Errorf(n.Pos(namePath), "subnet-tier-duplicate", "VPC %s declares tier %s twice", v.Name, t.Name).
				WithHint("give each tier its own name; its subnets are named %s-a, %s-b, …", t.Name, t.Name))
		case !tierNamePattern.MatchString(t.Name):
			c.report(diag.Errorf(n.Pos(namePath), "subnet-tier-name", "tier name %q is not lowercase letters and digits", t.Name).
				WithHint("use lowercase letters and digits, starting with a letter and without dashes: subnets are named <tier>-<zone letter>"))
		}
		names[t.Name] = true
		switch t.Type {
		case "public":
			types.public = true
		case "private":
			types.private = true
		case "isolated":
			types.isolated = true
		default:
			types.unknown = true
			if typePath := estate.FieldPath(tp, "type"); n.Has(typePath) {
				c.report(oneOf(n.Pos(typePath), "subnet-tier-type", "tier type", t.Type, tierTypes))
			}
		}
		c.checkTierSize(ref, j, vpc, vpcOK, zones)
	}
	if !vpcOK || !zonesOK {
		return types
	}
	layout, errs := v.Layout(n.Region)
	for _, e := range errs {
		if e.TierIndex >= 0 {
			c.report(diag.Errorf(n.Pos(estate.FieldPath(estate.ItemPath(tiersPath, e.TierIndex), "prefix")), "subnet-layout", "%s", e.Message).
				WithHint("use a longer prefix for this tier or an earlier one, or a larger VPC block"))
		}
	}
	var blocks []cidrBlock
	for i, s := range layout {
		if s.CIDR.IsValid() {
			blocks = append(blocks, cidrBlock{prefix: s.CIDR, index: i})
		}
	}
	overlaps(blocks, func(a, b int) {
		// Point at whichever of the two is declared later.
		first, later := layout[min(a, b)], layout[max(a, b)]
		path := estate.ItemPath(estate.FieldPath(estate.ItemPath(tiersPath, later.TierIndex), "cidrs"), later.ZoneIndex)
		c.report(diag.Errorf(doc.Pos(path), "cidr-subnet-overlap", "subnet %s (%s) overlaps subnet %s (%s)", later.Name, later.CIDR, first.Name, first.CIDR).
			WithHint("give each subnet its own block, or replace cidrs: with prefix: to have the blocks allocated"))
	})
	return types
}

// checkTierSize checks that tier j gives its subnets' size one way and that
// they fit in the VPC's block.
func (c *checker) checkTierSize(ref estate.VPCRef, j int, vpc netip.Prefix, vpcOK bool, zones int) {
	n, v := ref.Network, ref.VPC
	t := v.Subnets[j]
	tp := estate.ItemPath(estate.FieldPath(ref.Path, "subnets"), j)
	prefixPath, cidrsPath := estate.FieldPath(tp, "prefix"), estate.FieldPath(tp, "cidrs")
	hasPrefix, hasCIDRs := n.Has(prefixPath), n.Has(cidrsPath)
	switch {
	case hasPrefix && hasCIDRs:
		c.report(diag.Errorf(n.Pos(prefixPath), "subnet-prefix-or-cidrs", "tier %s gives both prefix and cidrs", t.Name).
			WithHint("keep cidrs to fix each subnet's block, or prefix to have them allocated, not both"))
		return
	case !hasPrefix && !hasCIDRs:
		c.report(diag.Errorf(n.Pos(estate.FieldPath(tp, "name")), "subnet-prefix-or-cidrs", "tier %s gives neither prefix nor cidrs", t.Name).
			WithHint("add prefix: 24 to allocate one /24 per zone, or cidrs: with one block per zone"))
		return
	case hasPrefix:
		lo := 16
		if vpcOK {
			lo = max(lo, vpc.Bits())
		}
		if t.Prefix < lo || t.Prefix > 28 {
			d := diag.Errorf(n.Pos(prefixPath), "subnet-prefix", "tier %s's prefix /%d is not between /%d and /28", t.Name, t.Prefix, lo)
			if vpcOK && t.Prefix < vpc.Bits() {
				d = d.WithHint("a subnet must fit inside VPC %s's block %s; use a prefix of %d or more", v.Name, vpc, lo)
			} else {
				d = d.WithHint("AWS subnets are /16 to /28")
			}
			c.report(d)
		}
		return
	}
	if zones > 0 && len(t.CIDRs) != zones {
		c.report(diag.Errorf(n.Pos(cidrsPath), "subnet-cidr-count", "tier %s gives %d CIDRs for %s", t.Name, len(t.CIDRs), count(zones, "availability zone")).
			WithHint("give one block per zone, in the order of the VPC's zones: %s", strings.Join(v.Zones(n.Region), ", ")))
	}
	for k, s := range t.CIDRs {
		path := estate.ItemPath(cidrsPath, k)
		p, ok := c.ipv4Prefix(&n.Doc, path, s)
		if !ok {
			continue
		}
		switch {
		case vpcOK && !(vpc.Bits() <= p.Bits() && vpc.Contains(p.Addr())):
			c.report(diag.Errorf(n.Pos(path), "cidr-subnet-outside", "subnet block %s is not inside VPC %s's block %s", s, v.Name, vpc).
				WithHint("take the subnet's block from within %s", vpc))
		case p.Bits() > 28:
			c.report(diag.Errorf(n.Pos(path), "cidr-subnet-size", "subnet block %s is a /%d; AWS subnets are /16 to /28", s, p.Bits()).
				WithHint("use a prefix length of 28 or less"))
		}
	}
}

// checkEgress checks the egress type and that its options belong to it: a
// declared option that is silently ignored is a bug.
func (c *checker) checkEgress(ref estate.VPCRef, types tierTypeSet) {
	n, v := ref.Network, ref.VPC
	e := v.Egress
	p := estate.FieldPath(ref.Path, "egress")
	typePath := estate.FieldPath(p, "type")
	switch e.Type {
	case "natGateway", "natInstance":
		if types.unknown {
			break
		}
		if !types.public {
			c.report(diag.Errorf(n.Pos(typePath), "egress-needs-public", "egress %s needs a public tier to live in, and VPC %s has none", e.Type, v.Name).
				WithHint("add a tier {name: public, type: public, prefix: 26}, or use egress type none"))
		}
		if !types.private {
			c.report(diag.Errorf(n.Pos(typePath), "egress-needs-private", "egress %s serves private tiers, and VPC %s has none", e.Type, v.Name).
				WithHint("add a private tier, or use egress type none to not pay for a NAT nothing uses"))
		}
	case "none":
	default:
		if n.Has(typePath) {
			c.report(oneOf(n.Pos(typePath), "egress-type", "egress type", e.Type, egressTypes))
		}
		return
	}
	perAZPath, instancePath := estate.FieldPath(p, "perAZ"), estate.FieldPath(p, "instanceType")
	if n.Has(perAZPath) && e.Type != "natGateway" {
		c.report(diag.Errorf(n.Pos(perAZPath), "egress-option", "perAZ applies to egress natGateway, not %s", e.Type).
			WithHint("remove perAZ, or use type natGateway"))
	}
	if n.Has(instancePath) {
		switch {
		case e.Type != "natInstance":
			c.report(diag.Errorf(n.Pos(instancePath), "egress-option", "instanceType applies to egress natInstance, not %s", e.Type).
				WithHint("remove instanceType, or use type natInstance"))
		case !instanceTypePattern.MatchString(e.InstanceType):
			c.report(diag.Errorf(n.Pos(instancePath), "egress-instance-type", "%q is not an EC2 instance type", e.InstanceType).
				WithHint("write family.size, e.g. t4g.nano (the default)"))
		}
	}
}

// checkFlowLogs checks the flow log options, which only apply when flow logs are on.
func (c *checker) checkFlowLogs(ref estate.VPCRef) {
	n, f := ref.Network, ref.VPC.FlowLogs
	p := estate.FieldPath(ref.Path, "flowLogs")
	trafficPath, retentionPath := estate.FieldPath(p, "trafficType"), estate.FieldPath(p, "retentionDays")
	if f.Disabled {
		for _, path := range []string{trafficPath, retentionPath} {
			if n.Has(path) {
				c.report(diag.Errorf(n.Pos(path), "flowlogs-option", "%s is set but flow logs are disabled", path[strings.LastIndexByte(path, '.')+1:]).
					WithHint("remove it, or remove disabled: true"))
			}
		}
		return
	}
	if n.Has(trafficPath) && !slices.Contains(flowLogTrafficTypes, f.TrafficType) {
		c.report(oneOf(n.Pos(trafficPath), "flowlogs-traffic-type", "traffic type", f.TrafficType, flowLogTrafficTypes))
	}
	if n.Has(retentionPath) && !slices.Contains(logRetentionDays, f.RetentionDays) {
		i, _ := slices.BinarySearch(logRetentionDays, f.RetentionDays)
		near := logRetentionDays[min(i, len(logRetentionDays)-1)]
		c.report(diag.Errorf(n.Pos(retentionPath), "flowlogs-retention", "CloudWatch Logs cannot keep logs for %d days", f.RetentionDays).
			WithHint("use one of its periods, e.g. %d; all: %s", near, strings.Trim(fmt.Sprint(logRetentionDays), "[]")))
	}
}

// count writes n and the noun, in the plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// oneOf reports value, which is not one of the allowed words.
func oneOf(pos estate.Pos, rule, what, value string, allowed []string) diag.Diagnostic {
	d := diag.Errorf(pos, rule, "%s %q is not one of %s", what, value, strings.Join(allowed, ", "))
	if h := diag.DidYouMean(value, allowed); h != "" {
		return d.WithHint("%s", h)
	}
	return d.WithHint("use one of %s", strings.Join(allowed, ", "))
}

// cidrBlock is a masked CIDR block of something the caller indexes; only
// blocks of the same group are compared.
type cidrBlock struct {
	prefix netip.Prefix
	group  string
	index  int
}

// overlaps calls found(outer, inner) for overlapping blocks of one group.
// Two CIDR blocks either nest or are disjoint, so after sorting by group,
// start address and size (larger first) the blocks that contain the current
// one form a stack at most 33 deep: O(n log n) for any n. A block identical
// to one already seen is not stacked: it and the blocks inside it are
// reported against the first copy only, so n copies yield n-1 findings, not n².
func overlaps(blocks []cidrBlock, found func(outer, inner int)) {
	slices.SortFunc(blocks, func(a, b cidrBlock) int {
		return cmp.Or(
			strings.Compare(a.group, b.group),
			a.prefix.Addr().Compare(b.prefix.Addr()),
			cmp.Compare(a.prefix.Bits(), b.prefix.Bits()),
			cmp.Compare(a.index, b.index),
		)
	})
	var stack []cidrBlock
	for i, b := range blocks {
		if i > 0 && blocks[i-1].group != b.group {
			stack = stack[:0]
		}
		for len(stack) > 0 && !stack[len(stack)-1].prefix.Contains(b.prefix.Addr()) {
			stack = stack[:len(stack)-1]
		}
		for _, outer := range stack {
			found(outer.index, b.index)
		}
		if len(stack) == 0 || stack[len(stack)-1].prefix != b.prefix {
			stack = append(stack, b)
		}
	}
}
