// Package synthetic writes large, valid estates for benchmarks and load
// tests: a tooling account and workload accounts, VPCs spread over them,
// and transit gateways carrying many static routes.
package synthetic

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Region every generated document lives in.
const Region = "eu-west-1"

// RoutesPerGateway is how many static routes one gateway carries at most;
// AWS allows 10,000 per gateway, so the generator stays well below.
const RoutesPerGateway = 5000

// maxVPCs is how many /20 blocks 10.0.0.0/8 holds.
const maxVPCs = 1 << 12

// maxRoutes is how many /24s 100.64.0.0/10 and 172.16.0.0/12 hold: static
// route destinations, outside the VPCs, as on-premises networks are.
const maxRoutes = 1<<14 + 1<<12

// routeDestination is the r-th /24 of 100.64.0.0/10, then of 172.16.0.0/12:
// contiguous, so each VPC route table summarises them into a few prefixes.
func routeDestination(r int) string {
	if r < 1<<14 {
		return fmt.Sprintf("100.%d.%d.0/24", 64+r/256, r%256)
	}
	r -= 1 << 14
	return fmt.Sprintf("172.%d.%d.0/24", 16+r/256, r%256)
}

// Generate writes an estate under dir (which it creates): one tooling account
// and accounts-1 workload accounts; vpcs VPCs spread over the accounts, each
// a distinct /20 of 10.0.0.0/8 with public, private and transit-gateway
// tiers over two zones; and transit gateways in the tooling account that
// attach every VPC and carry routes static routes to distinct /24s outside
// the VPCs (routeDestination). Every reference in it resolves, and it
// passes gitops validate: where it needs more than AWS's default quotas it
// declares them, and sizes it cannot keep valid are refused.
func Generate(dir string, accounts, vpcs, routes int) error {
	switch {
	case accounts < 1:
		return fmt.Errorf("synthetic: need at least one account, got %d", accounts)
	case vpcs < 1:
		return fmt.Errorf("synthetic: need at least one VPC, got %d", vpcs)
	case routes < 0 || routes > RoutesPerGateway*vpcs:
		return fmt.Errorf("synthetic: routes must be between 0 and %d per VPC (%d for %d VPCs), got %d", RoutesPerGateway, RoutesPerGateway*vpcs, vpcs, routes)
	}
	g := &generator{dir: dir, accounts: accounts, vpcs: vpcs, routes: routes, gateways: gateways(vpcs, routes)}
	// The associations of one account's attachments to a gateway form one
	// stack, with a parameter per attachment: more gateways when an
	// account has too many VPCs on one.
	for g.gateways < vpcs && g.mostVPCsOfAnAccountOnAGateway() > maxVPCsPerAccountAndGateway {
		g.gateways++
	}
	if vpcs > maxVPCs*g.sharing() {
		return fmt.Errorf("synthetic: %d VPCs need more than the %d /20s of 10.0.0.0/8; VPCs of different accounts on different gateways share them, %d to a block with %d accounts and %d routes: give more accounts or routes",
			vpcs, maxVPCs, g.sharing(), accounts, routes)
	}
	// The routes of a gateway route table whose destinations share a /16
	// form one stack, with a parameter for the table and one per
	// attachment they go to; CloudFormation allows 200. With runs of two
	// or more routes per VPC a /16's 256 /24s reach at most 129 VPCs;
	// with shorter runs a /16 holds only 128 routes.
	g.perBlock = 256
	if routes < 2*vpcs {
		g.perBlock = 128
	}
	for a := range accounts {
		if err := g.writeAccount(a); err != nil {
			return err
		}
	}
	for a := range min(accounts, vpcs) {
		if err := g.writeNetwork(a); err != nil {
			return err
		}
	}
	for t := range g.gateways {
		if err := g.writeGateway(t); err != nil {
			return err
		}
	}
	return nil
}

// gateways is how many gateways carry routes static routes: enough for
// RoutesPerGateway each, at most one per VPC.
func gateways(vpcs, routes int) int {
	return max(1, min(vpcs, (routes+RoutesPerGateway-1)/RoutesPerGateway))
}

// maxVPCsPerAccountAndGateway keeps a routing stack's parameters (the
// route table and an attachment per VPC) well inside CloudFormation's 200.
const maxVPCsPerAccountAndGateway = 190

// mostVPCsOfAnAccountOnAGateway is the largest number of VPCs of one
// account attached to one gateway.
func (g *generator) mostVPCsOfAnAccountOnAGateway() int {
	count, most := map[[2]int]int{}, 0
	for v := range g.vpcs {
		k := [2]int{g.vpcAccount(v), g.vpcGateway(v)}
		count[k]++
		most = max(most, count[k])
	}
	return most
}

// sharing is how many VPCs may share a block: consecutive VPCs are in
// different accounts and on different gateways.
func (g *generator) sharing() int { return min(g.gateways, g.accounts) }

type generator struct {
	dir                              string
	accounts, vpcs, routes, gateways int
	// perBlock is how many routes' destinations lie in one /16.
	perBlock int
}

// routeVPC is the VPC route r goes to (an appliance in front of the
// network it reaches): the routes are spread evenly over the VPCs in
// runs, VPC 0 taking the first.
func (g *generator) routeVPC(r int) int { return r * g.vpcs / g.routes }

// destination is the i-th /24 of routeDestination, perBlock to a /16.
func (g *generator) destination(i int) string {
	return routeDestination(i/g.perBlock*256 + i%g.perBlock)
}

// reuseDestinations reports whether the destinations run out: then each
// gateway's k-th route goes to the k-th destination.
func (g *generator) reuseDestinations() bool { return g.routes > maxRoutes/256*g.perBlock }

// accountName is the tooling account for 0, workload-0001 … for the others.
func accountName(a int) string {
	if a == 0 {
		return "tooling"
	}
	return fmt.Sprintf("workload-%04d", a)
}

func vpcName(v int) string { return fmt.Sprintf("vpc-%04d", v) }

// vpcBlock returns the first three octets of VPC v's /20: 10.x.y.0/20.
func vpcBlock(v int) (x, y int) { return v >> 4, (v & 15) << 4 }

// vpcAccount spreads VPCs over accounts round-robin.
func (g *generator) vpcAccount(v int) int { return v % g.accounts }

// vpcGateway spreads VPCs over gateways round-robin.
func (g *generator) vpcGateway(v int) int { return v % g.gateways }

func (g *generator) write(name string, body string) error {
	p := filepath.Join(g.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(body), 0o644)
}

func (g *generator) writeAccount(a int) error {
	role := "workload"
	if a == 0 {
		role = "tooling"
	}
	name := accountName(a)
	body := fmt.Sprintf(`kind: Account
name: %s
id: "%012d"
email: aws-%s@example.com
role: %s
production: %t
regions: [%s]
tags:
  cost-centre: "%04d"
`, name, 100000000000+a, name, role, a%10 == 9, Region, a)
	// Past AWS's default quotas, declare the raised ones.
	var quotas []string
	if perAccount := (g.vpcs + g.accounts - 1) / g.accounts; perAccount > 5 {
		// One NAT gateway, so one Elastic IP, per VPC.
		quotas = append(quotas, fmt.Sprintf("vpcsPerRegion: %d, elasticIpsPerRegion: %d", perAccount, perAccount))
	}
	// The tooling account owns the gateways and their RAM shares.
	if a == 0 && g.gateways > 5 {
		quotas = append(quotas, fmt.Sprintf("transitGatewaysPerRegion: %d", g.gateways))
	}
	if len(quotas) > 0 {
		body += fmt.Sprintf("quotas:\n  - {region: %s, %s}\n", Region, strings.Join(quotas, ", "))
	}
	return g.write("accounts/"+name+".yaml", body)
}

// Organization is the organization the gateways are shared with when
// listing the accounts would invite more than RAM keeps pending.
const Organization = "arn:aws:organizations::100000000000:organization/o-synthetic"

// sharedPrincipals counts the accounts the gateways are shared with, over
// all gateways: each gateway's RAM share names the accounts of its VPCs.
func (g *generator) sharedPrincipals() int {
	shared := map[[2]int]bool{}
	for v := range g.vpcs {
		if a := g.vpcAccount(v); a != 0 {
			shared[[2]int{g.vpcGateway(v), a}] = true
		}
	}
	return len(shared)
}

// writeNetwork writes the VPCs of account a.
func (g *generator) writeNetwork(a int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "kind: Network\naccount: %s\nregion: %s\nvpcs:\n", accountName(a), Region)
	for v := a; v < g.vpcs; v += g.accounts {
		// Past 10.0.0.0/8's /20s, consecutive VPCs share blocks: they are
		// in different accounts and on different gateways.
		x, y := vpcBlock(v)
		if g.vpcs > maxVPCs {
			x, y = vpcBlock(v / g.sharing())
		}
		fmt.Fprintf(&b, `  - name: %s
    cidr: 10.%d.%d.0/20
    azCount: 2
    subnets:
      - {name: public, type: public, prefix: 24}
      - {name: private, type: private, prefix: 22}
      - {name: tgw, type: isolated, prefix: 28}
    egress: {type: natGateway}
`, vpcName(v), x, y)
		if v%4 == 0 {
			b.WriteString("    endpoints:\n      interface: [ecr.api, ecr.dkr, logs, sts]\n      gateway: [s3]\n")
		}
	}
	return g.write("environments/"+accountName(a)+"/network.yaml", b.String())
}

// writeGateway writes gateway t: an attachment per VPC it serves, one route
// table associated with all of them, and its share of the static routes.
func (g *generator) writeGateway(t int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "kind: TransitGateway\nname: hub-%d\naccount: tooling\nregion: %s\nasn: %d\n", t+1, Region, 64512+t)
	shared := map[int]bool{}
	var shareWith []string
	for v := t; v < g.vpcs; v += g.gateways {
		if a := g.vpcAccount(v); a != 0 && !shared[a] {
			shared[a] = true
			shareWith = append(shareWith, accountName(a))
		}
	}
	if len(shareWith) > 0 {
		// Outside an organization RAM invites each account, and keeps at
		// most 20 of a sharing account's invitations pending.
		if g.sharedPrincipals() > 20 {
			fmt.Fprintf(&b, "organization: %s\n", Organization)
		}
		b.WriteString("shareWith:\n")
		for _, a := range shareWith {
			fmt.Fprintf(&b, "  - %s\n", a)
		}
	}
	b.WriteString("attachments:\n")
	for v := t; v < g.vpcs; v += g.gateways {
		fmt.Fprintf(&b, "  - {name: %s, vpc: %s, subnets: [tgw-a, tgw-b]}\n", vpcName(v), vpcName(v))
	}
	b.WriteString("routeTables:\n  - name: spokes\n    associations:\n")
	for v := t; v < g.vpcs; v += g.gateways {
		fmt.Fprintf(&b, "      - %s\n", vpcName(v))
	}
	// Route r goes to routeVPC(r), towards destination(r).
	routesHere := false
	k := 0 // routes on this gateway so far
	for r := 0; r < g.routes; r++ {
		v := g.routeVPC(r)
		if g.vpcGateway(v) != t {
			continue
		}
		if !routesHere {
			b.WriteString("    routes:\n")
			routesHere = true
		}
		dest := g.destination(r)
		if g.reuseDestinations() {
			// Past the ranges' /24s, gateways reuse destinations, each
			// VPC's run of routes side by side.
			dest = g.destination(k)
		}
		k++
		fmt.Fprintf(&b, "      - {destination: %s, attachment: %s}\n", dest, vpcName(v))
	}
	return g.write(fmt.Sprintf("environments/tooling/hub-%d.yaml", t+1), b.String())
}
