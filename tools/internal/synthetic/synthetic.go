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
// stays inside AWS's default quotas when accounts ≥ vpcs / 5.
func Generate(dir string, accounts, vpcs, routes int) error {
	switch {
	case accounts < 1:
		return fmt.Errorf("synthetic: need at least one account, got %d", accounts)
	case vpcs < 1 || vpcs > maxVPCs*max(1, min(vpcs, (routes+RoutesPerGateway-1)/RoutesPerGateway)):
		return fmt.Errorf("synthetic: %d routes spread VPCs over too few gateways for %d VPCs (at most %d per gateway)", routes, vpcs, maxVPCs)
	case routes < 0 || routes > maxRoutes && vpcs < (routes+RoutesPerGateway-1)/RoutesPerGateway:
		return fmt.Errorf("synthetic: routes must be between 0 and %d, or %d per VPC, got %d", maxRoutes, RoutesPerGateway, routes)
	}
	g := &generator{dir: dir, accounts: accounts, vpcs: vpcs, routes: routes}
	g.gateways = max(1, min(vpcs, (routes+RoutesPerGateway-1)/RoutesPerGateway))
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

type generator struct {
	dir                              string
	accounts, vpcs, routes, gateways int
}

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
	// More VPCs per account than AWS's default five: declare the raised quota.
	if perAccount := (g.vpcs + g.accounts - 1) / g.accounts; perAccount > 5 {
		// One NAT gateway, so one Elastic IP, per VPC.
		body += fmt.Sprintf("quotas:\n  - {region: %s, vpcsPerRegion: %d, elasticIpsPerRegion: %d}\n", Region, perAccount, perAccount)
	}
	return g.write("accounts/"+name+".yaml", body)
}

// writeNetwork writes the VPCs of account a.
func (g *generator) writeNetwork(a int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "kind: Network\naccount: %s\nregion: %s\nvpcs:\n", accountName(a), Region)
	for v := a; v < g.vpcs; v += g.accounts {
		// Past 10.0.0.0/8's /20s, VPCs on different gateways share blocks.
		x, y := vpcBlock(v)
		if g.vpcs > maxVPCs {
			x, y = vpcBlock(v / g.gateways)
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
	// Route r goes to VPC r mod vpcs (an appliance in front of the network
	// it reaches), towards routeDestination(r).
	routesHere := false
	k := 0 // routes on this gateway so far
	nv, perVPC := (g.vpcs-t+g.gateways-1)/g.gateways, (g.routes+g.vpcs-1)/g.vpcs
	for r := 0; r < g.routes; r++ {
		v := r % g.vpcs
		if g.vpcGateway(v) != t {
			continue
		}
		if !routesHere {
			b.WriteString("    routes:\n")
			routesHere = true
		}
		dest := routeDestination(r)
		if g.routes > maxRoutes {
			// Past the ranges' /24s, gateways reuse destinations, each VPC's
			// side by side (as routeDestination(r) keeps them in few stacks).
			dest = routeDestination((k%nv)*perVPC + k/nv)
		}
		k++
		fmt.Fprintf(&b, "      - {destination: %s, attachment: %s}\n", dest, vpcName(v))
	}
	return g.write(fmt.Sprintf("environments/tooling/hub-%d.yaml", t+1), b.String())
}
