package validate

import (
	"fmt"
	"net/netip"
	"regexp"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// tgwAttachment is what route tables need to know of an attachment.
type tgwAttachment struct {
	index int
	// vpc is the attached VPC; its Network is nil when the VPC is unknown.
	vpc estate.VPCRef
	// cidr is the attached VPC's masked block; invalid when unknown.
	cidr       netip.Prefix
	associated bool
}

// checkTransitGateways checks each gateway: placement, ASN, sharing,
// attachments and route tables.
func (c *checker) checkTransitGateways() {
	for _, t := range c.e.TransitGateways {
		c.checkTransitGateway(t)
	}
}

func (c *checker) checkTransitGateway(t *estate.TransitGateway) {
	c.tgwName(t, "name", t.Name)
	c.placement(&t.Doc, "account", t.Account, "region", t.Region)
	if t.Has("asn") && !privateASN(t.ASN) {
		c.report(diag.Errorf(t.Pos("asn"), "tgw-asn", "ASN %d is not a private ASN", t.ASN).
			WithHint("use 64512–65534 or 4200000000–4294967294, e.g. 64512"))
	}
	shared := c.checkShareWith(t)
	if t.Organization != "" && !organizationPattern.MatchString(t.Organization) {
		c.report(diag.Errorf(t.Pos("organization"), "tgw-organization", "%q is not the ARN of an AWS Organization or organizational unit", t.Organization).
			WithHint("copy it from AWS Organizations, e.g. arn:aws:organizations::111111111111:organization/o-exampleorgid, or leave organization out to share with each account (apply accepts their invitations)"))
	}
	atts := c.checkAttachments(t, shared)
	c.checkRouteTables(t, atts)
	for k, at := range t.Attachments {
		if a := atts[at.Name]; a != nil && a.index == k && !a.associated {
			c.report(diag.Warningf(t.Pos(fmt.Sprintf("attachments[%d].name", k)), "tgw-attachment-unassociated",
				"attachment %s is associated with no route table, so the gateway drops its traffic", at.Name).
				WithHint("list %s under associations of one route table", at.Name))
		}
	}
	used := map[string]bool{}
	for _, a := range atts {
		if a.vpc.Network != nil {
			used[a.vpc.Network.Account] = true
		}
	}
	for k, acct := range t.ShareWith {
		if shared[acct] && !used[acct] {
			c.report(diag.Warningf(t.Pos(fmt.Sprintf("shareWith[%d]", k)), "tgw-share-unused",
				"gateway %s is shared with account %s, but none of its VPCs is attached", t.Name, acct).
				WithHint("attach a VPC of %s, or stop sharing the gateway with it", acct))
		}
	}
}

func (c *checker) tgwName(t *estate.TransitGateway, path, name string) {
	if name != "" && !namePattern.MatchString(name) {
		c.report(diag.Errorf(t.Pos(path), "tgw-name", "name %q is not a lowercase name", name).
			WithHint("use lowercase letters, digits and dashes, starting with a letter"))
	}
}

// privateASN reports whether asn is in a range AWS accepts for a gateway's
// Amazon side.
func privateASN(asn int) bool {
	return (asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294)
}

// organizationPattern is an organization's or an OU's ARN, the principals
// RAM shares with inside AWS Organizations.
var organizationPattern = regexp.MustCompile(`^arn:aws[a-z-]*:organizations::[0-9]{12}:(organization/o-[a-z0-9]+|ou/o-[a-z0-9]+/ou-[a-z0-9]+-[a-z0-9]+)$`)

// checkShareWith checks the accounts the gateway is shared with and returns
// those that are valid.
func (c *checker) checkShareWith(t *estate.TransitGateway) map[string]bool {
	shared := make(map[string]bool, len(t.ShareWith))
	for k, acct := range t.ShareWith {
		path := fmt.Sprintf("shareWith[%d]", k)
		switch {
		case acct == "":
		case acct == t.Account:
			c.report(diag.Errorf(t.Pos(path), "tgw-share-owner", "account %s owns gateway %s; it cannot be shared with itself", acct, t.Name).
				WithHint("remove %s from shareWith", acct))
		case shared[acct]:
			c.report(diag.Errorf(t.Pos(path), "tgw-share-duplicate", "account %s is listed twice in shareWith", acct).
				WithHint("list each account once"))
		default:
			if _, ok := c.account(&t.Doc, path, acct); ok {
				shared[acct] = true
			}
		}
	}
	return shared
}

// checkAttachments checks each attachment and that the attached VPCs do not
// overlap; it returns the attachments by name (the first of a name).
func (c *checker) checkAttachments(t *estate.TransitGateway, shared map[string]bool) map[string]*tgwAttachment {
	atts := make(map[string]*tgwAttachment, len(t.Attachments))
	byVPC := make(map[string]int, len(t.Attachments))
	var blocks []cidrBlock
	vpcs := make([]estate.VPCRef, len(t.Attachments))
	for k := range t.Attachments {
		at := &t.Attachments[k]
		ap := estate.ItemPath("attachments", k)
		c.tgwName(t, ap+".name", at.Name)
		a := &tgwAttachment{index: k}
		if _, dup := atts[at.Name]; !dup && at.Name != "" {
			atts[at.Name] = a // names.go reports the duplicate
		}
		vpcPath := ap + ".vpc"
		ref, ok := c.vpc(&t.Doc, vpcPath, at.VPC)
		if !ok {
			continue
		}
		if first, dup := byVPC[at.VPC]; dup {
			c.report(diag.Errorf(t.Pos(vpcPath), "tgw-attachment-vpc-duplicate", "VPC %s is attached twice to gateway %s", at.VPC, t.Name).
				WithHint("attachment %s already attaches it; a VPC has one attachment per gateway", t.Attachments[first].Name))
			continue
		}
		byVPC[at.VPC] = k
		a.vpc = ref
		if r := ref.Network.Region; r != t.Region && r != "" && t.Region != "" {
			c.report(diag.Errorf(t.Pos(vpcPath), "tgw-attachment-region", "VPC %s is in %s, gateway %s in %s", at.VPC, r, t.Name, t.Region).
				WithHint("a gateway attaches VPCs of its own region only; use a gateway in %s", r))
		}
		if acct := ref.Network.Account; acct != t.Account && !shared[acct] && acct != "" {
			c.report(diag.Errorf(t.Pos(vpcPath), "tgw-attachment-account", "VPC %s belongs to account %s, which gateway %s is not shared with", at.VPC, acct, t.Name).
				WithHint("add %s to shareWith", acct))
		}
		c.checkAttachmentSubnets(t, k, ref)
		vpcs[k] = ref
		if p, err := netip.ParsePrefix(ref.VPC.CIDR); err == nil && p.Addr().Is4() {
			a.cidr = p.Masked()
			blocks = append(blocks, cidrBlock{prefix: a.cidr, index: k})
		}
	}
	overlaps(blocks, func(outer, inner int) {
		o, in := vpcs[outer].VPC, vpcs[inner].VPC
		c.report(diag.Errorf(t.Pos(fmt.Sprintf("attachments[%d].vpc", inner)), "tgw-attachment-overlap",
			"VPC %s (%s) overlaps VPC %s (%s); both are attached to gateway %s", in.Name, in.CIDR, o.Name, o.CIDR, t.Name).
			WithHint("the gateway cannot route to two VPCs with overlapping blocks; renumber one of them"))
	})
	return atts
}

// checkAttachmentSubnets checks that the attachment names subnets of its
// VPC, one in each of the VPC's zones.
func (c *checker) checkAttachmentSubnets(t *estate.TransitGateway, k int, ref estate.VPCRef) {
	at := &t.Attachments[k]
	sp := fmt.Sprintf("attachments[%d].subnets", k)
	if len(at.Subnets) == 0 {
		c.report(diag.Errorf(t.Pos(sp), "tgw-attachment-subnets", "attachment %s lists no subnet", at.Name).
			WithHint("list one subnet of VPC %s per availability zone, e.g. a small dedicated tier: tgw-a, tgw-b", ref.VPC.Name))
		return
	}
	v, region := ref.VPC, ref.Network.Region
	// Without usable zones the VPC has no layout; the network check says why.
	if (len(v.AZs) > 0) == (v.AZCount > 0) {
		return
	}
	layout, _ := v.Layout(region)
	if len(layout) == 0 {
		return
	}
	byName := make(map[string]estate.Subnet, len(layout))
	for _, s := range layout {
		byName[s.Name] = s
	}
	zoneUsedBy := make(map[string]string, len(at.Subnets))
	seen := make(map[string]bool, len(at.Subnets))
	resolved := true
	var firstTier string
	for q, name := range at.Subnets {
		path := estate.ItemPath(sp, q)
		if seen[name] {
			c.report(diag.Errorf(t.Pos(path), "tgw-attachment-subnet-duplicate", "subnet %s is listed twice", name).
				WithHint("list each subnet once"))
			continue
		}
		seen[name] = true
		s, ok := byName[name]
		if !ok {
			resolved = false
			d := diag.Errorf(t.Pos(path), "tgw-attachment-subnet", "VPC %s has no subnet %q", v.Name, name)
			names := estate.SubnetNames(layout)
			if h := diag.DidYouMean(name, names); h != "" {
				d = d.WithHint("%s", h)
			} else {
				d = d.WithHint("its subnets: %s", joinQuoted(names))
			}
			c.report(d)
			continue
		}
		if firstTier == "" {
			firstTier = s.Tier
		}
		if other, taken := zoneUsedBy[s.Zone]; taken {
			c.report(diag.Errorf(t.Pos(path), "tgw-attachment-zone", "subnets %s and %s are both in %s", other, name, s.Zone).
				WithHint("an attachment takes one subnet per availability zone; keep one of them"))
			continue
		}
		zoneUsedBy[s.Zone] = name
	}
	if !resolved {
		return
	}
	var missing, add []string
	for _, z := range v.Zones(region) {
		if _, ok := zoneUsedBy[z]; !ok {
			missing = append(missing, z)
			add = append(add, firstTier+"-"+estate.ZoneLetter(z))
		}
	}
	if len(missing) > 0 {
		c.report(diag.Errorf(t.Pos(sp), "tgw-attachment-zone-missing", "attachment %s has no subnet in %s, so resources there cannot reach the gateway", at.Name, joinQuoted(missing)).
			WithHint("add %s", joinQuoted(add)))
	}
}

// checkRouteTables checks associations, propagations and static routes.
// Paths of list items are built only for a finding: a hub can hold tens of
// thousands of them.
func (c *checker) checkRouteTables(t *estate.TransitGateway, atts map[string]*tgwAttachment) {
	associatedIn := make(map[string]string, len(atts))
	for r := range t.RouteTables {
		rt := &t.RouteTables[r]
		rp := estate.ItemPath("routeTables", r)
		c.tgwName(t, rp+".name", rt.Name)
		if len(rt.Associations) == 0 {
			c.report(diag.Warningf(t.Pos(rp+".name"), "tgw-route-table-unused", "route table %s has no association, so no traffic uses it", rt.Name).
				WithHint("associate the attachments whose traffic it routes, or remove it"))
		}
		list := rp + ".associations"
		seen := make(map[string]bool, len(rt.Associations))
		for q, name := range rt.Associations {
			if seen[name] {
				c.report(diag.Errorf(t.Pos(estate.ItemPath(list, q)), "tgw-association-duplicate", "attachment %s is associated twice with route table %s", name, rt.Name).
					WithHint("list it once"))
				continue
			}
			seen[name] = true
			a, ok := c.tgwAttachment(t, list, q, name, atts)
			if !ok {
				continue
			}
			if other, taken := associatedIn[name]; taken {
				c.report(diag.Errorf(t.Pos(estate.ItemPath(list, q)), "tgw-association-conflict", "attachment %s is already associated with route table %s", name, other).
					WithHint("an attachment is associated with one route table; propagate it to the others instead"))
				continue
			}
			associatedIn[name] = rt.Name
			a.associated = true
		}
		list = rp + ".propagations"
		propagated := make(map[netip.Prefix]string, len(rt.Propagations))
		clear(seen)
		for q, name := range rt.Propagations {
			if seen[name] {
				c.report(diag.Errorf(t.Pos(estate.ItemPath(list, q)), "tgw-propagation-duplicate", "attachment %s propagates twice into route table %s", name, rt.Name).
					WithHint("list it once"))
				continue
			}
			seen[name] = true
			if a, ok := c.tgwAttachment(t, list, q, name, atts); ok && a.cidr.IsValid() {
				propagated[a.cidr] = name
			}
		}
		c.checkRoutes(t, rp, rt, atts, propagated)
	}
}

// checkRoutes checks a route table's static routes.
func (c *checker) checkRoutes(t *estate.TransitGateway, rp string, rt *estate.TGWRouteTable, atts map[string]*tgwAttachment, propagated map[netip.Prefix]string) {
	first := make(map[netip.Prefix]int, len(rt.Routes))
	list := rp + ".routes"
	for q := range rt.Routes {
		route := &rt.Routes[q]
		qp := estate.ItemPath(list, q)
		switch {
		case route.Attachment != "" && route.Blackhole:
			c.report(diag.Errorf(t.Pos(qp+".blackhole"), "tgw-route-target", "route to %s has both an attachment and blackhole", route.Destination).
				WithHint("keep attachment to forward the traffic, or blackhole: true to drop it"))
		case route.Attachment == "" && !route.Blackhole:
			c.report(diag.Errorf(t.Pos(qp), "tgw-route-target", "route to %s has neither an attachment nor blackhole", route.Destination).
				WithHint("add attachment: <name> to forward the traffic, or blackhole: true to drop it"))
		case route.Attachment != "":
			if _, ok := atts[route.Attachment]; !ok {
				lookup(c, &t.Doc, qp+".attachment", "tgw-ref-attachment", "attachment", route.Attachment, atts)
			}
		}
		destPath := qp + ".destination"
		dest, ok := c.ipv4Prefix(&t.Doc, destPath, route.Destination)
		if !ok {
			continue
		}
		if prev, dup := first[dest]; dup {
			c.report(diag.Errorf(t.Pos(destPath), "tgw-route-duplicate", "route table %s has two routes to %s", rt.Name, dest).
				WithRelated(t.Pos(estate.ItemPath(list, prev)+".destination"), "the first route to %s", dest).
				WithHint("keep one"))
			continue
		}
		first[dest] = q
		if name, ok := propagated[dest]; ok {
			c.report(diag.Warningf(t.Pos(destPath), "tgw-route-shadows-propagation", "static route to %s in route table %s replaces the route attachment %s propagates", dest, rt.Name, name).
				WithHint("a static route wins over a propagated one to the same block; remove one of them"))
		}
	}
}

// tgwAttachment resolves the attachment named by item q of the list at
// listPath in gateway t.
func (c *checker) tgwAttachment(t *estate.TransitGateway, listPath string, q int, name string, atts map[string]*tgwAttachment) (*tgwAttachment, bool) {
	if a, ok := atts[name]; ok {
		return a, true
	}
	return lookup(c, &t.Doc, estate.ItemPath(listPath, q), "tgw-ref-attachment", "attachment", name, atts)
}
